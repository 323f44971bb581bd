// The elastic-net solver shared by penalised Cox and logistic regression, as glmnet does it:
// minimise -loglik(eta)/n + lambda * (alpha * |beta|_1 + (1 - alpha) / 2 * |beta|_2^2) over
// eta = intercept + X beta, by Newton outer steps whose quadratic model is solved by cyclic
// coordinate descent with soft-thresholding. Any loss fits that gives, per observation, the gradient
// of the log-likelihood with respect to eta and a (diagonal) weight.
#pragma once
#include <functional>

#include <Eigen/Dense>

namespace gliolens::survival {

struct WorkingQuantities {
  double log_likelihood = 0.0;
  Eigen::VectorXd gradient;  // d loglik / d eta_i
  Eigen::VectorXd weight;    // -d2 loglik / d eta_i^2 (diagonal approximation), >= 0
};

struct ElasticNetProblem {
  Eigen::MatrixXd x;  // standardised columns (mean 0, 1/n variance 1)
  bool has_intercept = false;
  std::function<WorkingQuantities(const Eigen::VectorXd& eta)> evaluate;
  std::function<double(const Eigen::VectorXd& eta)> log_likelihood;  // cheap, for step control
};

struct ElasticNetSolution {
  double intercept = 0.0;
  Eigen::VectorXd beta;
  double log_likelihood = 0.0;
  int outer_iterations = 0;
  bool converged = false;
};

struct ElasticNetSettings {
  double alpha = 1.0;       // 1 lasso, 0 ridge
  double tolerance = 1e-8;  // on the largest weighted squared coefficient change
  int max_outer_iterations = 100;
  int max_coordinate_passes = 10000;
};

// Solves at one lambda starting from `start` (warm start along a path).
[[nodiscard]] ElasticNetSolution solve_elastic_net(const ElasticNetProblem& problem, double lambda,
                                                   const ElasticNetSettings& settings, ElasticNetSolution start);

// The smallest lambda at which every coefficient is zero (for alpha < 0.001 glmnet's convention of
// using alpha = 0.001, since a pure ridge path has no such lambda).
[[nodiscard]] double largest_useful_lambda(const ElasticNetProblem& problem, double alpha,
                                           const ElasticNetSolution& null_solution);

// lambda_max down to lambda_max * min_ratio, evenly on the log scale.
[[nodiscard]] std::vector<double> lambda_path(double lambda_max, double min_ratio, int count);

struct Standardization {
  Eigen::VectorXd center;
  Eigen::VectorXd scale;  // 1/n standard deviation
};
[[nodiscard]] Standardization standardization_of(const Eigen::MatrixXd& x);
[[nodiscard]] Eigen::MatrixXd standardize(const Eigen::MatrixXd& x, const Standardization& s);

}  // namespace gliolens::survival
