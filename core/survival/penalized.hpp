// L2 and elastic-net penalised Cox regression along a lambda path, with k-fold cross-validated
// lambda, as glmnet(family = "cox") does it: Breslow ties by default, standardised covariates,
// coefficients reported on the original scale, CV by the grouped partial-likelihood deviance.
#pragma once
#include <random>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "core/survival/cox.hpp"
#include "core/survival/survival_data.hpp"

namespace gliolens::survival {

struct PenaltyOptions {
  double alpha = 1.0;              // 1 lasso, 0 ridge (L2), in between elastic net
  std::vector<double> lambdas;     // empty: a path from the largest useful lambda down
  int path_length = 100;
  double lambda_min_ratio = 0.0;   // 0: glmnet's default, 1e-4 (n > p) or 1e-2 (n <= p)
  double tolerance = 1e-9;
  Ties ties = Ties::breslow;       // glmnet's choice; Efron also works
};

struct PenalizedCoxPath {
  std::vector<std::string> covariate_names;
  std::vector<double> lambdas;
  std::vector<Eigen::VectorXd> coefficients;  // original covariate scale, one per lambda
  std::vector<double> log_likelihoods;        // partial log-likelihood at each lambda
  std::vector<int> nonzero;
  std::vector<std::string> warnings;
};

[[nodiscard]] PenalizedCoxPath fit_penalized_cox_path(const SurvivalData& data, const PenaltyOptions& options = {});

struct CrossValidatedCox {
  PenalizedCoxPath path;  // on all the data
  std::vector<double> cv_deviance;
  std::vector<double> cv_standard_error;
  std::size_t best = 0;     // index of lambda.min
  std::size_t one_se = 0;   // index of lambda.1se: the largest lambda within one SE of the best
  std::vector<int> fold_of_subject;
  [[nodiscard]] double lambda_min() const { return path.lambdas[best]; }
  [[nodiscard]] double lambda_1se() const { return path.lambdas[one_se]; }
  [[nodiscard]] const Eigen::VectorXd& coefficients_min() const { return path.coefficients[best]; }
  [[nodiscard]] const Eigen::VectorXd& coefficients_1se() const { return path.coefficients[one_se]; }
};

// The generator is passed in so that a seed reproduces the folds.
[[nodiscard]] CrossValidatedCox cross_validate_penalized_cox(const SurvivalData& data, const PenaltyOptions& options,
                                                             int folds, std::mt19937_64& random);

}  // namespace gliolens::survival
