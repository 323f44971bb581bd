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
  SurvivalData standardized = data;
  standardized.covariates = standardize(data.covariates, scaling);
  ElasticNetProblem problem;
  problem.observations = data.size();
  problem.penalty_factor = Eigen::VectorXd::Ones(standardized.covariates.cols());
  problem.quadratic = [&](const Eigen::VectorXd& b) {
    CoxDerivatives d = cox_derivatives(standardized, b, options.ties);
    return QuadraticModel{d.log_likelihood, std::move(d.score), std::move(d.information)};
  };
  problem.log_likelihood = [&](const Eigen::VectorXd& b) {
    return cox_log_likelihood(standardized, standardized.covariates * b, options.ties);
  };
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
    const double lambda_max = largest_useful_lambda(problem, options.alpha, Eigen::VectorXd::Zero(problem.penalty_factor.size()));
    const double ratio = options.lambda_min_ratio > 0.0 ? options.lambda_min_ratio
                         : data.size() > data.covariate_count() ? 1e-4 : 1e-2;
    lambdas = lambda_path(lambda_max, ratio, options.path_length);
  }
  ElasticNetSolution solution;
  solution.coefficients = Eigen::VectorXd::Zero(problem.penalty_factor.size());
  for (const double lambda : lambdas) {
    solution = solve_elastic_net(problem, lambda, settings, solution);
    if (!solution.converged) {
      path.warnings.push_back("did not converge at lambda " + std::to_string(lambda));
    }
    Eigen::VectorXd original = Eigen::VectorXd::Zero(solution.coefficients.size());
    for (Eigen::Index j = 0; j < original.size(); ++j) {
      if (scaling.scale(j) > 0.0) original(j) = solution.coefficients(j) / scaling.scale(j);
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
      const double full = cox_log_likelihood(data, eta_all, options.ties);
      const double train = cox_log_likelihood(training_data, eta_training, options.ties);
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
  cv.best = static_cast<std::size_t>(std::min_element(cv.cv_deviance.begin(), cv.cv_deviance.end()) - cv.cv_deviance.begin());
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

}  // namespace gliolens::survival
