// The JSON workflows behind the CLI and the app (cox/km/logistic/predict/growth), growth velocity
// and calibration: numbers against R's reference files, and clear errors for bad options.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "core/errors.hpp"
#include "core/survival/calibration.hpp"
#include "core/survival/growth.hpp"
#include "core/common/number_text.hpp"
#include "core/survival/workflow.hpp"
#include "survival_test_support.hpp"

using gliolens::Json;
using gliolens::parse_json;
using gliolens::format_double;
using gliolens::parse_double;
using namespace gliolens::survival;
using namespace gliolens::survival::testing;

namespace {

Json options(std::string_view text) { return parse_json(text); }

}  // namespace

TEST_CASE("Cox workflow reports R's coefficients and a model that predicts", "[survival][workflow]") {
  const Table lung = reference_table("data_lung.csv");
  const Json report = cox_workflow(
      lung, options(R"({"time":"time","event":"event","covariates":["age","sex","ph_ecog","wt_loss"],"bootstrap":50})"));
  const Table expected = reference_table("cox_lung_efron_coef.csv");
  const auto beta = expected.numeric_column("coef");
  const auto se = expected.numeric_column("se");
  const auto& rows = report.at("coefficients").as_array();
  REQUIRE(rows.size() == beta.size());
  for (std::size_t j = 0; j < rows.size(); ++j) {
    CHECK(relative_difference(rows[j].at("coef").as_number(), beta[j]) < 1e-6);
    CHECK(relative_difference(rows[j].at("se").as_number(), se[j]) < 1e-5);
  }
  const auto summary = reference_values("cox_lung_efron_summary.csv");
  CHECK(std::abs(report.at("concordance").at("train").at("estimate").as_number() - summary.at("concordance")) < 1e-12);
  const SurvivalModel model = model_from_json(report.at("model").dump());
  const Json prediction = prediction_report(model, options(R"({"age":74,"sex":1,"ph_ecog":1,"wt_loss":0})"), options(R"({"times":[365]})"));
  const double s365 = prediction.at("survival_at").as_array().front().at("survival").as_number();
  CHECK(s365 > 0.0);
  CHECK(s365 < 1.0);
  CHECK(report.at("risk_groups").at("curves").as_array().size() == 2);
}

TEST_CASE("A predicted curve's band stays within [0, 1] and around S when every subject dies", "[survival][workflow]") {
  // No censoring (as in UPENN-GBM): the tail has one subject at risk and a wide band, as in R.
  const Table table = parse_csv("time,event,x\n1,1,0\n2,1,1\n3,1,0\n4,1,1\n5,1,0\n6,1,1\n");
  const Json report = cox_workflow(table, options(R"({"time":"time","event":"event","bootstrap":0})"));
  const Json p = prediction_report(model_from_json(report.at("model").dump()), options(R"({"x":1})"), options("{}"));
  const auto survival = numbers_from_json(p.at("survival").at("survival"), "survival");
  const auto lower = numbers_from_json(p.at("survival").at("lower"), "lower");
  const auto upper = numbers_from_json(p.at("survival").at("upper"), "upper");
  REQUIRE(survival.size() == 6);
  for (std::size_t k = 0; k < survival.size(); ++k) {
    CHECK(0.0 <= lower[k]);
    CHECK(lower[k] <= survival[k]);
    CHECK(survival[k] <= upper[k]);
    CHECK(upper[k] <= 1.0);
  }
}

TEST_CASE("Cox workflow: split, penalty, calibration", "[survival][workflow]") {
  const Table rotterdam = reference_table("data_rotterdam.csv");
  // A split column built from the row number: the workflow must fit on train only.
  std::vector<std::string> names = rotterdam.column_names();
  names.push_back("part");
  std::vector<std::vector<std::string>> rows;
  for (std::size_t r = 0; r < rotterdam.row_count(); ++r) {
    std::vector<std::string> row;
    for (std::size_t c = 0; c < rotterdam.column_count(); ++c) row.push_back(rotterdam.cell(r, c));
    row.push_back(r % 3 == 0 ? "test" : "train");
    rows.push_back(row);
  }
  const Table table(names, rows);
  const Json report = cox_workflow(table, options(R"({"time":"time","event":"event","split":"part","penalty":"elasticnet",
      "alpha":0.5,"cv":5,"bootstrap":20,"calibration_time":1825,"auc_times":[1825]})"));
  CHECK(report.at("data").at("test").at("subjects").as_number() == 994);
  const double c_test = report.at("concordance").at("test").at("estimate").as_number();
  CHECK(c_test > 0.6);
  CHECK(c_test < 0.8);
  const auto& groups = report.at("calibration").at("groups").as_array();
  CHECK(groups.size() == 4);
  for (const Json& g : groups) CHECK(std::abs(g.at("predicted").as_number() - g.at("observed").as_number()) < 0.15);
  CHECK(report.at("coefficients").as_array().front().at("se").is_null());  // no SEs after selection
  CHECK_THROWS_AS(cox_workflow(table, options(R"({"time":"time","event":"nope"})")), gliolens::InvalidInputError);
  CHECK_THROWS_WITH(cox_workflow(table, options(R"({"time":"time","event":"event","penalty":"elasticnet"})")),
                    Catch::Contains("alpha"));
}

TEST_CASE("Logistic workflow on a nearly separated outcome reports, with no odds-ratio bound past overflow", "[survival][workflow]") {
  // A real held-out fold of a radiogenomic cross-validation (9 patients, 2 positive, one tie at the boundary): the
  // slope's standard error is so large that exp(coef + z se) overflows; the report must still be written.
  const Table fold = parse_csv("y,score\n0,-1.2378552227845727\n0,-1.649088277095561\n0,-0.6621289467491884\n"
                               "0,-2.8005408291663287\n0,-1.4845950553711655\n1,-0.6621289467491884\n1,0.242583772734986\n"
                               "0,-2.471554385717538\n0,-1.2378552227845727\n");
  const Json report = logistic_workflow(fold, options(R"({"outcome":"y","covariates":["score"]})"));
  const Json& slope = report.at("coefficients").as_array().at(0);
  CHECK(slope.at("coef").as_number() > 0.0);
  CHECK(slope.at("or_upper").is_null());
  CHECK(report.at("auc").at("train").at("estimate").as_number() == Approx(27.0 / 28.0));  // 13.5 of 14 pairs
}

TEST_CASE("Cox workflow with monotone likelihood (a group without events) still reports", "[survival][workflow]") {
  // As in a small fold of lower-grade gliomas where no codeleted patient progressed: the 10 patients with x = 1 have
  // no event, so x's coefficient diverges until the iterations stop, and its hazard-ratio interval overflows.
  std::string csv = "time,event,age,x\n";
  for (int i = 0; i < 40; ++i) {
    const bool x = i % 4 == 0;
    csv += std::to_string(10 + 7 * i) + "," + (x || i % 3 == 0 ? "0" : "1") + "," + std::to_string(30 + (i * 13) % 40) + "," + (x ? "1" : "0") + "\n";
  }
  const Json report = cox_workflow(parse_csv(csv), options(R"({"time":"time","event":"event","covariates":["age","x"],"bootstrap":0})"));
  const Json& x = report.at("coefficients").as_array().at(1);
  CHECK(x.at("coef").as_number() < -10.0);
  CHECK(x.at("hr_upper").is_null());
  CHECK(report.at("model").at("coefficients").as_array().size() == 2);
}

TEST_CASE("Kaplan-Meier workflow reproduces R's log-rank test by group", "[survival][workflow]") {
  const Json report = kaplan_meier_workflow(reference_table("data_lung.csv"), options(R"({"time":"time","event":"event","group":"sex"})"));
  const Table logrank = reference_table("logrank.csv");
  CHECK(report.at("log_rank").at("chi_square").as_number() == Approx(logrank.numeric_column("chisq")[0]).epsilon(1e-10));
  CHECK(report.at("curves").as_array().size() == 2);
}

TEST_CASE("Workflow options: a key the workflow does not know is refused, naming it", "[survival][workflow]") {
  // A misspelt option used to be ignored, and the fit ran with the default.
  const Table lung = reference_table("data_lung.csv");
  CHECK_THROWS_AS(cox_workflow(lung, options(R"({"time":"time","event":"event","bootstrp":0})")), gliolens::InvalidInputError);
  CHECK_THROWS_WITH(cox_workflow(lung, options(R"({"time":"time","event":"event","bootstrp":0})")),
                    Catch::Contains("cox: unknown option 'bootstrp'") && Catch::Contains("bootstrap"));
  CHECK_THROWS_WITH(kaplan_meier_workflow(lung, options(R"({"time":"time","event":"event","groups":"sex"})")),
                    Catch::Contains("km: unknown option 'groups'") && Catch::Contains("group"));
  // The logistic workflow's intervals are DeLong's: it has no bootstrap.
  const Table binary = parse_csv("y,x\n0,1\n1,2\n0,3\n1,4\n0,2\n1,5\n");
  CHECK_THROWS_WITH(logistic_workflow(binary, options(R"({"outcome":"y","bootstrap":100})")),
                    Catch::Contains("logistic: unknown option 'bootstrap'"));
  CHECK_THROWS_WITH(growth_report(options(R"({"volume1_ml":4,"date1":"2020-01-01","volume2_ml":4,"date2":"2021-01-01","date3":"x"})")),
                    Catch::Contains("growth: unknown option 'date3'"));
  const Json report = cox_workflow(lung, options(R"({"time":"time","event":"event","covariates":["age"],"bootstrap":0})"));
  const SurvivalModel model = model_from_json(report.at("model").dump());
  CHECK_THROWS_WITH(prediction_report(model, options(R"({"age":60})"), options(R"({"time":[365]})")),
                    Catch::Contains("predict: unknown option 'time'") && Catch::Contains("times"));
  CHECK_THROWS_WITH(cox_workflow(lung, options("[]")), Catch::Contains("the options must be a JSON object"));
  // Null is absent, for known keys and for the options as a whole.
  CHECK(kaplan_meier_workflow(lung, options(R"({"time":"time","event":"event","group":null})")).at("curves").as_array().size() == 1);
  CHECK(prediction_report(model, options(R"({"age":60})"), Json()).at("kind").as_string() == "cox");
}

TEST_CASE("Growth velocity from two volumes and dates", "[survival][growth]") {
  CHECK(days_from_iso_date("1970-01-01") == 0);
  CHECK(days_from_iso_date("2000-03-01") - days_from_iso_date("2000-02-28") == 2);  // leap year
  CHECK_THROWS_AS(days_from_iso_date("2021-02-29"), gliolens::InvalidInputError);
  CHECK_THROWS_AS(days_from_iso_date("2021-2-1"), gliolens::InvalidInputError);
  // 4 mL -> 32 mL: D = (2V)^(1/3) goes 20 mm -> 40 mm in 730.5 days = 2 years: 10 mm/year.
  const GrowthVelocity g = growth_velocity(4.0, 0, 32.0, 730);
  CHECK(g.diameter1_mm == Approx(20.0).epsilon(1e-12));
  CHECK(g.diameter2_mm == Approx(40.0).epsilon(1e-12));
  CHECK(g.velocity_mm_per_year == Approx(20.0 / (730.0 / 365.25)).epsilon(1e-12));
  CHECK(*g.volume_doubling_days == Approx(730.0 / 3.0).epsilon(1e-12));
  CHECK(*g.volume_change_percent == Approx(700.0));
  CHECK_THROWS_AS(growth_velocity(4.0, 10, 5.0, 10), gliolens::InvalidInputError);
  CHECK_THROWS_AS(growth_velocity(-1.0, 0, 5.0, 10), gliolens::InvalidInputError);
  const Json report = growth_report(options(R"({"volume1_ml":4,"date1":"2020-01-01","volume2_ml":4,"date2":"2021-01-01"})"));
  CHECK(report.at("velocity_mm_per_year").as_number() == 0.0);
  CHECK(report.at("volume_doubling_days").is_null());
}

TEST_CASE("Calibration groups compare mean prediction with Kaplan-Meier", "[survival][calibration]") {
  // Predictions equal to the truth in each group: no events before t in the safe group, all in the other.
  const std::vector<double> time = {1, 2, 3, 10, 10, 10};
  const std::vector<int> event = {1, 1, 1, 0, 0, 0};
  const std::vector<double> predicted = {0.0, 0.0, 0.0, 1.0, 1.0, 1.0};
  const Calibration c = calibration_at_time(time, event, predicted, 5.0, 2);
  REQUIRE(c.groups.size() == 2);
  CHECK(c.groups[0].observed == 0.0);
  CHECK(c.groups[1].observed == 1.0);
  CHECK(c.mean_absolute_difference == 0.0);
  CHECK_THROWS_AS(calibration_at_time(time, event, predicted, 5.0, 7), gliolens::InvalidInputError);
}

TEST_CASE("Number text: fast decimal path equals strtod, formatting round-trips", "[survival][json]") {
  std::mt19937_64 random(5);
  std::uniform_real_distribution<double> uniform(-1e6, 1e6);
  for (int k = 0; k < 20000; ++k) {
    const double v = uniform(random) / (k % 7 == 0 ? 1e12 : 1.0);
    const std::string text = format_double(v);
    REQUIRE(parse_double(text) == v);
    char short_text[32];
    std::snprintf(short_text, sizeof short_text, "%.*f", k % 12, v);  // simple decimals: the fast path
    CHECK(*parse_double(short_text) == std::strtod(short_text, nullptr));
  }
  CHECK(format_double(365.0) == "365");
  CHECK(format_double(0.1) == "0.1");
  CHECK(*parse_double("1e-3") == 0.001);
  CHECK_FALSE(parse_double("0x10").has_value());
  CHECK_FALSE(parse_double("+1").has_value());
  CHECK_FALSE(parse_double("1.2.3").has_value());
  CHECK_FALSE(parse_double("-").has_value());
}
