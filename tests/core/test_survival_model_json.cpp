// The model file: a Cox or logistic fit survives the JSON round trip and predicts exactly as the
// fit (and so as R), and malformed files fail with a message naming the problem.
#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/common/json.hpp"
#include "core/survival/model_json.hpp"
#include "core/survival/penalized.hpp"
#include "core/survival/workflow.hpp"
#include "survival_test_support.hpp"

using gliolens::Json;
using gliolens::parse_json;
using namespace gliolens::survival;
using namespace gliolens::survival::testing;

namespace {

SurvivalData lung(std::vector<std::string> covariates, std::optional<std::string> strata = std::nullopt) {
  return select_survival_data(reference_table("data_lung.csv"), {"time", "event", std::move(covariates), std::move(strata)}).data;
}

std::map<std::string, double> first_subject(const SurvivalData& data) {
  std::map<std::string, double> features;
  for (std::size_t j = 0; j < data.covariate_count(); ++j) features[data.covariate_names[j]] = data.covariates(0, static_cast<Eigen::Index>(j));
  return features;
}

}  // namespace

TEST_CASE("JSON values round-trip and malformed text fails clearly", "[survival][json]") {
  const Json value = parse_json(R"({"a": [1, 2.5e-3, -0.1], "b": {"c": "x\"y\u00e9"}, "d": null, "e": true})");
  CHECK(value.at("a").as_array().size() == 3);
  CHECK(value.at("a").as_array()[1].as_number() == 2.5e-3);
  CHECK(value.at("b").at("c").as_string() == "x\"y\xC3\xA9");
  CHECK(parse_json(value.dump()).dump() == value.dump());
  CHECK(parse_json(value.dump(2)).dump() == value.dump());
  const double awkward = 0.1 + 0.2;
  CHECK(parse_json(Json(awkward).dump()).as_number() == awkward);  // shortest round-trip text
  CHECK_THROWS_WITH(parse_json("{\"a\": [1, 2}"), Catch::Contains("at byte"));
  CHECK_THROWS_AS(parse_json("[1] x"), gliolens::FormatError);
  CHECK_THROWS_WITH(value.at("missing"), Catch::Contains("'missing' is missing"));
  CHECK_THROWS_WITH(value.at("a").as_string("a"), Catch::Contains("a should be a string"));
  CHECK_THROWS_AS(Json(std::nan("")).dump(), gliolens::InvalidInputError);
}

TEST_CASE("A Cox model predicts the same from its JSON file as from the fit", "[survival][model]") {
  const SurvivalData data = lung({"age", "sex", "ph_ecog", "wt_loss"});
  const CoxFit fit = fit_cox(data);
  SurvivalModel model = model_from_cox(fit, data);
  model.name = "lung test";
  model.cohort.time_unit = "days";
  model.risk_group_cutpoints = {0.0};
  model.risk_group_labels = {"low", "high"};
  model.metrics.push_back({"c_index_train", 0.647, 0.6, 0.69, "bootstrap 200"});
  const std::string text = model_to_json(model);
  const SurvivalModel loaded = model_from_json(text);
  CHECK(model_to_json(loaded) == text);
  CHECK(loaded.cohort.median_follow_up.has_value());

  const auto features = first_subject(data);
  const ModelPrediction prediction = predict(loaded, features);
  const Eigen::VectorXd x = data.covariates.row(0).transpose();
  const SurvivalCurve direct = predict_survival(fit, std::span<const double>(x.data(), 4));
  REQUIRE(prediction.survival.has_value());
  REQUIRE(prediction.survival->survival.size() == direct.survival.size());
  for (std::size_t k = 0; k < direct.survival.size(); ++k) {
    CHECK(prediction.survival->survival[k] == Approx(direct.survival[k]).epsilon(1e-14));
    CHECK(prediction.survival->lower[k] == Approx(direct.lower[k]).epsilon(1e-12));
    CHECK(prediction.survival->upper[k] == Approx(direct.upper[k]).epsilon(1e-12));
  }
  // ... and so agrees with R's survfit(fit, newdata = first row).
  const auto r_curve = reference_table("cox_lung_efron_curve.csv").numeric_column("surv");
  CHECK(prediction.survival->survival.front() == Approx(r_curve.front()).epsilon(1e-9));
  CHECK(prediction.linear_predictor == Approx(linear_predictor(fit, std::span<const double>(x.data(), 4))).epsilon(1e-14));
  CHECK(prediction.risk_group == std::string(prediction.linear_predictor < 0 ? "low" : "high"));
  CHECK(prediction.median_survival.has_value());

  auto incomplete = features;
  incomplete.erase("wt_loss");
  CHECK_THROWS_WITH(predict(loaded, incomplete), Catch::Contains("feature 'wt_loss' is missing"));
  auto extreme = features;
  extreme["age"] = 130;
  CHECK_FALSE(predict(loaded, extreme).warnings.empty());
}

TEST_CASE("Stratified and penalised Cox models serialise too", "[survival][model]") {
  const SurvivalData stratified = lung({"age", "ph_ecog"}, "sex");
  const SurvivalModel model = model_from_json(model_to_json(model_from_cox(fit_cox(stratified), stratified)));
  CHECK(model.baseline.size() == 2);
  CHECK(predict(model, first_subject(stratified), 2).survival.has_value());
  CHECK_THROWS_WITH(predict(model, first_subject(stratified), 7), Catch::Contains("no stratum 7"));

  const SurvivalData data = lung({"age", "sex", "ph_ecog", "wt_loss"});
  PenaltyOptions options;
  options.alpha = 0.5;
  options.path_length = 20;
  const PenalizedCoxPath path = fit_penalized_cox_path(data, options);
  const CoxFit at_lambda = cox_fit_at(data, path.coefficients[10], Ties::breslow);
  const SurvivalModel penalised = model_from_json(model_to_json(model_from_cox(at_lambda, data)));
  const ModelPrediction prediction = predict(penalised, first_subject(data));
  for (std::size_t k = 0; k < prediction.survival->survival.size(); ++k) {
    CHECK(std::isfinite(prediction.survival->lower[k]));
    CHECK(prediction.survival->lower[k] <= prediction.survival->survival[k]);
  }
}

TEST_CASE("A logistic model round-trips and gives probabilities", "[survival][model]") {
  const auto selected = select_survival_data(reference_table("data_pbc.csv"),
                                             {"time", "event", {"age", "log_bili"}, std::nullopt});
  const LogisticFit fit = fit_logistic(selected.data.covariates, selected.data.event, {"age", "log_bili"});
  const SurvivalModel model = model_from_json(model_to_json(model_from_logistic(fit, selected.data.covariates, selected.data.event)));
  const ModelPrediction prediction = predict(model, {{"age", 50.0}, {"log_bili", 1.0}});
  REQUIRE(prediction.probability.has_value());
  const double eta = fit.intercept + 50.0 * fit.coefficients(0) + 1.0 * fit.coefficients(1);
  CHECK(*prediction.probability == Approx(1.0 / (1.0 + std::exp(-eta))).epsilon(1e-14));
  CHECK_FALSE(prediction.survival.has_value());
}

TEST_CASE("A logistic model's probability carries R's delta-method interval", "[survival][model]") {
  // R: predict(glm, newdata, type = "link", se.fit = TRUE), then plogis(eta -/+ z se), at 95 % and 80 %.
  const std::vector<std::string> names = {"age", "log_bili", "log_albumin", "edema"};
  const auto selected = select_survival_data(reference_table("data_pbc.csv"), {"time", "event", names, std::nullopt});
  const LogisticFit fit = fit_logistic(selected.data.covariates, selected.data.event, names);
  const SurvivalModel model = model_from_logistic(fit, selected.data.covariates, selected.data.event);
  const std::string text = model_to_json(model);
  CHECK(text.find("\"intercept_covariance\"") != std::string::npos);
  const SurvivalModel loaded = model_from_json(text);
  CHECK(model_to_json(loaded) == text);

  const Table expected = reference_table("logistic_pbc_prediction.csv");
  const auto level = expected.numeric_column("level");
  const auto eta = expected.numeric_column("eta");
  const auto se = expected.numeric_column("se");
  const auto probability = expected.numeric_column("probability");
  const auto lower = expected.numeric_column("lower");
  const auto upper = expected.numeric_column("upper");
  double worst = 0.0;
  for (std::size_t i = 0; i < expected.row_count(); ++i) {
    std::map<std::string, double> features;
    for (const auto& name : names) features[name] = expected.numeric_column(name)[i];
    const ModelPrediction p = predict(loaded, features, 0, level[i]);
    REQUIRE(p.probability_lower.has_value());
    REQUIRE(p.probability_upper.has_value());
    CHECK(std::abs(p.linear_predictor - eta[i]) < 1e-8);
    CHECK(std::abs(*p.linear_predictor_se - se[i]) < 1e-8);
    CHECK(std::abs(*p.probability - probability[i]) < 1e-8);
    CHECK(std::abs(*p.probability_lower - lower[i]) < 1e-8);
    CHECK(std::abs(*p.probability_upper - upper[i]) < 1e-8);
    worst = std::max({worst, std::abs(*p.linear_predictor_se - se[i]), std::abs(*p.probability_lower - lower[i]),
                      std::abs(*p.probability_upper - upper[i])});
  }
  WARN("logistic prediction interval vs R: max absolute difference " << worst);

  // The prediction report carries the interval under the keys the page reads.
  const gliolens::Json report = prediction_report(loaded, parse_json(R"({"age": 50, "log_bili": 0, "log_albumin": 1.2, "edema": 0})"),
                                                  parse_json("{}"));
  CHECK(report.at("probability_lower").as_number() < report.at("probability").as_number());
  CHECK(report.at("probability_upper").as_number() > report.at("probability").as_number());

  // Files without the intercept's covariance (written before it existed) or with none at all predict
  // without an interval; a wrong length is an error.
  SurvivalModel older = loaded;
  older.intercept_covariance.resize(0);
  const SurvivalModel reread = model_from_json(model_to_json(older));
  CHECK(reread.intercept_covariance.size() == 0);
  const ModelPrediction without = predict(reread, {{"age", 50.0}, {"log_bili", 0.0}, {"log_albumin", 1.2}, {"edema", 0.0}});
  CHECK(without.probability.has_value());
  CHECK_FALSE(without.probability_lower.has_value());
  CHECK(prediction_report(reread, parse_json(R"({"age": 50, "log_bili": 0, "log_albumin": 1.2, "edema": 0})"), parse_json("{}"))
            .find("probability_lower") == nullptr);
  SurvivalModel unknown = loaded;
  unknown.covariance.setZero();
  unknown.intercept_covariance.setZero();
  CHECK_FALSE(predict(unknown, {{"age", 50.0}, {"log_bili", 0.0}, {"log_albumin", 1.2}, {"edema", 0.0}}).probability_lower.has_value());
  std::string wrong = text;
  const auto at = wrong.find("\"intercept_covariance\": [");
  wrong.insert(wrong.find('[', at) + 1, "0.5, ");
  CHECK_THROWS_WITH(model_from_json(wrong), Catch::Contains("'intercept_covariance' needs 1 + 4 values"));
}

TEST_CASE("Malformed model files fail with the field named", "[survival][model]") {
  CHECK_THROWS_WITH(model_from_json(R"({"format": "other"})"), Catch::Contains("'format' is not"));
  CHECK_THROWS_AS(model_from_json(R"({"format": "gliolens-model", "version": 9, "kind": "cox"})"), gliolens::UnsupportedError);
  CHECK_THROWS_WITH(model_from_json(R"({"format": "gliolens-model", "version": 1, "kind": "cox", "features": []})"),
                    Catch::Contains("'coefficients' is missing"));
  CHECK_THROWS_WITH(model_from_json(R"({"format": "gliolens-model", "version": 1, "kind": "logistic",
      "features": [{"name": "a", "center": 0, "scale": 1}], "coefficients": [1, 2], "intercept": 0})"),
                    Catch::Contains("number of coefficients"));
}

TEST_CASE("A feature with a log transform is read under its own name and predicts on its logarithm", "[survival][model]") {
  // pbc's log_bili is log(bilirubin): the same fit, declared on "bili" with transform log, must predict
  // from the raw bilirubin exactly what the fit predicts from log_bili.
  const auto selected = select_survival_data(reference_table("data_pbc.csv"),
                                             {"time", "event", {"age", "log_bili"}, std::nullopt});
  const LogisticFit fit = fit_logistic(selected.data.covariates, selected.data.event, {"age", "log_bili"});
  SurvivalModel model = model_from_logistic(fit, selected.data.covariates, selected.data.event);
  model.features[1].name = "bili";
  model.features[1].transform = FeatureTransform::log;
  const std::string text = model_to_json(model);
  CHECK(text.find("\"transform\": \"log\"") != std::string::npos);
  const SurvivalModel loaded = model_from_json(text);
  CHECK(model_to_json(loaded) == text);
  CHECK(loaded.features[0].transform == FeatureTransform::identity);

  const double bilirubin = 2.5;
  const ModelPrediction prediction = predict(loaded, {{"age", 50.0}, {"bili", bilirubin}});
  const double eta = fit.intercept + 50.0 * fit.coefficients(0) + std::log(bilirubin) * fit.coefficients(1);
  CHECK(prediction.linear_predictor == Approx(eta).epsilon(1e-14));
  CHECK(prediction.warnings.empty());
  // The range warning speaks of the value the model uses.
  const ModelPrediction far = predict(loaded, {{"age", 50.0}, {"bili", 1e6}});
  REQUIRE(far.warnings.size() == 1);
  CHECK_THAT(far.warnings[0], Catch::Contains("log(bili)"));
  CHECK_THROWS_WITH(predict(loaded, {{"age", 50.0}, {"bili", 0.0}}), Catch::Contains("'bili' = 0.000000 is not positive"));
  CHECK_THROWS_WITH(model_from_json(R"({"format": "gliolens-model", "version": 1, "kind": "logistic",
      "features": [{"name": "a", "transform": "sqrt", "center": 0, "scale": 1}], "coefficients": [1], "intercept": 0})"),
                    Catch::Contains("the only transform is 'log'"));
}
