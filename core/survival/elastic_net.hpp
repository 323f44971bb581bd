// The elastic-net solver shared by penalised Cox and logistic regression: minimise
// -loglik(b) / n + lambda * sum_j f_j (alpha |b_j| + (1 - alpha) / 2 b_j^2) over standardised
// coefficients b (f_j = 0 leaves a coefficient such as an intercept unpenalised). Proximal Newton:
// each outer step builds the exact quadratic model of the log-likelihood (score and information)
// and minimises it with the penalty by cyclic coordinate descent with soft-thresholding, then
// halves the step if the penalised objective did not decrease. The exact information (rather than
// glmnet's diagonal approximation for Cox) makes the outer iterations converge quadratically.
#pragma once
#include <functional>
#include <vector>

#include <Eigen/Dense>

namespace gliolens::survival {

struct QuadraticModel {
  double log_likelihood = 0.0;
  Eigen::VectorXd score;        // gradient of the log-likelihood in b
  Eigen::MatrixXd information;  // minus its Hessian
};

struct ElasticNetProblem {
  std::size_t observations = 0;   // n in the objective's -loglik / n
  Eigen::VectorXd penalty_factor;  // one per coefficient: 1 penalised, 0 free
  std::function<QuadraticModel(const Eigen::VectorXd& b)> quadratic;
  std::function<double(const Eigen::VectorXd& b)> log_likelihood;  // cheap, for step control
};

struct ElasticNetSolution {
  Eigen::VectorXd coefficients;
  double log_likelihood = 0.0;
  int outer_iterations = 0;
  bool converged = false;
};

struct ElasticNetSettings {
  double alpha = 1.0;       // 1 lasso, 0 ridge
  double tolerance = 1e-9;  // on the largest coefficient change of an outer step
  int max_outer_iterations = 50;
  int max_coordinate_passes = 100000;
};

// Solves at one lambda starting from `start` (warm start along a path).
[[nodiscard]] ElasticNetSolution solve_elastic_net(const ElasticNetProblem& problem, double lambda,
                                                   const ElasticNetSettings& settings, ElasticNetSolution start);

// The smallest lambda at which every penalised coefficient is zero, given the solution with only
// the free coefficients fitted (for alpha < 0.001 glmnet's convention of alpha = 0.001, since a
// pure ridge path has no such lambda).
[[nodiscard]] double largest_useful_lambda(const ElasticNetProblem& problem, double alpha,
                                           const Eigen::VectorXd& null_coefficients);

// lambda_max down to lambda_max * min_ratio, evenly on the log scale.
[[nodiscard]] std::vector<double> lambda_path(double lambda_max, double min_ratio, int count);

struct Standardization {
  Eigen::VectorXd center;
  Eigen::VectorXd scale;  // 1/n standard deviation
};
[[nodiscard]] Standardization standardization_of(const Eigen::MatrixXd& x);
// Constant columns (scale 0) become zero columns.
[[nodiscard]] Eigen::MatrixXd standardize(const Eigen::MatrixXd& x, const Standardization& s);

}  // namespace gliolens::survival
