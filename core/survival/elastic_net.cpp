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

double penalty(const Eigen::VectorXd& b, const Eigen::VectorXd& factor, double lambda, double alpha) {
  return lambda * (alpha * factor.dot(b.cwiseAbs()) + 0.5 * (1.0 - alpha) * factor.dot(b.cwiseAbs2()));
}

// Minimises the penalised quadratic model around `center` by coordinate descent; `shift` holds
// information * (b - center) and is updated with each coefficient change in O(p).
Eigen::VectorXd minimise_quadratic(const ElasticNetProblem& problem, const QuadraticModel& model,
                                   const Eigen::VectorXd& center, double lambda, const ElasticNetSettings& settings) {
  const auto n = static_cast<double>(problem.observations);
  Eigen::VectorXd b = center;
  Eigen::VectorXd shift = Eigen::VectorXd::Zero(b.size());
  for (int pass = 0; pass < settings.max_coordinate_passes; ++pass) {
    double largest_change = 0.0;
    for (Eigen::Index j = 0; j < b.size(); ++j) {
      const double curvature = model.information(j, j) / n;
      const double l1 = lambda * settings.alpha * problem.penalty_factor(j);
      const double l2 = lambda * (1.0 - settings.alpha) * problem.penalty_factor(j);
      if (!(curvature + l2 > 0.0)) continue;  // a coefficient without information stays put
      const double slope = (model.score(j) - shift(j)) / n;  // of the model log-likelihood / n
      const double updated = soft_threshold(curvature * b(j) + slope, l1) / (curvature + l2);
      const double delta = updated - b(j);
      if (delta == 0.0) continue;
      b(j) = updated;
      shift += delta * model.information.col(j);
      largest_change = std::max(largest_change, curvature * delta * delta);
    }
    if (largest_change < settings.tolerance * settings.tolerance) break;  // i.e. steps below ~tolerance
  }
  return b;
}

}  // namespace

ElasticNetSolution solve_elastic_net(const ElasticNetProblem& problem, double lambda, const ElasticNetSettings& settings,
                                     ElasticNetSolution start) {
  const auto n = static_cast<double>(problem.observations);
  ElasticNetSolution current = std::move(start);
  auto objective = [&](const Eigen::VectorXd& b, double loglik) {
    return -loglik / n + penalty(b, problem.penalty_factor, lambda, settings.alpha);
  };
  current.log_likelihood = problem.log_likelihood(current.coefficients);
  current.converged = false;
  for (int outer = 1; outer <= settings.max_outer_iterations; ++outer) {
    current.outer_iterations = outer;
    const QuadraticModel model = problem.quadratic(current.coefficients);
    Eigen::VectorXd candidate = minimise_quadratic(problem, model, current.coefficients, lambda, settings);
    double candidate_loglik = problem.log_likelihood(candidate);
    const double current_objective = objective(current.coefficients, current.log_likelihood);
    for (int halving = 0; halving < 40 && !(objective(candidate, candidate_loglik) <= current_objective + 1e-15 * std::abs(current_objective));
         ++halving) {
      candidate = (candidate + current.coefficients) / 2.0;
      candidate_loglik = problem.log_likelihood(candidate);
    }
    const double change = (candidate - current.coefficients).cwiseAbs().maxCoeff();
    current.coefficients = std::move(candidate);
    current.log_likelihood = candidate_loglik;
    if (!std::isfinite(current.log_likelihood)) {
      throw NumericalError("elastic net: the log-likelihood became infinite at lambda " + std::to_string(lambda));
    }
    if (change < settings.tolerance) {
      current.converged = true;
      break;
    }
  }
  return current;
}

double largest_useful_lambda(const ElasticNetProblem& problem, double alpha, const Eigen::VectorXd& null_coefficients) {
  const QuadraticModel model = problem.quadratic(null_coefficients);
  const Eigen::VectorXd penalised_score = model.score.cwiseProduct(problem.penalty_factor);
  const double largest = penalised_score.cwiseAbs().maxCoeff() / static_cast<double>(problem.observations);
  // A hair above the exact value so that rounding cannot leave a 1e-17 coefficient at lambda_max.
  return largest / std::max(alpha, 1e-3) * (1.0 + 1e-9);
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
    if (s.scale(j) > 0.0) {
      result.col(j) /= s.scale(j);
    } else {
      result.col(j).setZero();
    }
  }
  return result;
}

}  // namespace gliolens::survival
