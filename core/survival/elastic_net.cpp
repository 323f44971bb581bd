#include "core/survival/elastic_net.hpp"

#include <cmath>

#include "core/errors.hpp"

namespace gliolens::survival {
namespace {

double soft_threshold(double value, double threshold) {
  if (value > threshold) return value - threshold;
  if (value < -threshold) return value + threshold;
  return 0.0;
}

double penalty(const Eigen::VectorXd& beta, double lambda, double alpha) {
  return lambda * (alpha * beta.lpNorm<1>() + 0.5 * (1.0 - alpha) * beta.squaredNorm());
}

// Coordinate descent on the quadratic model around the current point; `residual` holds
// g_i - w_i * (eta_i(new) - eta_i(current)) and is kept up to date.
void coordinate_descent(const ElasticNetProblem& problem, const WorkingQuantities& working, double lambda,
                        const ElasticNetSettings& settings, ElasticNetSolution& solution) {
  const auto n = static_cast<double>(problem.x.rows());
  Eigen::VectorXd residual = working.gradient;
  const Eigen::VectorXd curvature = (problem.x.array().square().colwise() * working.weight.array()).colwise().sum() / n;
  const double weight_sum = working.weight.sum() / n;
  for (int pass = 0; pass < settings.max_coordinate_passes; ++pass) {
    double largest_change = 0.0;
    if (problem.has_intercept && weight_sum > 0.0) {
      const double step = residual.sum() / n / weight_sum;
      solution.intercept += step;
      residual -= step * working.weight;
      largest_change = std::max(largest_change, weight_sum * step * step);
    }
    for (Eigen::Index j = 0; j < problem.x.cols(); ++j) {
      const double old = solution.beta(j);
      const double gradient = problem.x.col(j).dot(residual) / n;
      const double denominator = curvature(j) + lambda * (1.0 - settings.alpha);
      if (!(denominator > 0.0)) continue;  // a column without information stays at zero
      const double updated = soft_threshold(curvature(j) * old + gradient, lambda * settings.alpha) / denominator;
      if (updated == old) continue;
      solution.beta(j) = updated;
      residual -= (updated - old) * problem.x.col(j).cwiseProduct(working.weight);
      largest_change = std::max(largest_change, curvature(j) * (updated - old) * (updated - old));
    }
    if (largest_change < settings.tolerance) return;
  }
}

}  // namespace

ElasticNetSolution solve_elastic_net(const ElasticNetProblem& problem, double lambda, const ElasticNetSettings& settings,
                                     ElasticNetSolution start) {
  const auto n = static_cast<double>(problem.x.rows());
  ElasticNetSolution current = std::move(start);
  if (current.beta.size() != problem.x.cols()) current.beta = Eigen::VectorXd::Zero(problem.x.cols());
  auto eta_of = [&](const ElasticNetSolution& s) -> Eigen::VectorXd {
    return (problem.x * s.beta).array() + s.intercept;
  };
  auto objective = [&](const ElasticNetSolution& s, double loglik) { return -loglik / n + penalty(s.beta, lambda, settings.alpha); };
  WorkingQuantities working = problem.evaluate(eta_of(current));
  current.log_likelihood = working.log_likelihood;
  current.converged = false;
  for (int outer = 1; outer <= settings.max_outer_iterations; ++outer) {
    current.outer_iterations = outer;
    ElasticNetSolution candidate = current;
    coordinate_descent(problem, working, lambda, settings, candidate);
    candidate.log_likelihood = problem.log_likelihood(eta_of(candidate));
    // The diagonal quadratic model can overshoot; halve back toward the current point until the
    // penalised objective does not increase (glmnet relies on the same safeguard for Cox).
    for (int halving = 0; halving < 30 && objective(candidate, candidate.log_likelihood) >
                                               objective(current, current.log_likelihood) + 1e-12;
         ++halving) {
      candidate.beta = (candidate.beta + current.beta) / 2.0;
      candidate.intercept = (candidate.intercept + current.intercept) / 2.0;
      candidate.log_likelihood = problem.log_likelihood(eta_of(candidate));
    }
    const double change = (candidate.beta - current.beta).cwiseAbs().maxCoeff() +
                          std::abs(candidate.intercept - current.intercept);
    current = std::move(candidate);
    if (!std::isfinite(current.log_likelihood)) {
      throw NumericalError("elastic net: the log-likelihood became infinite at lambda " + std::to_string(lambda));
    }
    if (change < std::sqrt(settings.tolerance) * 1e-2) {
      current.converged = true;
      break;
    }
    working = problem.evaluate(eta_of(current));
  }
  return current;
}

double largest_useful_lambda(const ElasticNetProblem& problem, double alpha, const ElasticNetSolution& null_solution) {
  const Eigen::VectorXd eta = Eigen::VectorXd::Constant(problem.x.rows(), null_solution.intercept);
  const WorkingQuantities working = problem.evaluate(eta);
  const double largest_gradient =
      (problem.x.transpose() * working.gradient).cwiseAbs().maxCoeff() / static_cast<double>(problem.x.rows());
  // A hair above the exact value so that rounding cannot leave a 1e-17 coefficient at lambda_max.
  return largest_gradient / std::max(alpha, 1e-3) * (1.0 + 1e-9);
}

std::vector<double> lambda_path(double lambda_max, double min_ratio, int count) {
  if (count < 1 || !(min_ratio > 0.0 && min_ratio < 1.0) || !(lambda_max > 0.0)) {
    throw InvalidInputError("lambda path: needs count >= 1, 0 < min_ratio < 1 and a positive largest lambda (is "
                            "every covariate constant, or are there no events?)");
  }
  std::vector<double> path;
  for (int k = 0; k < count; ++k) {
    const double fraction = count == 1 ? 0.0 : static_cast<double>(k) / (count - 1);
    path.push_back(lambda_max * std::pow(min_ratio, fraction));
  }
  return path;
}

Standardization standardization_of(const Eigen::MatrixXd& x) {
  Standardization s;
  s.center = x.colwise().mean().transpose();
  const Eigen::MatrixXd centred = x.rowwise() - s.center.transpose();
  s.scale = (centred.colwise().squaredNorm() / static_cast<double>(x.rows())).cwiseSqrt().transpose();
  return s;
}

Eigen::MatrixXd standardize(const Eigen::MatrixXd& x, const Standardization& s) {
  Eigen::MatrixXd result = x.rowwise() - s.center.transpose();
  for (Eigen::Index j = 0; j < result.cols(); ++j) {
    if (s.scale(j) > 0.0) result.col(j) /= s.scale(j);
  }
  return result;
}

}  // namespace gliolens::survival
