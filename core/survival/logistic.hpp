// Logistic regression for binary outcomes (IDH mutation, 1p/19q codeletion): maximum likelihood
// (optionally with an L2 penalty) by Newton-Raphson as R's glm, elastic net along a lambda path
// with cross-validated lambda as glmnet(family = "binomial"), and the AUC with DeLong's CI.
#pragma once
#include <random>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "core/survival/penalized.hpp"

namespace gliolens::survival {

struct LogisticOptions {
  double l2_penalty = 0.0;  // adds -l2_penalty / 2 * |beta|^2 to the log-likelihood; intercept free
  int max_iterations = 50;
  double tolerance = 1e-12;  // relative change of the deviance
  double max_standardized_coefficient = 25.0;  // as for Cox: keeps separated fits finite
};

struct LogisticFit {
  std::vector<std::string> covariate_names;
  double intercept = 0.0;
  Eigen::VectorXd coefficients;
  double intercept_standard_error = 0.0;
  Eigen::VectorXd standard_errors;
  Eigen::MatrixXd covariance;  // (1 + p) square, intercept first
  double deviance = 0.0;
  double null_deviance = 0.0;
  int iterations = 0;
  bool converged = false;
  std::vector<std::string> warnings;
};

// `outcome` is 0/1. Throws InvalidInputError for one-class outcomes, missing values, constant or
// collinear covariates (unpenalised fit); separation gives a warning and a finite fit.
[[nodiscard]] LogisticFit fit_logistic(const Eigen::MatrixXd& covariates, std::span<const int> outcome,
                                       std::vector<std::string> covariate_names, const LogisticOptions& options = {});

[[nodiscard]] Eigen::VectorXd logistic_probabilities(double intercept, const Eigen::VectorXd& coefficients,
                                                     const Eigen::MatrixXd& covariates);

struct PenalizedLogisticPath {
  std::vector<std::string> covariate_names;
  std::vector<double> lambdas;
  std::vector<double> intercepts;
  std::vector<Eigen::VectorXd> coefficients;  // original scale
  std::vector<int> nonzero;
};

[[nodiscard]] PenalizedLogisticPath fit_penalized_logistic_path(const Eigen::MatrixXd& covariates,
                                                                std::span<const int> outcome,
                                                                std::vector<std::string> covariate_names,
                                                                const PenaltyOptions& options = {});

struct CrossValidatedLogistic {
  PenalizedLogisticPath path;
  std::vector<double> cv_deviance;  // mean held-out binomial deviance per subject
  std::vector<double> cv_standard_error;
  std::size_t best = 0;
  std::size_t one_se = 0;
  std::vector<int> fold_of_subject;
};

[[nodiscard]] CrossValidatedLogistic cross_validate_penalized_logistic(const Eigen::MatrixXd& covariates,
                                                                       std::span<const int> outcome,
                                                                       std::vector<std::string> covariate_names,
                                                                       const PenaltyOptions& options, int folds,
                                                                       std::mt19937_64& random);

struct AucEstimate {
  double auc = 0.5;
  double standard_error = 0.0;  // DeLong et al. 1988
  double lower = 0.0;           // auc -/+ z * se, clipped to [0, 1] (as pROC)
  double upper = 1.0;
};

// Area under the ROC curve of `score` for the 0/1 `outcome` (ties count one half).
[[nodiscard]] AucEstimate area_under_curve(std::span<const double> score, std::span<const int> outcome,
                                           double confidence_level = 0.95);

}  // namespace gliolens::survival
