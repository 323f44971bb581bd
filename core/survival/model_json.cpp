#include "core/survival/model_json.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"
#include "core/survival/distributions.hpp"
#include "core/survival/kaplan_meier.hpp"

namespace gliolens::survival {
namespace {

constexpr const char* format_name = "gliolens-model";
constexpr int format_version = 1;

std::vector<ModelFeature> features_of(const Eigen::MatrixXd& x, const std::vector<std::string>& names,
                                      const Eigen::VectorXd& centers) {
  std::vector<ModelFeature> features;
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    ModelFeature feature;
    feature.name = names[static_cast<std::size_t>(j)];
    feature.center = centers(j);
    feature.cohort_mean = x.col(j).mean();
    feature.cohort_sd = x.rows() > 1 ? std::sqrt((x.col(j).array() - feature.cohort_mean).square().sum() /
                                                 static_cast<double>(x.rows() - 1))
                                     : 0.0;
    feature.cohort_min = x.col(j).minCoeff();
    feature.cohort_max = x.col(j).maxCoeff();
    features.push_back(feature);
  }
  return features;
}

Json vector_json(const Eigen::VectorXd& v) { return to_json_array(std::vector<double>(v.data(), v.data() + v.size())); }

Json matrix_json(const Eigen::MatrixXd& m) {  // row by row
  Json::Array rows;
  for (Eigen::Index r = 0; r < m.rows(); ++r) rows.push_back(vector_json(m.row(r).transpose()));
  return Json(std::move(rows));
}

Eigen::VectorXd vector_from(const Json& json, std::string_view context) {
  const auto values = numbers_from_json(json, context);
  return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

Eigen::MatrixXd matrix_from(const Json& json, std::string_view context, Eigen::Index columns) {
  const auto& rows = json.as_array(context);
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.size()), columns);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const Eigen::VectorXd row = vector_from(rows[r], context);
    if (row.size() != columns) throw FormatError("model JSON: a row of '" + std::string(context) + "' has the wrong length");
    m.row(static_cast<Eigen::Index>(r)) = row.transpose();
  }
  return m;
}

Json baseline_json(const StratumBaseline& b) {
  Json json;
  json.set("stratum", b.stratum);
  json.set("time", to_json_array(b.time));
  json.set("at_risk", to_json_array(std::vector<double>(b.at_risk.begin(), b.at_risk.end())));
  json.set("events", to_json_array(std::vector<double>(b.events.begin(), b.events.end())));
  json.set("cumulative_hazard", to_json_array(b.cumulative_hazard));
  json.set("hazard_variance", to_json_array(b.hazard_variance));
  // One array per feature (column), the natural unit when reading the file.
  Json::Array columns;
  for (Eigen::Index j = 0; j < b.weighted_mean_path.cols(); ++j) columns.push_back(vector_json(b.weighted_mean_path.col(j)));
  json.set("weighted_mean_path", Json(std::move(columns)));
  return json;
}

StratumBaseline baseline_from(const Json& json, Eigen::Index feature_count) {
  StratumBaseline b;
  b.stratum = static_cast<int>(json.at("stratum").as_number("baseline.stratum"));
  b.time = numbers_from_json(json.at("time"), "baseline.time");
  for (const double v : numbers_from_json(json.at("at_risk"), "baseline.at_risk")) b.at_risk.push_back(static_cast<int>(v));
  for (const double v : numbers_from_json(json.at("events"), "baseline.events")) b.events.push_back(static_cast<int>(v));
  b.cumulative_hazard = numbers_from_json(json.at("cumulative_hazard"), "baseline.cumulative_hazard");
  b.hazard_variance = numbers_from_json(json.at("hazard_variance"), "baseline.hazard_variance");
  const auto& columns = json.at("weighted_mean_path").as_array("baseline.weighted_mean_path");
  const std::size_t times = b.time.size();
  if (b.cumulative_hazard.size() != times || b.hazard_variance.size() != times || b.at_risk.size() != times ||
      b.events.size() != times || columns.size() != static_cast<std::size_t>(feature_count)) {
    throw FormatError("model JSON: the baseline arrays of stratum " + std::to_string(b.stratum) + " differ in length");
  }
  b.weighted_mean_path.resize(static_cast<Eigen::Index>(times), feature_count);
  for (Eigen::Index j = 0; j < feature_count; ++j) {
    const Eigen::VectorXd column = vector_from(columns[static_cast<std::size_t>(j)], "baseline.weighted_mean_path");
    if (static_cast<std::size_t>(column.size()) != times) throw FormatError("model JSON: a weighted_mean_path column has the wrong length");
    b.weighted_mean_path.col(j) = column;
  }
  return b;
}

Json metric_json(const ModelMetric& m) {
  Json json;
  json.set("name", m.name);
  json.set("estimate", m.estimate);
  if (m.lower) json.set("lower", *m.lower);
  if (m.upper) json.set("upper", *m.upper);
  if (!m.note.empty()) json.set("note", m.note);
  return json;
}

std::vector<std::string> strings_from(const Json& json, std::string_view context) {
  std::vector<std::string> values;
  for (const Json& item : json.as_array(context)) values.push_back(item.as_string(context));
  return values;
}

Json strings_json(const std::vector<std::string>& values) {
  Json::Array array;
  for (const auto& v : values) array.emplace_back(v);
  return Json(std::move(array));
}

// The Cox fit that the model describes, in scaled-feature units, so predict_survival can serve it.
CoxFit as_cox_fit(const SurvivalModel& model) {
  CoxFit fit;
  for (const auto& feature : model.features) fit.covariate_names.push_back(feature.name);
  fit.ties = model.ties;
  fit.coefficients = model.coefficients;
  fit.covariance = model.covariance;
  fit.standard_errors = model.covariance.diagonal().cwiseMax(0.0).cwiseSqrt();
  fit.means = Eigen::VectorXd::Zero(model.coefficients.size());  // features arrive already scaled
  fit.baseline = model.baseline;
  return fit;
}

double inverse_logit(double eta) { return eta >= 0 ? 1.0 / (1.0 + std::exp(-eta)) : std::exp(eta) / (1.0 + std::exp(eta)); }

// se(eta) for eta = intercept + z'beta: sqrt([1 z]' V [1 z]) with V the covariance of (intercept, beta).
// None when the file lacks the intercept's row (older files) or V is all zero (nothing is known).
std::optional<double> logistic_linear_predictor_se(const SurvivalModel& model, const std::vector<double>& scaled) {
  const Eigen::Index p = model.coefficients.size();
  if (model.intercept_covariance.size() != p + 1 || model.covariance.rows() != p) return std::nullopt;
  if (model.intercept_covariance.isZero(0.0) && model.covariance.isZero(0.0)) return std::nullopt;
  const Eigen::Map<const Eigen::VectorXd> z(scaled.data(), p);
  const double variance = model.intercept_covariance(0) + 2.0 * model.intercept_covariance.tail(p).dot(z) +
                          z.dot(model.covariance * z);
  return std::sqrt(std::max(variance, 0.0));
}

}  // namespace

SurvivalModel model_from_cox(const CoxFit& fit, const SurvivalData& data) {
  SurvivalModel model;
  model.kind = ModelKind::cox;
  model.outcome = "survival";
  model.features = features_of(data.covariates, fit.covariate_names, fit.means);
  model.coefficients = fit.coefficients;
  model.covariance = fit.covariance;
  model.ties = fit.ties;
  model.baseline = fit.baseline;
  model.cohort.subjects = fit.subjects;
  model.cohort.events = fit.events;
  // Reverse Kaplan-Meier (censoring as the event) gives the median follow-up.
  std::vector<int> censored(data.event.size());
  std::transform(data.event.begin(), data.event.end(), censored.begin(), [](int e) { return 1 - e; });
  model.cohort.median_follow_up = kaplan_meier(data.time, censored).median;
  model.warnings = fit.warnings;
  return model;
}

SurvivalModel model_from_logistic(const LogisticFit& fit, const Eigen::MatrixXd& covariates, std::span<const int> outcome) {
  SurvivalModel model;
  model.kind = ModelKind::logistic;
  model.outcome = "binary";
  model.features = features_of(covariates, fit.covariate_names, Eigen::VectorXd::Zero(covariates.cols()));
  model.coefficients = fit.coefficients;
  model.intercept = fit.intercept;
  model.covariance = fit.covariance.bottomRightCorner(fit.coefficients.size(), fit.coefficients.size());
  model.intercept_covariance = fit.covariance.col(0);
  model.cohort.subjects = outcome.size();
  model.cohort.events = static_cast<std::size_t>(std::count(outcome.begin(), outcome.end(), 1));
  model.warnings = fit.warnings;
  return model;
}

Json model_to_json_value(const SurvivalModel& model) {
  Json json;
  json.set("format", format_name);
  json.set("version", format_version);
  json.set("kind", model.kind == ModelKind::cox ? "cox" : "logistic");
  json.set("name", model.name);
  json.set("description", model.description);
  json.set("outcome", model.outcome);
  Json::Array features;
  for (const auto& f : model.features) {
    Json feature;
    feature.set("name", f.name);
    if (f.transform == FeatureTransform::log) feature.set("transform", "log");
    feature.set("center", f.center);
    feature.set("scale", f.scale);
    feature.set("cohort_mean", f.cohort_mean);
    feature.set("cohort_sd", f.cohort_sd);
    feature.set("cohort_min", f.cohort_min);
    feature.set("cohort_max", f.cohort_max);
    features.push_back(std::move(feature));
  }
  json.set("features", Json(std::move(features)));
  json.set("coefficients", vector_json(model.coefficients));
  if (model.kind == ModelKind::logistic) json.set("intercept", model.intercept);
  json.set("covariance", matrix_json(model.covariance));
  if (model.kind == ModelKind::logistic && model.intercept_covariance.size() == model.coefficients.size() + 1) {
    json.set("intercept_covariance", vector_json(model.intercept_covariance));
  }
  if (model.kind == ModelKind::cox) {
    json.set("ties", to_string(model.ties));
    Json::Array strata;
    for (const auto& b : model.baseline) strata.push_back(baseline_json(b));
    json.set("baseline", Json(std::move(strata)));
  }
  Json groups;
  groups.set("cutpoints", to_json_array(model.risk_group_cutpoints));
  groups.set("labels", strings_json(model.risk_group_labels));
  json.set("risk_groups", std::move(groups));
  Json cohort;
  cohort.set("source", model.cohort.source);
  cohort.set("time_unit", model.cohort.time_unit);
  cohort.set("subjects", model.cohort.subjects);
  cohort.set("events", model.cohort.events);
  cohort.set("median_follow_up", model.cohort.median_follow_up ? Json(*model.cohort.median_follow_up) : Json());
  json.set("cohort", std::move(cohort));
  Json::Array metrics;
  for (const auto& m : model.metrics) metrics.push_back(metric_json(m));
  json.set("metrics", Json(std::move(metrics)));
  json.set("warnings", strings_json(model.warnings));
  return json;
}

std::string model_to_json(const SurvivalModel& model) { return model_to_json_value(model).dump(2) + "\n"; }

SurvivalModel model_from_json(std::string_view text) {
  const Json json = parse_json(text);
  if (json.at("format").as_string("format") != format_name) {
    throw FormatError("model JSON: 'format' is not '" + std::string(format_name) + "'");
  }
  const int version = static_cast<int>(json.at("version").as_number("version"));
  if (version != format_version) {
    throw UnsupportedError("model JSON: version " + std::to_string(version) + "; this build reads version " +
                           std::to_string(format_version));
  }
  SurvivalModel model;
  const std::string& kind = json.at("kind").as_string("kind");
  if (kind != "cox" && kind != "logistic") throw FormatError("model JSON: 'kind' must be 'cox' or 'logistic'");
  model.kind = kind == "cox" ? ModelKind::cox : ModelKind::logistic;
  if (const Json* v = json.find("name")) model.name = v->as_string("name");
  if (const Json* v = json.find("description")) model.description = v->as_string("description");
  if (const Json* v = json.find("outcome")) model.outcome = v->as_string("outcome");
  for (const Json& f : json.at("features").as_array("features")) {
    ModelFeature feature;
    feature.name = f.at("name").as_string("features[].name");
    if (const Json* v = f.find("transform")) {
      const std::string& transform = v->as_string("features[].transform");
      if (transform != "log") {
        throw FormatError("model JSON: feature '" + feature.name + "' has transform '" + transform +
                          "'; the only transform is 'log'");
      }
      feature.transform = FeatureTransform::log;
    }
    feature.center = f.at("center").as_number("features[].center");
    feature.scale = f.at("scale").as_number("features[].scale");
    if (!(feature.scale > 0.0)) throw FormatError("model JSON: feature '" + feature.name + "' has a scale that is not positive");
    if (const Json* v = f.find("cohort_mean")) feature.cohort_mean = v->as_number("cohort_mean");
    if (const Json* v = f.find("cohort_sd")) feature.cohort_sd = v->as_number("cohort_sd");
    if (const Json* v = f.find("cohort_min")) feature.cohort_min = v->as_number("cohort_min");
    if (const Json* v = f.find("cohort_max")) feature.cohort_max = v->as_number("cohort_max");
    model.features.push_back(feature);
  }
  const auto p = static_cast<Eigen::Index>(model.features.size());
  model.coefficients = vector_from(json.at("coefficients"), "coefficients");
  if (model.coefficients.size() != p) throw FormatError("model JSON: the number of coefficients differs from the number of features");
  if (model.kind == ModelKind::logistic) model.intercept = json.at("intercept").as_number("intercept");
  model.covariance = Eigen::MatrixXd::Zero(p, p);
  if (const Json* v = json.find("covariance"); v != nullptr && !v->as_array("covariance").empty()) {
    model.covariance = matrix_from(*v, "covariance", p);
    if (model.covariance.rows() != p) throw FormatError("model JSON: the covariance is not features x features");
  }
  if (const Json* v = json.find("intercept_covariance"); v != nullptr && model.kind == ModelKind::logistic) {
    model.intercept_covariance = vector_from(*v, "intercept_covariance");
    if (model.intercept_covariance.size() != p + 1) {
      throw FormatError("model JSON: 'intercept_covariance' needs 1 + " + std::to_string(p) +
                        " values (the intercept's variance, then its covariance with each coefficient)");
    }
  }
  if (model.kind == ModelKind::cox) {
    model.ties = ties_from_string(json.at("ties").as_string("ties"));
    for (const Json& b : json.at("baseline").as_array("baseline")) model.baseline.push_back(baseline_from(b, p));
    if (model.baseline.empty()) throw FormatError("model JSON: a Cox model needs a baseline hazard");
  }
  if (const Json* groups = json.find("risk_groups")) {
    model.risk_group_cutpoints = numbers_from_json(groups->at("cutpoints"), "risk_groups.cutpoints");
    model.risk_group_labels = strings_from(groups->at("labels"), "risk_groups.labels");
    if (!model.risk_group_cutpoints.empty() && model.risk_group_labels.size() != model.risk_group_cutpoints.size() + 1) {
      throw FormatError("model JSON: risk groups need one more label than cutpoints");
    }
  }
  if (const Json* cohort = json.find("cohort")) {
    if (const Json* v = cohort->find("source")) model.cohort.source = v->as_string("cohort.source");
    if (const Json* v = cohort->find("time_unit")) model.cohort.time_unit = v->as_string("cohort.time_unit");
    if (const Json* v = cohort->find("subjects")) model.cohort.subjects = static_cast<std::size_t>(v->as_number("cohort.subjects"));
    if (const Json* v = cohort->find("events")) model.cohort.events = static_cast<std::size_t>(v->as_number("cohort.events"));
    if (const Json* v = cohort->find("median_follow_up"); v != nullptr && !v->is_null()) {
      model.cohort.median_follow_up = v->as_number("cohort.median_follow_up");
    }
  }
  if (const Json* metrics = json.find("metrics")) {
    for (const Json& m : metrics->as_array("metrics")) {
      ModelMetric metric;
      metric.name = m.at("name").as_string("metrics[].name");
      metric.estimate = m.at("estimate").as_number("metrics[].estimate");
      if (const Json* v = m.find("lower")) metric.lower = v->as_number("metrics[].lower");
      if (const Json* v = m.find("upper")) metric.upper = v->as_number("metrics[].upper");
      if (const Json* v = m.find("note")) metric.note = v->as_string("metrics[].note");
      model.metrics.push_back(metric);
    }
  }
  if (const Json* warnings = json.find("warnings")) model.warnings = strings_from(*warnings, "warnings");
  return model;
}

ModelPrediction predict(const SurvivalModel& model, const std::map<std::string, double>& features, int stratum,
                        double confidence_level) {
  ModelPrediction prediction;
  std::vector<double> scaled;
  for (const auto& feature : model.features) {
    const auto found = features.find(feature.name);
    if (found == features.end() || !std::isfinite(found->second)) {
      throw InvalidInputError("prediction: feature '" + feature.name + "' is missing; the model '" + model.name +
                              "' needs it");
    }
    double x = found->second;
    std::string shown = "feature '" + feature.name + "'";
    if (feature.transform == FeatureTransform::log) {
      if (!(x > 0.0)) {
        throw InvalidInputError("prediction: feature '" + feature.name + "' = " + std::to_string(x) +
                                " is not positive; the model '" + model.name + "' takes its logarithm");
      }
      x = std::log(x);
      shown = "log(" + feature.name + ")";
    }
    if (feature.cohort_max > feature.cohort_min && (x < feature.cohort_min || x > feature.cohort_max)) {
      prediction.warnings.push_back(shown + " = " + std::to_string(x) +
                                    " lies outside the training cohort's range [" + std::to_string(feature.cohort_min) +
                                    ", " + std::to_string(feature.cohort_max) + "]: the prediction is an extrapolation");
    }
    scaled.push_back((x - feature.center) / feature.scale);
  }
  prediction.linear_predictor = Eigen::Map<const Eigen::VectorXd>(scaled.data(), static_cast<Eigen::Index>(scaled.size()))
                                    .dot(model.coefficients) + model.intercept;
  if (!model.risk_group_cutpoints.empty()) {
    const auto group = std::upper_bound(model.risk_group_cutpoints.begin(), model.risk_group_cutpoints.end(),
                                          prediction.linear_predictor) -
                       model.risk_group_cutpoints.begin();
    prediction.risk_group = model.risk_group_labels.at(static_cast<std::size_t>(group));
  }
  if (model.kind == ModelKind::logistic) {
    const double eta = prediction.linear_predictor;
    prediction.probability = inverse_logit(eta);
    if (const auto se = logistic_linear_predictor_se(model, scaled)) {
      const double z = normal_critical_value(confidence_level);
      prediction.linear_predictor_se = *se;
      prediction.probability_lower = inverse_logit(eta - z * *se);
      prediction.probability_upper = inverse_logit(eta + z * *se);
    }
    return prediction;
  }
  prediction.survival = predict_survival(as_cox_fit(model), scaled, stratum, confidence_level);
  prediction.median_survival = median_survival_time(prediction.survival->time, prediction.survival->survival);
  return prediction;
}

}  // namespace gliolens::survival
