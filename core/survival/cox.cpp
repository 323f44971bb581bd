#include "core/survival/cox.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "core/errors.hpp"
#include "core/survival/distributions.hpp"

namespace gliolens::survival {
namespace {

// Subjects ordered by stratum, then by decreasing time, so that walking the order grows each
// stratum's risk set one tied-time group at a time.
struct RiskSetOrder {
  std::vector<std::size_t> order;
  std::vector<std::pair<std::size_t, std::size_t>> strata;  // [begin, end) into order
};

int stratum_of(const SurvivalData& data, std::size_t i) { return data.stratified() ? data.stratum[i] : 0; }

RiskSetOrder risk_set_order(const SurvivalData& data) {
  RiskSetOrder result;
  result.order.resize(data.size());
  std::iota(result.order.begin(), result.order.end(), std::size_t{0});
  std::stable_sort(result.order.begin(), result.order.end(), [&](std::size_t a, std::size_t b) {
    const int sa = stratum_of(data, a);
    const int sb = stratum_of(data, b);
    return sa != sb ? sa < sb : data.time[a] > data.time[b];
  });
  std::size_t begin = 0;
  for (std::size_t k = 1; k <= result.order.size(); ++k) {
    if (k == result.order.size() ||
        stratum_of(data, result.order[k]) != stratum_of(data, result.order[begin])) {
      result.strata.emplace_back(begin, k);
      begin = k;
    }
  }
  return result;
}

// The information is assembled as X' diag(c) X - M' M (two matrix products) instead of rank
// updates per subject: subject i's weight c_i collects r_i / a0 over every risk-set term it belongs
// to, and M stacks the risk-set means, one row per (event time, Efron fraction).
CoxDerivatives derivatives_in_order(const Eigen::MatrixXd& x, const SurvivalData& data, const RiskSetOrder& order,
                                    const Eigen::VectorXd& beta, Ties ties) {
  const Eigen::Index p = x.cols();
  const auto n = static_cast<Eigen::Index>(data.size());
  CoxDerivatives result{0.0, Eigen::VectorXd::Zero(p), Eigen::MatrixXd::Zero(p, p)};
  const Eigen::VectorXd eta = x * beta;
  Eigen::VectorXd subject_weight = Eigen::VectorXd::Zero(n);
  std::vector<Eigen::VectorXd> means;
  for (const auto& [begin, end] : order.strata) {
    // Every exp() is taken relative to the stratum's largest eta: the likelihood is unchanged and
    // nothing overflows even when a diverging coefficient makes eta huge.
    double shift = -std::numeric_limits<double>::infinity();
    for (std::size_t k = begin; k < end; ++k) shift = std::max(shift, eta(static_cast<Eigen::Index>(order.order[k])));
    struct Group {
      std::size_t begin, end;
      double inverse_sum = 0.0;   // sum over Efron fractions of 1 / a0
      double fraction_sum = 0.0;  // sum of fraction / a0, removed again for the dying themselves
    };
    std::vector<Group> groups;
    double s0 = 0.0;
    Eigen::VectorXd s1 = Eigen::VectorXd::Zero(p);
    for (std::size_t k = begin; k < end;) {
      Group group{k, k};
      const double t = data.time[order.order[k]];
      double d0 = 0.0;
      Eigen::VectorXd d1 = Eigen::VectorXd::Zero(p);
      int deaths = 0;
      for (; k < end && data.time[order.order[k]] == t; ++k) {
        const auto i = static_cast<Eigen::Index>(order.order[k]);
        const double risk = std::exp(eta(i) - shift);
        s0 += risk;
        s1 += risk * x.row(i).transpose();
        if (data.event[static_cast<std::size_t>(i)] == 1) {
          d0 += risk;
          d1 += risk * x.row(i).transpose();
          result.score += x.row(i).transpose();
          result.log_likelihood += eta(i) - shift;
          ++deaths;
        }
      }
      group.end = k;
      // Efron removes the tied deaths' risk in equal fractions; Breslow keeps the full risk set.
      for (int m = 0; m < deaths; ++m) {
        const double fraction = ties == Ties::efron ? static_cast<double>(m) / deaths : 0.0;
        const double a0 = s0 - fraction * d0;
        Eigen::VectorXd mean = (s1 - fraction * d1) / a0;
        result.log_likelihood -= std::log(a0);
        result.score -= mean;
        means.push_back(std::move(mean));
        group.inverse_sum += 1.0 / a0;
        group.fraction_sum += fraction / a0;
      }
      groups.push_back(group);
    }
    // Groups run from the latest time to the earliest; a subject belongs to the risk sets of its
    // own group and of every earlier-time group, i.e. the groups after it in this order.
    double later_inverse_sum = 0.0;
    for (auto g = groups.rbegin(); g != groups.rend(); ++g) {
      later_inverse_sum += g->inverse_sum;
      for (std::size_t k = g->begin; k < g->end; ++k) {
        const auto i = static_cast<Eigen::Index>(order.order[k]);
        const double own = data.event[static_cast<std::size_t>(i)] == 1 ? g->fraction_sum : 0.0;
        subject_weight(i) = std::exp(eta(i) - shift) * (later_inverse_sum - own);
      }
    }
  }
  Eigen::MatrixXd mean_rows(static_cast<Eigen::Index>(means.size()), p);
  for (std::size_t r = 0; r < means.size(); ++r) mean_rows.row(static_cast<Eigen::Index>(r)) = means[r].transpose();
  // Symmetric rank-k updates (half the work of general products); the weights are never negative.
  const Eigen::MatrixXd weighted_x = subject_weight.cwiseMax(0.0).cwiseSqrt().asDiagonal() * x;
  result.information.selfadjointView<Eigen::Lower>().rankUpdate(weighted_x.transpose(), 1.0);
  result.information.selfadjointView<Eigen::Lower>().rankUpdate(mean_rows.transpose(), -1.0);
  result.information = result.information.selfadjointView<Eigen::Lower>();
  return result;
}

void require_identifiable(const SurvivalData& data) {
  const std::size_t events = data.event_count();
  if (data.size() == 0) throw InvalidInputError("Cox regression: the data set is empty");
  if (data.covariate_count() == 0) throw InvalidInputError("Cox regression: no covariates given");
  if (events == 0) {
    throw InvalidInputError("Cox regression: all " + std::to_string(data.size()) +
                            " subjects are censored; with no events there is nothing to fit");
  }
  if (events == 1) {
    throw InvalidInputError("Cox regression: only one event among " + std::to_string(data.size()) +
                            " subjects; the partial likelihood needs at least two events to rank risks");
  }
  const auto [min_it, max_it] = std::minmax_element(data.time.begin(), data.time.end());
  const double min_time = *min_it;
  const double max_time = *max_it;
  if (min_time == max_time) {
    throw InvalidInputError("Cox regression: all survival times are equal (" + std::to_string(min_time) +
                            "); without an ordering of times there is no information about the hazard");
  }
  const Eigen::MatrixXd centred = data.covariates.rowwise() - data.covariates.colwise().mean();
  for (std::size_t j = 0; j < data.covariate_count(); ++j) {
    if (centred.col(static_cast<Eigen::Index>(j)).cwiseAbs().maxCoeff() == 0.0) {
      throw InvalidInputError("Cox regression: covariate '" + data.covariate_names[j] +
                              "' is constant; its effect cannot be estimated, remove it");
    }
  }
  // Exact collinearity: name the first covariate that the earlier ones already explain.
  const Eigen::VectorXd scale = centred.colwise().norm();
  const Eigen::MatrixXd standardized = centred * scale.cwiseInverse().asDiagonal();
  for (Eigen::Index j = 1; j < standardized.cols(); ++j) {
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(standardized.leftCols(j + 1));
    qr.setThreshold(1e-10);
    if (qr.rank() < j + 1) {
      throw InvalidInputError("Cox regression: covariate '" + data.covariate_names[static_cast<std::size_t>(j)] +
                              "' is a linear combination of the covariates before it (collinear); remove it");
    }
  }
}

// Solves information * step = score; nullopt when the information is not positive definite.
std::optional<Eigen::VectorXd> newton_step(const CoxDerivatives& d) {
  Eigen::LDLT<Eigen::MatrixXd> ldlt(d.information);
  if (ldlt.info() != Eigen::Success || !ldlt.isPositive() || (ldlt.vectorD().array() <= 0.0).any()) return std::nullopt;
  Eigen::VectorXd step = ldlt.solve(d.score);
  if (!step.allFinite()) return std::nullopt;
  return step;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "'" : ", '") + name + "'";
  return joined;
}

StratumBaseline stratum_baseline(const Eigen::MatrixXd& centred, const SurvivalData& data, const Eigen::VectorXd& lp,
                                 std::pair<std::size_t, std::size_t> range, const RiskSetOrder& order, Ties ties) {
  const Eigen::Index p = centred.cols();
  StratumBaseline baseline;
  baseline.stratum = stratum_of(data, order.order[range.first]);
  std::vector<Eigen::VectorXd> mean_increments;
  std::vector<double> hazard_increments;
  std::vector<double> variance_increments;
  double s0 = 0.0;
  Eigen::VectorXd s1 = Eigen::VectorXd::Zero(p);
  int at_risk = 0;
  // Walk backwards in time (the order is decreasing) so that sums over the risk set accumulate.
  for (std::size_t k = range.first; k < range.second;) {
    const double t = data.time[order.order[k]];
    double d0 = 0.0;
    Eigen::VectorXd d1 = Eigen::VectorXd::Zero(p);
    int deaths = 0;
    for (; k < range.second && data.time[order.order[k]] == t; ++k) {
      const auto i = static_cast<Eigen::Index>(order.order[k]);
      const double risk = std::exp(lp(i));
      s0 += risk;
      s1 += risk * centred.row(i).transpose();
      ++at_risk;
      if (data.event[static_cast<std::size_t>(i)] == 1) {
        d0 += risk;
        d1 += risk * centred.row(i).transpose();
        ++deaths;
      }
    }
    double hazard = 0.0;
    double variance = 0.0;
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(p);
    for (int m = 0; m < deaths; ++m) {  // survfit.coxph: ctype 2 for Efron, 1 for Breslow
      const double fraction = ties == Ties::efron ? static_cast<double>(m) / deaths : 0.0;
      const double a0 = s0 - fraction * d0;
      hazard += 1.0 / a0;
      variance += 1.0 / (a0 * a0);
      mean += (s1 - fraction * d1) / (a0 * a0);
    }
    baseline.time.push_back(t);
    baseline.at_risk.push_back(at_risk);
    baseline.events.push_back(deaths);
    hazard_increments.push_back(hazard);
    variance_increments.push_back(variance);
    mean_increments.push_back(mean);
  }
  std::reverse(baseline.time.begin(), baseline.time.end());
  std::reverse(baseline.at_risk.begin(), baseline.at_risk.end());
  std::reverse(baseline.events.begin(), baseline.events.end());
  std::reverse(hazard_increments.begin(), hazard_increments.end());
  std::reverse(variance_increments.begin(), variance_increments.end());
  std::reverse(mean_increments.begin(), mean_increments.end());
  const std::size_t times = baseline.time.size();
  baseline.weighted_mean_path.resize(static_cast<Eigen::Index>(times), p);
  double cumulative_hazard = 0.0;
  double cumulative_variance = 0.0;
  Eigen::VectorXd cumulative_mean = Eigen::VectorXd::Zero(p);
  for (std::size_t k = 0; k < times; ++k) {
    cumulative_hazard += hazard_increments[k];
    cumulative_variance += variance_increments[k];
    cumulative_mean += mean_increments[k];
    baseline.cumulative_hazard.push_back(cumulative_hazard);
    baseline.hazard_variance.push_back(cumulative_variance);
    baseline.weighted_mean_path.row(static_cast<Eigen::Index>(k)) = cumulative_mean.transpose();
  }
  return baseline;
}

void add_tests(CoxFit& fit, const CoxDerivatives& at_zero) {
  const double df = static_cast<double>(fit.covariate_count());
  fit.likelihood_ratio_statistic = std::max(0.0, 2.0 * (fit.log_likelihood - fit.log_likelihood_null));
  fit.likelihood_ratio_p = chi_square_upper_tail(fit.likelihood_ratio_statistic, df);
  // R's Wald test uses the inverse of the variance, i.e. the information at the estimate.
  fit.wald_statistic = fit.coefficients.dot(fit.covariance.ldlt().solve(fit.coefficients));
  fit.wald_p = chi_square_upper_tail(fit.wald_statistic, df);
  if (const auto step = newton_step(at_zero)) {
    fit.score_statistic = at_zero.score.dot(*step);
    fit.score_p = chi_square_upper_tail(fit.score_statistic, df);
  }
}

void warn_about_divergence(CoxFit& fit, const CoxDerivatives& at_fit, const Eigen::VectorXd& sd,
                           const CoxOptions& options) {
  // As R's coxph.fit: a coefficient whose next Newton step is still large relative to itself after
  // the likelihood stopped changing is heading to infinity (monotone likelihood, separation).
  const Eigen::VectorXd next_step = fit.covariance * at_fit.score;
  std::vector<std::string> diverging;
  for (Eigen::Index j = 0; j < next_step.size(); ++j) {
    const double step = std::abs(next_step(j));
    const bool capped = std::abs(fit.coefficients(j)) * sd(j) >= options.max_standardized_coefficient * (1 - 1e-12);
    if (capped || (step > options.tolerance && step > std::sqrt(options.tolerance) * std::abs(fit.coefficients(j)))) {
      diverging.push_back(fit.covariate_names[static_cast<std::size_t>(j)]);
    }
  }
  if (!diverging.empty()) {
    fit.warnings.push_back("the likelihood converged before the coefficient of " + join_names(diverging) +
                           ": it may be infinite (the covariate separates events from non-events); "
                           "its estimate and standard error are not meaningful");
  }
}

void warn_about_small_samples(CoxFit& fit) {
  const double per_covariate = static_cast<double>(fit.events) / static_cast<double>(fit.covariate_count());
  if (per_covariate < 10.0) {
    std::ostringstream message;
    message << fit.events << " events for " << fit.covariate_count()
            << " covariates (fewer than 10 per covariate): estimates may be unstable and optimistic";
    fit.warnings.push_back(message.str());
  }
}

void warn_about_near_collinearity(CoxFit& fit, const CoxDerivatives& at_zero) {
  // Correlation form of the information: its condition number measures near-collinearity
  // independently of the covariates' units.
  const Eigen::VectorXd scale = at_zero.information.diagonal().cwiseSqrt().cwiseInverse();
  const Eigen::MatrixXd correlation = scale.asDiagonal() * at_zero.information * scale.asDiagonal();
  const Eigen::VectorXd eigenvalues = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(correlation).eigenvalues();
  if (eigenvalues.minCoeff() < 1e-8 * eigenvalues.maxCoeff()) {
    fit.warnings.push_back("the covariates are nearly collinear (condition number above 1e8): standard errors are "
                           "inflated and coefficients may change a lot with small changes in the data");
  }
}

}  // namespace

Eigen::VectorXd centring_point(const Eigen::MatrixXd& covariates) {
  Eigen::VectorXd point = covariates.colwise().mean().transpose();
  for (Eigen::Index j = 0; j < covariates.cols(); ++j) {
    const bool indicator = (covariates.col(j).array() == 0.0 || covariates.col(j).array() == 1.0).all();
    if (indicator) point(j) = 0.0;
  }
  return point;
}

const char* to_string(Ties ties) { return ties == Ties::efron ? "efron" : "breslow"; }

Ties ties_from_string(std::string_view name) {
  if (name == "efron") return Ties::efron;
  if (name == "breslow") return Ties::breslow;
  throw InvalidInputError("unknown ties method '" + std::string(name) + "'; use 'efron' or 'breslow'");
}

CoxDerivatives cox_derivatives(const SurvivalData& data, const Eigen::VectorXd& beta, Ties ties) {
  validate_survival_data(data);
  return derivatives_in_order(data.covariates, data, risk_set_order(data), beta, ties);
}

double cox_log_likelihood(const SurvivalData& data, const Eigen::VectorXd& linear_predictor, Ties ties) {
  if (static_cast<std::size_t>(linear_predictor.size()) != data.size()) {
    throw InvalidInputError("Cox log-likelihood: " + std::to_string(linear_predictor.size()) +
                            " linear predictors for " + std::to_string(data.size()) + " subjects");
  }
  const RiskSetOrder order = risk_set_order(data);
  double log_likelihood = 0.0;
  for (const auto& [begin, end] : order.strata) {
    double shift = -std::numeric_limits<double>::infinity();
    for (std::size_t k = begin; k < end; ++k) shift = std::max(shift, linear_predictor(static_cast<Eigen::Index>(order.order[k])));
    double at_risk = 0.0;
    for (std::size_t k = begin; k < end;) {
      const double t = data.time[order.order[k]];
      double dying = 0.0;
      int deaths = 0;
      for (; k < end && data.time[order.order[k]] == t; ++k) {
        const auto i = order.order[k];
        const double eta = linear_predictor(static_cast<Eigen::Index>(i)) - shift;
        at_risk += std::exp(eta);
        if (data.event[i] == 1) {
          dying += std::exp(eta);
          log_likelihood += eta;
          ++deaths;
        }
      }
      for (int m = 0; m < deaths; ++m) {
        const double fraction = ties == Ties::efron ? static_cast<double>(m) / deaths : 0.0;
        log_likelihood -= std::log(at_risk - fraction * dying);
      }
    }
  }
  return log_likelihood;
}

CoxFit fit_cox(const SurvivalData& data, const CoxOptions& options) {
  validate_survival_data(data);
  require_identifiable(data);
  const Eigen::Index p = data.covariates.cols();
  CoxFit fit;
  fit.covariate_names = data.covariate_names;
  fit.ties = options.ties;
  fit.subjects = data.size();
  fit.events = data.event_count();
  fit.means = centring_point(data.covariates);
  const Eigen::MatrixXd centred = data.covariates.rowwise() - fit.means.transpose();
  const Eigen::MatrixXd deviations = data.covariates.rowwise() - data.covariates.colwise().mean();
  const Eigen::VectorXd sd = (deviations.colwise().squaredNorm() / static_cast<double>(data.size())).cwiseSqrt().transpose();
  const Eigen::VectorXd max_beta = options.max_standardized_coefficient * sd.cwiseInverse();
  const RiskSetOrder order = risk_set_order(data);
  auto derivatives_at = [&](const Eigen::VectorXd& beta) {
    return derivatives_in_order(centred, data, order, beta, options.ties);
  };

  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
  const CoxDerivatives at_zero = derivatives_at(beta);
  fit.log_likelihood_null = at_zero.log_likelihood;
  auto first_step = newton_step(at_zero);
  if (!first_step) {
    throw InvalidInputError("Cox regression: the information matrix is singular at the start; a covariate is "
                            "constant within every stratum or among all risk sets");
  }
  warn_about_near_collinearity(fit, at_zero);

  // R's coxfit6 iteration: accept a step when the log-likelihood does not decrease, otherwise halve it.
  CoxDerivatives current = at_zero;
  Eigen::VectorXd step = *first_step;
  Eigen::VectorXd candidate = (beta + step).cwiseMax(-max_beta).cwiseMin(max_beta);
  bool halving = false;
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    fit.iterations = iteration;
    CoxDerivatives next = derivatives_at(candidate);
    const bool converged = std::abs(1.0 - current.log_likelihood / next.log_likelihood) <= options.tolerance;
    if (converged && !halving) {
      beta = candidate;
      current = std::move(next);
      fit.converged = true;
      break;
    }
    if (iteration == options.max_iterations) break;
    if (next.log_likelihood < current.log_likelihood || !std::isfinite(next.log_likelihood)) {
      halving = true;
      candidate = (candidate + beta) / 2.0;
      continue;
    }
    halving = false;
    beta = candidate;
    current = std::move(next);
    const auto newton = newton_step(current);
    if (!newton) {
      fit.warnings.push_back("the information matrix became singular during the iterations; stopped at the last "
                             "finite estimate (a covariate may separate events from non-events)");
      break;
    }
    candidate = (beta + *newton).cwiseMax(-max_beta).cwiseMin(max_beta);
  }
  if (!fit.converged && fit.iterations == options.max_iterations) {
    fit.warnings.push_back("did not converge in " + std::to_string(options.max_iterations) +
                           " iterations; the estimates may be inaccurate");
    if (current.log_likelihood < derivatives_at(candidate).log_likelihood) {
      beta = candidate;
      current = derivatives_at(beta);
    }
  }

  fit.coefficients = beta;
  fit.log_likelihood = current.log_likelihood;
  Eigen::LDLT<Eigen::MatrixXd> ldlt(current.information);
  fit.covariance = ldlt.solve(Eigen::MatrixXd::Identity(p, p));
  if (ldlt.info() != Eigen::Success || !fit.covariance.allFinite() || (fit.covariance.diagonal().array() <= 0).any()) {
    throw NumericalError("Cox regression: the information matrix at the estimate cannot be inverted, so there are "
                         "no standard errors; the covariates " + join_names(fit.covariate_names) +
                         " may separate events from non-events perfectly");
  }
  fit.standard_errors = fit.covariance.diagonal().cwiseSqrt();
  add_tests(fit, at_zero);
  warn_about_divergence(fit, current, sd, options);
  warn_about_small_samples(fit);

  const Eigen::VectorXd lp = centred * beta;
  for (const auto& range : order.strata) fit.baseline.push_back(stratum_baseline(centred, data, lp, range, order, options.ties));
  return fit;
}

CoxFit cox_fit_at(const SurvivalData& data, const Eigen::VectorXd& coefficients, Ties ties) {
  validate_survival_data(data);
  if (static_cast<std::size_t>(coefficients.size()) != data.covariate_count()) {
    throw InvalidInputError("Cox model: " + std::to_string(coefficients.size()) + " coefficients for " +
                            std::to_string(data.covariate_count()) + " covariates");
  }
  if (data.event_count() == 0) throw InvalidInputError("Cox model: no events, so no baseline hazard");
  const Eigen::Index p = coefficients.size();
  CoxFit fit;
  fit.covariate_names = data.covariate_names;
  fit.ties = ties;
  fit.subjects = data.size();
  fit.events = data.event_count();
  fit.means = centring_point(data.covariates);
  fit.coefficients = coefficients;
  fit.standard_errors = Eigen::VectorXd::Zero(p);
  fit.covariance = Eigen::MatrixXd::Zero(p, p);
  const Eigen::MatrixXd centred = data.covariates.rowwise() - fit.means.transpose();
  const Eigen::VectorXd lp = centred * coefficients;
  fit.log_likelihood_null = cox_log_likelihood(data, Eigen::VectorXd::Zero(static_cast<Eigen::Index>(data.size())), ties);
  fit.log_likelihood = cox_log_likelihood(data, lp, ties);
  fit.likelihood_ratio_statistic = std::max(0.0, 2.0 * (fit.log_likelihood - fit.log_likelihood_null));
  fit.converged = true;
  fit.warnings.push_back("coefficients given (e.g. penalised), not maximum likelihood: no standard errors or tests");
  const RiskSetOrder order = risk_set_order(data);
  for (const auto& range : order.strata) fit.baseline.push_back(stratum_baseline(centred, data, lp, range, order, ties));
  return fit;
}

double linear_predictor(const CoxFit& fit, std::span<const double> covariates) {
  if (covariates.size() != fit.covariate_count()) {
    throw InvalidInputError("Cox prediction: " + std::to_string(covariates.size()) + " covariate values for a model of " +
                            std::to_string(fit.covariate_count()) + " covariates");
  }
  double lp = 0.0;
  for (std::size_t j = 0; j < covariates.size(); ++j) {
    if (!std::isfinite(covariates[j])) {
      throw InvalidInputError("Cox prediction: covariate '" + fit.covariate_names[j] + "' is missing");
    }
    const auto jj = static_cast<Eigen::Index>(j);
    lp += (covariates[j] - fit.means(jj)) * fit.coefficients(jj);
  }
  return lp;
}

Eigen::VectorXd linear_predictors(const CoxFit& fit, const Eigen::MatrixXd& covariates) {
  Eigen::VectorXd lp(covariates.rows());
  for (Eigen::Index i = 0; i < covariates.rows(); ++i) {
    const Eigen::VectorXd row = covariates.row(i).transpose();
    lp(i) = linear_predictor(fit, std::span<const double>(row.data(), static_cast<std::size_t>(row.size())));
  }
  return lp;
}

std::vector<HazardRatio> hazard_ratios(const CoxFit& fit, double confidence_level) {
  const double z_critical = normal_critical_value(confidence_level);
  std::vector<HazardRatio> ratios;
  for (Eigen::Index j = 0; j < fit.coefficients.size(); ++j) {
    const double beta = fit.coefficients(j);
    const double se = fit.standard_errors(j);
    HazardRatio ratio;
    ratio.estimate = std::exp(beta);
    ratio.lower = std::exp(beta - z_critical * se);
    ratio.upper = std::exp(beta + z_critical * se);
    ratio.z = beta / se;
    ratio.p_value = 2.0 * normal_cdf(-std::abs(ratio.z));
    ratios.push_back(ratio);
  }
  return ratios;
}

SurvivalCurve predict_survival(const CoxFit& fit, std::span<const double> covariates, int stratum,
                               double confidence_level) {
  const auto baseline = std::find_if(fit.baseline.begin(), fit.baseline.end(),
                                     [stratum](const StratumBaseline& b) { return b.stratum == stratum; });
  if (baseline == fit.baseline.end()) {
    throw InvalidInputError("Cox prediction: the model has no stratum " + std::to_string(stratum));
  }
  const double lp = linear_predictor(fit, covariates);
  const double risk = std::exp(lp);
  const double z_critical = normal_critical_value(confidence_level);
  Eigen::VectorXd centred(static_cast<Eigen::Index>(covariates.size()));
  for (std::size_t j = 0; j < covariates.size(); ++j) {
    centred(static_cast<Eigen::Index>(j)) = covariates[j] - fit.means(static_cast<Eigen::Index>(j));
  }
  SurvivalCurve curve;
  for (std::size_t k = 0; k < baseline->time.size(); ++k) {
    const double h0 = baseline->cumulative_hazard[k];
    // survfit.coxph's variance: the baseline's own variance plus the coefficients' uncertainty
    // carried through d H(t|x) / d beta.
    const Eigen::VectorXd gradient = h0 * centred - baseline->weighted_mean_path.row(static_cast<Eigen::Index>(k)).transpose();
    const double variance = baseline->hazard_variance[k] + gradient.dot(fit.covariance * gradient);
    const double hazard = h0 * risk;
    const double se = std::sqrt(std::max(0.0, variance)) * risk;
    const double survival = std::exp(-hazard);
    curve.time.push_back(baseline->time[k]);
    curve.cumulative_hazard.push_back(hazard);
    curve.survival.push_back(survival);
    curve.standard_error.push_back(se);
    curve.lower.push_back(std::exp(-hazard - z_critical * se));
    curve.upper.push_back(std::min(1.0, std::exp(-hazard + z_critical * se)));
  }
  return curve;
}

std::optional<double> median_survival_time(std::span<const double> time, std::span<const double> survival) {
  constexpr double exactness = 1e-10;
  for (std::size_t k = 0; k < time.size(); ++k) {
    if (survival[k] > 0.5 + exactness) continue;
    if (std::abs(survival[k] - 0.5) <= exactness) {
      for (std::size_t next = k + 1; next < time.size(); ++next) {
        if (survival[next] < survival[k] - exactness) return (time[k] + time[next]) / 2.0;
      }
    }
    return time[k];
  }
  return std::nullopt;
}

}  // namespace gliolens::survival
