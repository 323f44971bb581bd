#include "core/survival/penalized.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/errors.hpp"
#include "core/survival/cox.hpp"
#include "core/survival/elastic_net.hpp"
#include "core/survival/resampling.hpp"

namespace gliolens::survival {
namespace {

int stratum_of(const SurvivalData& data, std::size_t i) { return data.stratified() ? data.stratum[i] : 0; }

// Tied-time groups in (stratum, decreasing time) order.
struct TimeGroups {
  std::vector<std::size_t> order;
  std::vector<std::size_t> group_begin;  // one past the end is order.size()
};

TimeGroups time_groups(const SurvivalData& data) {
  TimeGroups groups;
  groups.order.resize(data.size());
  std::iota(groups.order.begin(), groups.order.end(), std::size_t{0});
  std::ranges::stable_sort(groups.order, [&](std::size_t a, std::size_t b) {
    return stratum_of(data, a) != stratum_of(data, b) ? stratum_of(data, a) < stratum_of(data, b)
                                                      : data.time[a] > data.time[b];
  });
  for (std::size_t k = 0; k < groups.order.size(); ++k) {
    const std::size_t i = groups.order[k];
    if (k == 0 || data.time[i] != data.time[groups.order[k - 1]] || stratum_of(data, i) != stratum_of(data, groups.order[k - 1])) {
      groups.group_begin.push_back(k);
    }
  }
  return groups;
}

// Breslow gradient and diagonal Hessian of the log partial likelihood with respect to eta
// (glmnet's coxnet working quantities).
WorkingQuantities breslow_working(const SurvivalData& data, const TimeGroups& groups, const Eigen::VectorXd& eta) {
  const std::size_t n = data.size();
  const std::size_t group_count = groups.group_begin.size();
  const double shift = eta.maxCoeff();
  Eigen::VectorXd risk = (eta.array() - shift).exp();
  std::vector<double> hazard(group_count, 0.0);   // d / S0 at each group
  std::vector<double> squared(group_count, 0.0);  // d / S0^2
  double at_risk = 0.0;
  for (std::size_t g = 0; g < group_count; ++g) {
    const std::size_t end = g + 1 < group_count ? groups.group_begin[g + 1] : n;
    if (g > 0 && stratum_of(data, groups.order[groups.group_begin[g]]) !=
                     stratum_of(data, groups.order[groups.group_begin[g - 1]])) {
      at_risk = 0.0;  // a new stratum starts a new risk set
    }
    double deaths = 0.0;
    for (std::size_t k = groups.group_begin[g]; k < end; ++k) {
      at_risk += risk(static_cast<Eigen::Index>(groups.order[k]));
      deaths += data.event[groups.order[k]];
    }
    if (deaths > 0) {
      hazard[g] = deaths / at_risk;
      squared[g] = deaths / (at_risk * at_risk);
    }
  }
  WorkingQuantities working;
  working.gradient.resize(static_cast<Eigen::Index>(n));
  working.weight.resize(static_cast<Eigen::Index>(n));
  double cumulative_hazard = 0.0;
  double cumulative_squared = 0.0;
  // Increasing time within each stratum: walk the groups backwards.
  for (std::size_t g = group_count; g-- > 0;) {
    const std::size_t end = g + 1 < group_count ? groups.group_begin[g + 1] : n;
    if (g + 1 < group_count && stratum_of(data, groups.order[groups.group_begin[g]]) !=
                                   stratum_of(data, groups.order[groups.group_begin[g + 1]])) {
      cumulative_hazard = cumulative_squared = 0.0;
    }
    cumulative_hazard += hazard[g];
    cumulative_squared += squared[g];
    for (std::size_t k = groups.group_begin[g]; k < end; ++k) {
      const auto i = static_cast<Eigen::Index>(groups.order[k]);
      working.gradient(i) = data.event[static_cast<std::size_t>(i)] - risk(i) * cumulative_hazard;
      working.weight(i) = std::max(0.0, risk(i) * cumulative_hazard - risk(i) * risk(i) * cumulative_squared);
    }
  }
  working.log_likelihood = cox_log_likelihood(data, eta, Ties::breslow);
  return working;
}

void require_fittable(const SurvivalData& data, const PenaltyOptions& options) {
  validate_survival_data(data);
  if (data.covariate_count() == 0) throw InvalidInputError("penalised Cox: no covariates given");
  if (data.event_count() < 2) {
    throw InvalidInputError("penalised Cox: " + std::to_string(data.event_count()) +
                            " events; it needs at least two");
  }
  if (!(options.alpha >= 0.0 && options.alpha <= 1.0)) {
    throw InvalidInputError("penalised Cox: alpha must lie in [0, 1] (1 lasso, 0 ridge)");
  }
  for (const double lambda : options.lambdas) {
    if (!(lambda >= 0.0)) throw InvalidInputError("penalised Cox: lambdas must be non-negative");
  }
}

PenalizedCoxPath fit_path(const SurvivalData& data, const PenaltyOptions& options, std::vector<double> lambdas) {
  require_fittable(data, options);
  const Standardization scaling = standardization_of(data.covariates);
  ElasticNetProblem problem;
  problem.x = standardize(data.covariates, scaling);
  const TimeGroups groups = time_groups(data);
  problem.evaluate = [&](const Eigen::VectorXd& eta) { return breslow_working(data, groups, eta); };
  problem.log_likelihood = [&](const Eigen::VectorXd& eta) { return cox_log_likelihood(data, eta, Ties::breslow); };
  ElasticNetSettings settings;
  settings.alpha = options.alpha;
  settings.tolerance = options.tolerance;

  PenalizedCoxPath path;
  path.covariate_names = data.covariate_names;
  for (Eigen::Index j = 0; j < scaling.scale.size(); ++j) {
    if (scaling.scale(j) == 0.0) {
      path.warnings.push_back("covariate '" + data.covariate_names[static_cast<std::size_t>(j)] +
                              "' is constant and keeps a zero coefficient");
    }
  }
  if (lambdas.empty()) {
    const double lambda_max = largest_useful_lambda(problem, options.alpha, ElasticNetSolution{});
    const double ratio = options.lambda_min_ratio > 0.0 ? options.lambda_min_ratio
                         : data.size() > data.covariate_count() ? 1e-4 : 1e-2;
    lambdas = lambda_path(lambda_max, ratio, options.path_length);
  }
  ElasticNetSolution solution;
  solution.beta = Eigen::VectorXd::Zero(problem.x.cols());
  for (const double lambda : lambdas) {
    solution = solve_elastic_net(problem, lambda, settings, solution);
    if (!solution.converged) {
      path.warnings.push_back("did not converge at lambda " + std::to_string(lambda));
    }
    Eigen::VectorXd original = Eigen::VectorXd::Zero(solution.beta.size());
    for (Eigen::Index j = 0; j < original.size(); ++j) {
      if (scaling.scale(j) > 0.0) original(j) = solution.beta(j) / scaling.scale(j);
    }
    path.lambdas.push_back(lambda);
    path.coefficients.push_back(original);
    path.log_likelihoods.push_back(solution.log_likelihood);
    path.nonzero.push_back(static_cast<int>((original.array() != 0.0).count()));
  }
  return path;
}

}  // namespace

PenalizedCoxPath fit_penalized_cox_path(const SurvivalData& data, const PenaltyOptions& options) {
  return fit_path(data, options, options.lambdas);
}

CrossValidatedCox cross_validate_penalized_cox(const SurvivalData& data, const PenaltyOptions& options, int folds,
                                               std::mt19937_64& random) {
  CrossValidatedCox cv;
  cv.path = fit_penalized_cox_path(data, options);
  // Spreading events evenly keeps every fold's held-out partial likelihood informative.
  cv.fold_of_subject = assign_folds(data.size(), folds, random, data.event);
  const std::size_t lambda_count = cv.path.lambdas.size();
  std::vector<std::vector<double>> fold_deviance(static_cast<std::size_t>(folds));
  std::vector<double> fold_events(static_cast<std::size_t>(folds), 0.0);
  for (int fold = 0; fold < folds; ++fold) {
    std::vector<std::size_t> training;
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (cv.fold_of_subject[i] != fold) {
        training.push_back(i);
      } else {
        fold_events[static_cast<std::size_t>(fold)] += data.event[i];
      }
    }
    const SurvivalData training_data = subset(data, training);
    const PenalizedCoxPath fold_path = fit_path(training_data, options, cv.path.lambdas);
    // glmnet's grouped deviance: the fold's contribution is the full-data partial likelihood minus
    // the training part, both at the training coefficients (Verweij & van Houwelingen 1993).
    for (std::size_t l = 0; l < lambda_count; ++l) {
      const Eigen::VectorXd eta_all = data.covariates * fold_path.coefficients[l];
      const Eigen::VectorXd eta_training = training_data.covariates * fold_path.coefficients[l];
      const double full = cox_log_likelihood(data, eta_all, Ties::breslow);
      const double train = cox_log_likelihood(training_data, eta_training, Ties::breslow);
      fold_deviance[static_cast<std::size_t>(fold)].push_back(-2.0 * (full - train));
    }
  }
  const double total_events = std::accumulate(fold_events.begin(), fold_events.end(), 0.0);
  for (std::size_t l = 0; l < lambda_count; ++l) {
    double mean = 0.0;
    for (int fold = 0; fold < folds; ++fold) {
      const auto f = static_cast<std::size_t>(fold);
      if (fold_events[f] > 0) mean += fold_deviance[f][l];
    }
    mean /= total_events;
    double spread = 0.0;
    for (int fold = 0; fold < folds; ++fold) {
      const auto f = static_cast<std::size_t>(fold);
      if (fold_events[f] == 0) continue;
      const double per_event = fold_deviance[f][l] / fold_events[f];
      spread += fold_events[f] * (per_event - mean) * (per_event - mean);
    }
    cv.cv_deviance.push_back(mean);
    cv.cv_standard_error.push_back(std::sqrt(spread / total_events / std::max(1, folds - 1)));
  }
  cv.best = static_cast<std::size_t>(std::ranges::min_element(cv.cv_deviance) - cv.cv_deviance.begin());
  const double threshold = cv.cv_deviance[cv.best] + cv.cv_standard_error[cv.best];
  cv.one_se = cv.best;
  for (std::size_t l = 0; l < cv.best; ++l) {  // lambdas decrease along the path
    if (cv.cv_deviance[l] <= threshold) {
      cv.one_se = l;
      break;
    }
  }
  return cv;
}

Eigen::VectorXd breslow_score(const SurvivalData& data, const Eigen::VectorXd& beta) {
  validate_survival_data(data);
  const Eigen::VectorXd eta = data.covariates * beta;
  const WorkingQuantities working = breslow_working(data, time_groups(data), eta);
  return data.covariates.transpose() * working.gradient;
}

}  // namespace gliolens::survival
