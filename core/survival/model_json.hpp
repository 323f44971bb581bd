// The one model file format shared by fitting (CLI, research workflow) and prediction (app, CLI):
// features with their scaling, coefficients, the Cox baseline hazard, risk groups, a cohort
// summary and validation metrics. Written and read as JSON ("format": "gliolens-model", version 1).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Dense>

#include "core/survival/cox.hpp"
#include "core/common/json.hpp"
#include "core/survival/logistic.hpp"

namespace gliolens::survival {

enum class ModelKind { cox, logistic };

// What the model does to a feature's value before scaling. A volume or a length spans orders of magnitude
// across patients, and a linear term in it lets the largest tumours dominate; its logarithm does not, and
// the model can still read the feature under its own name (a PyRadiomics column, in mm^3).
enum class FeatureTransform { identity, log };  // JSON "transform": absent | "log"

// The model uses z = (t(x) - center) / scale for each feature, t its transform.
struct ModelFeature {
  std::string name;
  FeatureTransform transform = FeatureTransform::identity;
  double center = 0.0;
  double scale = 1.0;
  // The training cohort's range of t(x), so that an app can warn when a patient lies outside it.
  double cohort_mean = 0.0;
  double cohort_sd = 0.0;
  double cohort_min = 0.0;
  double cohort_max = 0.0;
};

struct ModelMetric {
  std::string name;       // e.g. "c_index_test", "auc_cv"
  double estimate = 0.0;
  std::optional<double> lower;
  std::optional<double> upper;
  std::string note;       // how it was obtained (held-out split, 10-fold CV, bootstrap 1000...)
};

struct CohortSummary {
  std::string source;     // data set and version
  std::string time_unit;  // "days", "months"
  std::size_t subjects = 0;
  std::size_t events = 0;  // Cox: events; logistic: positive class
  std::optional<double> median_follow_up;
};

struct SurvivalModel {
  ModelKind kind = ModelKind::cox;
  std::string name;
  std::string description;
  std::string outcome;  // "overall survival", "IDH mutation"...
  std::vector<ModelFeature> features;
  Eigen::VectorXd coefficients;  // on the scaled features
  double intercept = 0.0;        // logistic only
  Eigen::MatrixXd covariance;    // of the coefficients; may be zero (penalised fits)
  // Logistic only: [var(intercept), cov(intercept, coefficient_1..p)], in the same scaled-feature units, so
  // that a prediction's linear predictor has a standard error (the features' block alone misses the
  // intercept's share). JSON "intercept_covariance"; empty when unknown (files written before it existed).
  Eigen::VectorXd intercept_covariance;
  Ties ties = Ties::efron;
  std::vector<StratumBaseline> baseline;  // Cox only, in scaled-feature units
  // Risk groups by linear predictor: group k holds lp in [cutpoints[k-1], cutpoints[k]).
  std::vector<double> risk_group_cutpoints;
  std::vector<std::string> risk_group_labels;  // cutpoints.size() + 1 labels
  CohortSummary cohort;
  std::vector<ModelMetric> metrics;
  std::vector<std::string> warnings;
};

// Builds a model from a fit and the data it was fitted on (for the cohort's feature ranges).
[[nodiscard]] SurvivalModel model_from_cox(const CoxFit& fit, const SurvivalData& data);
[[nodiscard]] SurvivalModel model_from_logistic(const LogisticFit& fit, const Eigen::MatrixXd& covariates,
                                                std::span<const int> outcome);

[[nodiscard]] Json model_to_json_value(const SurvivalModel& model);
[[nodiscard]] std::string model_to_json(const SurvivalModel& model);  // indented
// Throws FormatError naming the field that is missing or malformed, or a version it cannot read.
[[nodiscard]] SurvivalModel model_from_json(std::string_view text);

struct ModelPrediction {
  double linear_predictor = 0.0;
  std::optional<double> probability;        // logistic
  // Logistic, when the model carries the full covariance: the standard error of the linear predictor by the
  // delta method and the probability's interval plogis(eta -/+ z se), as R's predict(glm, se.fit = TRUE).
  std::optional<double> linear_predictor_se;
  std::optional<double> probability_lower;
  std::optional<double> probability_upper;
  std::optional<std::string> risk_group;    // when the model defines groups
  std::optional<SurvivalCurve> survival;    // Cox: S(t | x) with its band
  std::optional<double> median_survival;    // Cox: nullopt when S stays above 0.5
  std::vector<std::string> warnings;        // features outside the training cohort's range
};

// Features by name; every model feature must be present and finite (InvalidInputError otherwise).
[[nodiscard]] ModelPrediction predict(const SurvivalModel& model, const std::map<std::string, double>& features,
                                      int stratum = 0, double confidence_level = 0.95);

}  // namespace gliolens::survival
