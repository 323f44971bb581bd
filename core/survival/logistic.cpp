#include "core/survival/logistic.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/errors.hpp"
#include "core/survival/distributions.hpp"
#include "core/survival/elastic_net.hpp"
#include "core/survival/resampling.hpp"

namespace gliolens::survival {
namespace {

void validate(const Eigen::MatrixXd& x, std::span<const int> y, const std::vector<std::string>& names) {
  if (static_cast<std::size_t>(x.rows()) != y.size()) {
    throw InvalidInputError("logistic regression: " + std::to_string(x.rows()) + " covariate rows but " +
                            std::to_string(y.size()) + " outcomes");
  }
  if (names.size() != static_cast<std::size_t>(x.cols())) {
    throw InvalidInputError("logistic regression: " + std::to_string(x.cols()) + " covariates but " +
                            std::to_string(names.size()) + " names");
  }
  std::size_t positives = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (y[i] != 0 && y[i] != 1) {
      throw InvalidInputError("logistic regression: outcome of subject " + std::to_string(i + 1) + " is " +
                              std::to_string(y[i]) + "; use 0 or 1");
    }
    positives += static_cast<std::size_t>(y[i]);
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      if (!std::isfinite(x(static_cast<Eigen::Index>(i), j))) {
        throw InvalidInputError("logistic regression: covariate '" + names[static_cast<std::size_t>(j)] +
                                "' of subject " + std::to_string(i + 1) + " is missing; drop incomplete rows first");
      }
    }
  }
  if (positives == 0 || positives == y.size()) {
    throw InvalidInputError("logistic regression: every outcome is " + std::to_string(y.empty() ? 0 : y[0]) +
                            "; a classifier needs both classes");
  }
}

// Log-likelihood of 0/1 outcomes at linear predictors eta, computed without overflow.
double binomial_log_likelihood(const Eigen::VectorXd& eta, std::span<const int> y) {
  double sum = 0.0;
  for (Eigen::Index i = 0; i < eta.size(); ++i) {
    const double e = eta(i);
    const double log1p_exp = e > 0 ? e + std::log1p(std::exp(-e)) : std::log1p(std::exp(e));
    sum += y[static_cast<std::size_t>(i)] * e - log1p_exp;
  }
  return sum;
}

double sigmoid(double e) { return e >= 0 ? 1.0 / (1.0 + std::exp(-e)) : std::exp(e) / (1.0 + std::exp(e)); }

// Per-observation derivatives of the binomial log-likelihood in eta (the weights are exact here).
struct WorkingQuantities {
  double log_likelihood = 0.0;
  Eigen::VectorXd gradient;
  Eigen::VectorXd weight;
};

WorkingQuantities binomial_working(const Eigen::VectorXd& eta, std::span<const int> y) {
  WorkingQuantities working;
  working.gradient.resize(eta.size());
  working.weight.resize(eta.size());
  for (Eigen::Index i = 0; i < eta.size(); ++i) {
    const double p = sigmoid(eta(i));
    working.gradient(i) = y[static_cast<std::size_t>(i)] - p;
    working.weight(i) = p * (1.0 - p);
  }
  working.log_likelihood = binomial_log_likelihood(eta, y);
  return working;
}

void require_full_rank(const Eigen::MatrixXd& x, const std::vector<std::string>& names) {
  const Eigen::MatrixXd centred = x.rowwise() - x.colwise().mean();
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    if (centred.col(j).cwiseAbs().maxCoeff() == 0.0) {
      throw InvalidInputError("logistic regression: covariate '" + names[static_cast<std::size_t>(j)] +
                              "' is constant; remove it");
    }
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(centred.leftCols(j + 1) *
                                                   centred.leftCols(j + 1).colwise().norm().cwiseInverse().asDiagonal());
    qr.setThreshold(1e-10);
    if (qr.rank() < j + 1) {
      throw InvalidInputError("logistic regression: covariate '" + names[static_cast<std::size_t>(j)] +
                              "' is a linear combination of the covariates before it (collinear); remove it");
    }
  }
}

}  // namespace

Eigen::VectorXd logistic_probabilities(double intercept, const Eigen::VectorXd& coefficients,
                                       const Eigen::MatrixXd& covariates) {
  if (covariates.cols() != coefficients.size()) {
    throw InvalidInputError("logistic prediction: " + std::to_string(covariates.cols()) + " covariates for a model of " +
                            std::to_string(coefficients.size()));
  }
  const Eigen::VectorXd eta = (covariates * coefficients).array() + intercept;
  return eta.unaryExpr([](double e) { return sigmoid(e); });
}

LogisticFit fit_logistic(const Eigen::MatrixXd& covariates, std::span<const int> outcome,
                         std::vector<std::string> covariate_names, const LogisticOptions& options) {
  validate(covariates, outcome, covariate_names);
  if (options.l2_penalty == 0.0) require_full_rank(covariates, covariate_names);
  const Eigen::Index p = covariates.cols();
  const auto n = static_cast<double>(outcome.size());
  Eigen::MatrixXd design(covariates.rows(), p + 1);
  design << Eigen::VectorXd::Ones(covariates.rows()), covariates;
  Eigen::VectorXd penalty = Eigen::VectorXd::Constant(p + 1, options.l2_penalty);
  penalty(0) = 0.0;
  const Standardization scaling = standardization_of(covariates);
  Eigen::VectorXd max_beta(p + 1);
  max_beta(0) = std::numeric_limits<double>::infinity();
  for (Eigen::Index j = 0; j < p; ++j) max_beta(j + 1) = options.max_standardized_coefficient / std::max(scaling.scale(j), 1e-300);

  auto penalized_loglik = [&](const Eigen::VectorXd& theta) {
    return binomial_log_likelihood(design * theta, outcome) - 0.5 * theta.dot(penalty.asDiagonal() * theta);
  };
  LogisticFit fit;
  fit.covariate_names = std::move(covariate_names);
  const double prevalence = std::accumulate(outcome.begin(), outcome.end(), 0.0) / n;
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(p + 1);
  theta(0) = std::log(prevalence / (1.0 - prevalence));
  fit.null_deviance = -2.0 * binomial_log_likelihood(design * theta, outcome);
  double current = penalized_loglik(theta);
  Eigen::MatrixXd information;
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    fit.iterations = iteration;
    const WorkingQuantities working = binomial_working(design * theta, outcome);
    const Eigen::VectorXd gradient = design.transpose() * working.gradient - penalty.cwiseProduct(theta);
    information = design.transpose() * working.weight.asDiagonal() * design;
    information.diagonal() += penalty;
    Eigen::LDLT<Eigen::MatrixXd> ldlt(information);
    Eigen::VectorXd step = ldlt.solve(gradient);
    if (ldlt.info() != Eigen::Success || !step.allFinite()) break;
    Eigen::VectorXd candidate = (theta + step).cwiseMax(-max_beta).cwiseMin(max_beta);
    double next = penalized_loglik(candidate);
    for (int halving = 0; halving < 30 && !(next >= current); ++halving) {
      candidate = (candidate + theta) / 2.0;
      next = penalized_loglik(candidate);
    }
    const bool converged = std::abs(next - current) <= options.tolerance * (std::abs(next) + 0.1);
    theta = candidate;
    current = next;
    if (converged) {
      fit.converged = true;
      break;
    }
  }
  const WorkingQuantities final_working = binomial_working(design * theta, outcome);
  information = design.transpose() * final_working.weight.asDiagonal() * design;
  information.diagonal() += penalty;
  fit.intercept = theta(0);
  fit.coefficients = theta.tail(p);
  fit.deviance = -2.0 * final_working.log_likelihood;
  Eigen::LDLT<Eigen::MatrixXd> ldlt(information);
  fit.covariance = ldlt.solve(Eigen::MatrixXd::Identity(p + 1, p + 1));
  if (!fit.covariance.allFinite() || (fit.covariance.diagonal().array() <= 0).any()) {
    throw NumericalError("logistic regression: the information matrix cannot be inverted (perfect separation "
                         "with no penalty?); add an L2 penalty");
  }
  fit.intercept_standard_error = std::sqrt(fit.covariance(0, 0));
  fit.standard_errors = fit.covariance.diagonal().tail(p).cwiseSqrt();
  if (!fit.converged) fit.warnings.push_back("did not converge in " + std::to_string(options.max_iterations) + " iterations");
  const Eigen::VectorXd fitted = final_working.weight;
  if ((fitted.array() < 1e-10).any() || (theta.tail(p).cwiseAbs().array() >= max_beta.tail(p).array() * (1 - 1e-12)).any()) {
    fit.warnings.push_back("fitted probabilities numerically 0 or 1: the covariates (nearly) separate the classes, so "
                           "coefficients and standard errors are not meaningful; consider a penalty");
  }
  const double events = std::min(prevalence, 1 - prevalence) * n;
  if (events < 10.0 * static_cast<double>(p)) {
    fit.warnings.push_back("fewer than 10 subjects in the smaller class per covariate: estimates may be unstable");
  }
  return fit;
}

PenalizedLogisticPath fit_penalized_logistic_path(const Eigen::MatrixXd& covariates, std::span<const int> outcome,
                                                  std::vector<std::string> covariate_names,
                                                  const PenaltyOptions& options) {
  validate(covariates, outcome, covariate_names);
  if (!(options.alpha >= 0.0 && options.alpha <= 1.0)) {
    throw InvalidInputError("penalised logistic regression: alpha must lie in [0, 1]");
  }
  const Standardization scaling = standardization_of(covariates);
  // The intercept is coefficient 0 of the design, left unpenalised.
  Eigen::MatrixXd design(covariates.rows(), covariates.cols() + 1);
  design << Eigen::VectorXd::Ones(covariates.rows()), standardize(covariates, scaling);
  ElasticNetProblem problem;
  problem.observations = outcome.size();
  problem.penalty_factor = Eigen::VectorXd::Ones(design.cols());
  problem.penalty_factor(0) = 0.0;
  problem.quadratic = [&](const Eigen::VectorXd& b) {
    const WorkingQuantities working = binomial_working(design * b, outcome);
    return QuadraticModel{working.log_likelihood, design.transpose() * working.gradient,
                          design.transpose() * working.weight.asDiagonal() * design};
  };
  problem.log_likelihood = [&](const Eigen::VectorXd& b) { return binomial_log_likelihood(design * b, outcome); };
  ElasticNetSettings settings;
  settings.alpha = options.alpha;
  settings.tolerance = options.tolerance;
  const auto n = static_cast<double>(outcome.size());
  const double prevalence = std::accumulate(outcome.begin(), outcome.end(), 0.0) / n;
  ElasticNetSolution solution;
  solution.coefficients = Eigen::VectorXd::Zero(design.cols());
  solution.coefficients(0) = std::log(prevalence / (1.0 - prevalence));
  std::vector<double> lambdas = options.lambdas;
  if (lambdas.empty()) {
    const double ratio = options.lambda_min_ratio > 0.0 ? options.lambda_min_ratio
                         : outcome.size() > static_cast<std::size_t>(covariates.cols()) ? 1e-4 : 1e-2;
    lambdas = lambda_path(largest_useful_lambda(problem, options.alpha, solution.coefficients), ratio, options.path_length);
  }
  PenalizedLogisticPath path;
  path.covariate_names = std::move(covariate_names);
  for (const double lambda : lambdas) {
    solution = solve_elastic_net(problem, lambda, settings, solution);
    Eigen::VectorXd original = Eigen::VectorXd::Zero(covariates.cols());
    for (Eigen::Index j = 0; j < original.size(); ++j) {
      if (scaling.scale(j) > 0.0) original(j) = solution.coefficients(j + 1) / scaling.scale(j);
    }
    path.lambdas.push_back(lambda);
    path.intercepts.push_back(solution.coefficients(0) - original.dot(scaling.center));
    path.coefficients.push_back(original);
    path.nonzero.push_back(static_cast<int>((original.array() != 0.0).count()));
  }
  return path;
}

CrossValidatedLogistic cross_validate_penalized_logistic(const Eigen::MatrixXd& covariates, std::span<const int> outcome,
                                                         std::vector<std::string> covariate_names,
                                                         const PenaltyOptions& options, int folds,
                                                         std::mt19937_64& random) {
  CrossValidatedLogistic cv;
  cv.path = fit_penalized_logistic_path(covariates, outcome, covariate_names, options);
  cv.fold_of_subject = assign_folds(outcome.size(), folds, random, outcome);
  PenaltyOptions fixed = options;
  fixed.lambdas = cv.path.lambdas;
  const std::size_t lambda_count = cv.path.lambdas.size();
  std::vector<std::vector<double>> per_fold(static_cast<std::size_t>(folds));
  std::vector<double> fold_size(static_cast<std::size_t>(folds), 0.0);
  for (int fold = 0; fold < folds; ++fold) {
    std::vector<Eigen::Index> training;
    std::vector<Eigen::Index> held_out;
    for (std::size_t i = 0; i < outcome.size(); ++i) {
      (cv.fold_of_subject[i] == fold ? held_out : training).push_back(static_cast<Eigen::Index>(i));
    }
    std::vector<int> training_outcome;
    std::vector<int> held_outcome;
    for (const auto i : training) training_outcome.push_back(outcome[static_cast<std::size_t>(i)]);
    for (const auto i : held_out) held_outcome.push_back(outcome[static_cast<std::size_t>(i)]);
    const Eigen::MatrixXd training_x = covariates(training, Eigen::all);
    const Eigen::MatrixXd held_x = covariates(held_out, Eigen::all);
    const PenalizedLogisticPath fold_path = fit_penalized_logistic_path(training_x, training_outcome, covariate_names, fixed);
    fold_size[static_cast<std::size_t>(fold)] = static_cast<double>(held_out.size());
    for (std::size_t l = 0; l < lambda_count; ++l) {
      const Eigen::VectorXd eta = (held_x * fold_path.coefficients[l]).array() + fold_path.intercepts[l];
      per_fold[static_cast<std::size_t>(fold)].push_back(-2.0 * binomial_log_likelihood(eta, held_outcome) /
                                                         static_cast<double>(held_out.size()));
    }
  }
  const double total = std::accumulate(fold_size.begin(), fold_size.end(), 0.0);
  for (std::size_t l = 0; l < lambda_count; ++l) {
    double mean = 0.0;
    for (int f = 0; f < folds; ++f) mean += fold_size[static_cast<std::size_t>(f)] * per_fold[static_cast<std::size_t>(f)][l];
    mean /= total;
    double spread = 0.0;
    for (int f = 0; f < folds; ++f) {
      const double d = per_fold[static_cast<std::size_t>(f)][l] - mean;
      spread += fold_size[static_cast<std::size_t>(f)] * d * d;
    }
    cv.cv_deviance.push_back(mean);
    cv.cv_standard_error.push_back(std::sqrt(spread / total / std::max(1, folds - 1)));
  }
  cv.best = static_cast<std::size_t>(std::min_element(cv.cv_deviance.begin(), cv.cv_deviance.end()) - cv.cv_deviance.begin());
  cv.one_se = cv.best;
  for (std::size_t l = 0; l < cv.best; ++l) {
    if (cv.cv_deviance[l] <= cv.cv_deviance[cv.best] + cv.cv_standard_error[cv.best]) {
      cv.one_se = l;
      break;
    }
  }
  return cv;
}

AucEstimate area_under_curve(std::span<const double> score, std::span<const int> outcome, double confidence_level) {
  if (score.size() != outcome.size()) {
    throw InvalidInputError("AUC: " + std::to_string(score.size()) + " scores but " + std::to_string(outcome.size()) +
                            " outcomes");
  }
  std::vector<double> cases;
  std::vector<double> controls;
  for (std::size_t i = 0; i < score.size(); ++i) {
    if (!std::isfinite(score[i]) || (outcome[i] != 0 && outcome[i] != 1)) {
      throw InvalidInputError("AUC: subject " + std::to_string(i + 1) + " has a missing score or an outcome other than 0/1");
    }
    (outcome[i] == 1 ? cases : controls).push_back(score[i]);
  }
  if (cases.empty() || controls.empty()) {
    throw InvalidInputError("AUC: needs subjects of both classes (" + std::to_string(cases.size()) + " positive, " +
                            std::to_string(controls.size()) + " negative)");
  }
  // DeLong's placement values via sorting: O(n log n) instead of all pairs.
  std::vector<double> sorted_controls = controls;
  std::vector<double> sorted_cases = cases;
  std::sort(sorted_controls.begin(), sorted_controls.end());
  std::sort(sorted_cases.begin(), sorted_cases.end());
  auto placement = [](const std::vector<double>& sorted, double value) {
    const auto below = std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin();
    const auto not_above = std::upper_bound(sorted.begin(), sorted.end(), value) - sorted.begin();
    return (static_cast<double>(below) + 0.5 * static_cast<double>(not_above - below)) / static_cast<double>(sorted.size());
  };
  std::vector<double> case_placements;
  std::vector<double> control_placements;
  for (const double c : cases) case_placements.push_back(placement(sorted_controls, c));
  for (const double c : controls) control_placements.push_back(1.0 - placement(sorted_cases, c));
  auto mean_of = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); };
  auto variance_of = [&](const std::vector<double>& v) {
    if (v.size() < 2) return 0.0;
    const double m = mean_of(v);
    double s = 0.0;
    for (const double x : v) s += (x - m) * (x - m);
    return s / static_cast<double>(v.size() - 1);
  };
  AucEstimate estimate;
  estimate.auc = mean_of(case_placements);
  estimate.standard_error = std::sqrt(variance_of(case_placements) / static_cast<double>(cases.size()) +
                                      variance_of(control_placements) / static_cast<double>(controls.size()));
  const double z = normal_critical_value(confidence_level);
  estimate.lower = std::max(0.0, estimate.auc - z * estimate.standard_error);
  estimate.upper = std::min(1.0, estimate.auc + z * estimate.standard_error);
  return estimate;
}

}  // namespace gliolens::survival
