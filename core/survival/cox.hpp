// Cox proportional-hazards regression as R's coxph fits it: Newton-Raphson with step halving from
// beta = 0, Efron (default) or Breslow handling of tied event times, optional strata, covariates
// centred at their means. The baseline cumulative hazard follows survfit.coxph, so that S(t | x)
// and its confidence band agree with R.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "core/survival/survival_data.hpp"

namespace gliolens::survival {

enum class Ties { efron, breslow };
[[nodiscard]] const char* to_string(Ties ties);
[[nodiscard]] Ties ties_from_string(std::string_view name);  // "efron" | "breslow"

struct CoxOptions {
  Ties ties = Ties::efron;
  int max_iterations = 20;         // R's coxph.control(iter.max)
  double tolerance = 1e-9;         // relative change of the log-likelihood, R's eps
  // A covariate whose coefficient times its standard deviation exceeds this is treated as
  // diverging (monotone likelihood): hazard ratio e^25 per SD is beyond any real effect, and capping
  // keeps every exp() and every standard error finite.
  double max_standardized_coefficient = 25.0;
};

// The baseline of one stratum at each distinct time (event or censoring), for covariates at the
// fit's means: what survfit.coxph needs to give S(t | x) and its standard error.
struct StratumBaseline {
  int stratum = 0;
  std::vector<double> time;
  std::vector<int> at_risk;
  std::vector<int> events;
  std::vector<double> cumulative_hazard;
  std::vector<double> hazard_variance;  // cumulative sum of R's varhaz
  Eigen::MatrixXd weighted_mean_path;   // times x covariates: cumulative sum of xbar(t) dH0(t)
};

struct CoxFit {
  std::vector<std::string> covariate_names;
  Ties ties = Ties::efron;
  Eigen::VectorXd coefficients;
  Eigen::VectorXd standard_errors;
  Eigen::MatrixXd covariance;
  Eigen::VectorXd means;  // the centring of the linear predictor and of the baseline (centring_point)
  double log_likelihood_null = 0.0;
  double log_likelihood = 0.0;
  double likelihood_ratio_statistic = 0.0;
  double likelihood_ratio_p = 1.0;
  double wald_statistic = 0.0;
  double wald_p = 1.0;
  double score_statistic = 0.0;
  double score_p = 1.0;
  int iterations = 0;
  bool converged = false;
  std::size_t subjects = 0;
  std::size_t events = 0;
  std::vector<StratumBaseline> baseline;  // one per stratum, in increasing label order
  std::vector<std::string> warnings;      // separation, non-convergence, few events per covariate

  [[nodiscard]] std::size_t covariate_count() const { return static_cast<std::size_t>(coefficients.size()); }
};

// Where R's coxph centres each covariate: its mean, except 0 for a 0/1 indicator so that the
// baseline describes the reference category rather than an impossible "0.3 of a category".
[[nodiscard]] Eigen::VectorXd centring_point(const Eigen::MatrixXd& covariates);

// Fits the model. Throws InvalidInputError for data that cannot identify it (no or one event, all
// times equal, a constant or collinear covariate, missing values), each with a message saying which.
[[nodiscard]] CoxFit fit_cox(const SurvivalData& data, const CoxOptions& options = {});

// The model at given coefficients (e.g. chosen by a penalised fit): its log-likelihoods, means and
// baseline hazard for those coefficients. The covariance is left zero, since standard errors of a
// penalised estimate are not meaningful; S(t | x) bands then reflect the baseline's uncertainty only.
[[nodiscard]] CoxFit cox_fit_at(const SurvivalData& data, const Eigen::VectorXd& coefficients, Ties ties = Ties::efron);

struct CoxDerivatives {
  double log_likelihood = 0.0;
  Eigen::VectorXd score;        // gradient of the log partial likelihood
  Eigen::MatrixXd information;  // minus its Hessian
};

// The log partial likelihood and its derivatives at `beta` (covariates used as given, not centred;
// the value does not depend on centring). Exposed for cross-validation and tests.
[[nodiscard]] CoxDerivatives cox_derivatives(const SurvivalData& data, const Eigen::VectorXd& beta, Ties ties);

// The log partial likelihood for given linear predictors, O(n log n): cheap enough for
// cross-validation along a lambda path.
[[nodiscard]] double cox_log_likelihood(const SurvivalData& data, const Eigen::VectorXd& linear_predictor, Ties ties);

// (x - means) . beta: the risk score that the baseline is relative to.
[[nodiscard]] double linear_predictor(const CoxFit& fit, std::span<const double> covariates);
[[nodiscard]] Eigen::VectorXd linear_predictors(const CoxFit& fit, const Eigen::MatrixXd& covariates);

struct HazardRatio {
  double estimate = 1.0;
  double lower = 1.0;
  double upper = 1.0;
  double z = 0.0;
  double p_value = 1.0;
};
[[nodiscard]] std::vector<HazardRatio> hazard_ratios(const CoxFit& fit, double confidence_level = 0.95);

// S(t | x) at each baseline time of the subject's stratum, with R's standard error of the cumulative
// hazard and its log-transformed ("log", R's default) confidence band.
struct SurvivalCurve {
  std::vector<double> time;
  std::vector<double> survival;
  std::vector<double> cumulative_hazard;
  std::vector<double> standard_error;  // of the cumulative hazard
  std::vector<double> lower;
  std::vector<double> upper;
};

[[nodiscard]] SurvivalCurve predict_survival(const CoxFit& fit, std::span<const double> covariates,
                                             int stratum = 0, double confidence_level = 0.95);

// The first time the curve reaches 0.5 or below (R's rule: the midpoint when it sits exactly at 0.5
// over an interval); nullopt when it never does.
[[nodiscard]] std::optional<double> median_survival_time(std::span<const double> time,
                                                         std::span<const double> survival);

}  // namespace gliolens::survival
