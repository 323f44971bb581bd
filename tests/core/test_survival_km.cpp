// Kaplan-Meier, median survival and the log-rank test against R's survfit and survdiff.
#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/survival/kaplan_meier.hpp"
#include "survival_test_support.hpp"

using namespace gliolens::survival;
using namespace gliolens::survival::testing;

namespace {

SurvivalData dataset(const std::string& name, std::vector<std::string> covariates = {}) {
  return select_survival_data(reference_table("data_" + name + ".csv"), {"time", "event", std::move(covariates), std::nullopt})
      .data;
}

}  // namespace

TEST_CASE("Kaplan-Meier estimates and Greenwood bands agree with R's survfit", "[survival][km]") {
  double worst_survival = 0.0;
  double worst_band = 0.0;
  for (const std::string name : {"lung", "veteran", "pbc", "rotterdam", "glioma"}) {
    INFO(name);
    const SurvivalData data = dataset(name);
    const KaplanMeierCurve curve = kaplan_meier(data.time, data.event);
    const Table expected = reference_table("km_" + name + ".csv");
    REQUIRE(curve.time.size() == expected.row_count());
    const auto time = expected.numeric_column("time");
    const auto at_risk = expected.numeric_column("n_risk");
    const auto events = expected.numeric_column("n_event");
    const auto censored = expected.numeric_column("n_censor");
    const auto survival = expected.numeric_column("surv");
    const auto error = expected.numeric_column("std_err");
    const auto lower = expected.numeric_column("lower");
    const auto upper = expected.numeric_column("upper");
    for (std::size_t k = 0; k < time.size(); ++k) {
      CHECK(curve.time[k] == time[k]);
      CHECK(curve.at_risk[k] == static_cast<int>(at_risk[k]));
      CHECK(curve.events[k] == static_cast<int>(events[k]));
      CHECK(curve.censored[k] == static_cast<int>(censored[k]));
      const double difference = std::abs(curve.survival[k] - survival[k]);
      CHECK(difference < 1e-12);
      worst_survival = std::max(worst_survival, difference);
      CHECK(std::isfinite(curve.standard_error[k]));
      if (!std::isfinite(error[k])) continue;  // R: Inf and NA once S reaches 0; we give 0 and [0, 0]
      for (const auto& [actual, reference] : {std::pair{curve.standard_error[k], error[k]},
                                              {curve.lower[k], lower[k]}, {curve.upper[k], upper[k]}}) {
        const double band_difference = relative_difference(actual, reference);
        CHECK(band_difference < 1e-10);
        worst_band = std::max(worst_band, band_difference);
      }
    }
    const auto median = reference_values("km_" + name + "_median.csv");
    const auto check_optional = [](const std::optional<double>& actual, double reference) {
      if (std::isnan(reference)) {
        CHECK_FALSE(actual.has_value());
      } else {
        REQUIRE(actual.has_value());
        CHECK(*actual == Approx(reference).epsilon(1e-12));
      }
    };
    check_optional(curve.median, median.at("median"));
    check_optional(curve.median_lower, median.at("median_lower"));
    check_optional(curve.median_upper, median.at("median_upper"));
  }
  WARN("Kaplan-Meier vs R: max |S difference| " << worst_survival << ", max relative difference of SE and band "
                                               << worst_band);
}

TEST_CASE("The log-rank test agrees with R's survdiff", "[survival][km]") {
  const Table expected = reference_table("logrank.csv");
  for (std::size_t row = 0; row < expected.row_count(); ++row) {
    const std::string name = expected.cell(row, 0);
    const std::string group = expected.cell(row, 1);
    INFO(name << " by " << group);
    const SurvivalData data = dataset(name, {group});
    const std::vector<double> labels(data.covariates.col(0).data(), data.covariates.col(0).data() + data.size());
    const LogRankTest test = log_rank_test(data.time, data.event, labels);
    CHECK(relative_difference(test.chi_square, expected.numeric_column("chisq")[row]) < 1e-10);
    CHECK(test.degrees_of_freedom == static_cast<int>(expected.numeric_column("df")[row]));
    CHECK(relative_difference(test.p_value, expected.numeric_column("p")[row]) < 1e-8);
  }
}

TEST_CASE("Kaplan-Meier and log-rank reject degenerate input clearly", "[survival][km]") {
  const std::vector<double> time = {1, 2, 3};
  const std::vector<int> event = {1, 0, 1};
  CHECK_THROWS_AS(kaplan_meier(time, std::vector<int>{1, 0}), gliolens::InvalidInputError);
  CHECK_THROWS_WITH(kaplan_meier(std::vector<double>{1, NAN, 3}, event), Catch::Contains("subject 2"));
  CHECK_THROWS_WITH(kaplan_meier(time, std::vector<int>{1, 2, 0}), Catch::Contains("use 1 for an event"));
  CHECK_THROWS_WITH(log_rank_test(time, event, std::vector<double>{1, 1, 1}), Catch::Contains("one group"));
  CHECK_THROWS_WITH(log_rank_test(time, std::vector<int>{0, 0, 0}, std::vector<double>{1, 2, 1}),
                    Catch::Contains("no events"));
  // All censored: S stays 1, no median, nothing NaN.
  const KaplanMeierCurve censored = kaplan_meier(time, std::vector<int>{0, 0, 0});
  CHECK(censored.survival.back() == 1.0);
  CHECK_FALSE(censored.median.has_value());
  // Everyone dies: S reaches 0 and its band collapses to [0, 0] instead of NaN.
  const KaplanMeierCurve all_dead = kaplan_meier(time, std::vector<int>{1, 1, 1});
  CHECK(all_dead.survival.back() == 0.0);
  CHECK(all_dead.lower.back() == 0.0);
  CHECK(all_dead.upper.back() == 0.0);
  CHECK(survival_at(all_dead, 0.5) == 1.0);
  CHECK(survival_at(all_dead, 2.5) == Approx(1.0 / 3.0));
}
