// Degenerate survival inputs: each gives a clear typed error or a warning with a finite result,
// never NaN. Also the shared TCGA-LGG table read end to end.
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/errors.hpp"
#include "core/survival/concordance.hpp"
#include "core/survival/cox.hpp"
#include "core/survival/kaplan_meier.hpp"
#include "survival_test_support.hpp"
#include "shared_data.hpp"

using namespace gliolens::survival;
using gliolens::InvalidInputError;

namespace {

SurvivalData small_data(std::vector<double> time, std::vector<int> event, std::vector<std::vector<double>> columns) {
  SurvivalData data;
  data.time = std::move(time);
  data.event = std::move(event);
  data.covariates.resize(static_cast<Eigen::Index>(data.time.size()), static_cast<Eigen::Index>(columns.size()));
  for (std::size_t j = 0; j < columns.size(); ++j) {
    data.covariate_names.push_back("x" + std::to_string(j + 1));
    for (std::size_t i = 0; i < data.time.size(); ++i) {
      data.covariates(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = columns[j][i];
    }
  }
  return data;
}

bool all_finite(const CoxFit& fit) {
  return fit.coefficients.allFinite() && fit.standard_errors.allFinite() && std::isfinite(fit.log_likelihood) &&
         std::isfinite(fit.wald_statistic) && std::isfinite(fit.likelihood_ratio_p) && std::isfinite(fit.score_p);
}

bool warns_about(const CoxFit& fit, const std::string& word) {
  return std::ranges::any_of(fit.warnings, [&](const std::string& w) { return w.find(word) != std::string::npos; });
}

const std::vector<double> times = {5, 8, 3, 12, 7, 9, 15, 2, 11, 6};
const std::vector<double> age = {50, 61, 47, 70, 55, 58, 66, 43, 72, 52};

}  // namespace

TEST_CASE("Cox regression gives a clear error for data that cannot identify it", "[survival][cox][degenerate]") {
  CHECK_THROWS_WITH(fit_cox(small_data(times, std::vector<int>(10, 0), {age})), Catch::Contains("all 10 subjects are censored"));
  CHECK_THROWS_WITH(fit_cox(small_data(times, {0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, {age})), Catch::Contains("only one event"));
  CHECK_THROWS_WITH(fit_cox(small_data(std::vector<double>(10, 4.0), {1, 0, 1, 1, 0, 1, 0, 1, 1, 0}, {age})),
                    Catch::Contains("all survival times are equal"));
  CHECK_THROWS_WITH(fit_cox(small_data(times, {1, 0, 1, 1, 0, 1, 0, 1, 1, 0}, {age, std::vector<double>(10, 3.0)})),
                    Catch::Contains("'x2' is constant"));
  std::vector<double> twice_age;
  for (const double a : age) twice_age.push_back(2 * a + 1);
  CHECK_THROWS_WITH(fit_cox(small_data(times, {1, 0, 1, 1, 0, 1, 0, 1, 1, 0}, {age, twice_age})),
                    Catch::Contains("'x2' is a linear combination"));
  std::vector<double> with_missing = age;
  with_missing[3] = std::nan("");
  CHECK_THROWS_WITH(fit_cox(small_data(times, {1, 0, 1, 1, 0, 1, 0, 1, 1, 0}, {with_missing})),
                    Catch::Contains("covariate 'x1' of subject 4 is missing"));
  CHECK_THROWS_WITH(fit_cox(small_data(times, {1, 0, 2, 1, 0, 1, 0, 1, 1, 0}, {age})), Catch::Contains("use 1 for an event"));
  CHECK_THROWS_AS(fit_cox(small_data(times, {1, 0, 1, 1, 0, 1, 0, 1, 1, 0}, {})), InvalidInputError);
}

TEST_CASE("Missing values in a table are dropped as R's na.omit does, and counted", "[survival][table]") {
  const Table table = parse_csv("time,event,age\n5,1,50\n8,NA,61\n3,0,\n12,1,70\n7,1,55\n", "inline");
  const auto selected = select_survival_data(table, {"time", "event", {"age"}, std::nullopt});
  CHECK(selected.dropped_incomplete_rows == 2);
  CHECK(selected.table_rows == std::vector<std::size_t>{0, 3, 4});
  CHECK_THROWS_WITH(select_survival_data(table, {"time", "status", {"age"}, std::nullopt}),
                    Catch::Contains("no column 'status'"));
  CHECK_THROWS_WITH(parse_csv("a,b\n1,x\n").numeric_column("b"), Catch::Contains("'x' is not a number"));
  CHECK(parse_csv("\xEF\xBB\xBF" "a,\"b,c\"\r\n1,\"say \"\"hi\"\"\"\r\n").cell(0, 1) == "say \"hi\"");
}

TEST_CASE("Perfect separation gives a warning and a finite result", "[survival][cox][degenerate]") {
  // Every event has x = 1 and every censored subject x = 0: the likelihood keeps rising with beta.
  const std::vector<int> event = {1, 0, 1, 1, 0, 1, 0, 1, 1, 0};
  std::vector<double> separating;
  for (const int e : event) separating.push_back(e);
  // Events strictly before all censorings, ordered by a covariate: monotone likelihood.
  const std::vector<double> ordered_time = {1, 20, 2, 3, 21, 4, 22, 5, 6, 23};
  const CoxFit fit = fit_cox(small_data(ordered_time, event, {separating}));
  CHECK(all_finite(fit));
  CHECK(warns_about(fit, "may be infinite"));
  const auto ratios = hazard_ratios(fit);
  CHECK(std::isfinite(ratios[0].p_value));
  const std::vector<double> x = {1.0};
  const SurvivalCurve curve = predict_survival(fit, x);
  for (std::size_t k = 0; k < curve.survival.size(); ++k) {
    CHECK(std::isfinite(curve.survival[k]));
    CHECK(std::isfinite(curve.lower[k]));
    CHECK(std::isfinite(curve.upper[k]));
  }
}

TEST_CASE("Near-collinear covariates and few events give warnings, not NaN", "[survival][cox][degenerate]") {
  std::vector<double> almost_age = age;
  for (std::size_t i = 0; i < almost_age.size(); ++i) almost_age[i] += (i % 2 == 0 ? 1e-6 : -1e-6);
  const CoxFit fit = fit_cox(small_data(times, {1, 0, 1, 1, 0, 1, 0, 1, 1, 0}, {age, almost_age}));
  CHECK(all_finite(fit));
  CHECK(warns_about(fit, "nearly collinear"));
  CHECK(warns_about(fit, "fewer than 10 per covariate"));
}

TEST_CASE("Concordance and AUC handle degenerate input clearly", "[survival][concordance][degenerate]") {
  const std::vector<double> time = {1, 2, 3, 4};
  Eigen::VectorXd risk(4);
  risk << 4, 3, 2, 1;
  CHECK(harrell_concordance(time, std::vector<int>{1, 1, 1, 1}, risk).concordance == 1.0);
  CHECK(harrell_concordance(time, std::vector<int>{1, 1, 1, 1}, -risk).concordance == 0.0);
  CHECK(harrell_concordance(time, std::vector<int>{1, 1, 1, 1}, Eigen::VectorXd::Zero(4)).concordance == 0.5);
  CHECK_THROWS_WITH(harrell_concordance(time, std::vector<int>{0, 0, 0, 0}, risk), Catch::Contains("no comparable pairs"));
  CHECK_THROWS_AS(harrell_concordance(time, std::vector<int>{1, 1}, risk), InvalidInputError);
  // Without censoring Uno's C is Harrell's C and AUC(t) is the plain AUC of "dead by t".
  CHECK(uno_concordance(time, std::vector<int>{1, 1, 1, 1}, risk).concordance == 1.0);
  CHECK(time_dependent_auc(time, std::vector<int>{1, 1, 1, 1}, risk, 2.5) == 1.0);
  CHECK_THROWS_WITH(time_dependent_auc(time, std::vector<int>{1, 1, 1, 1}, risk, 10.0), Catch::Contains("event-free"));
}

TEST_CASE("The shared TCGA-LGG clinical table loads and fits", "[survival][shared]") {
  const std::string path = (gliolens::testing::shared_data_dir() / "tables/tcga_lgg/clinical_info.csv").string();
  if (gliolens::testing::skipped_without(path)) return;
  const Table table = read_csv_file(path);
  CHECK(table.row_count() == 188);
  const auto selected = select_survival_data(
      table, {"daystolastordeath", "death01", {"age_at_initial_pathologic", "IDH1"}, std::nullopt});
  CHECK(selected.data.size() + selected.dropped_incomplete_rows == 188);
  const CoxFit fit = fit_cox(selected.data);
  CHECK(all_finite(fit));
  CHECK(fit.coefficients(1) < 0.0);  // IDH1 mutation protects
  const KaplanMeierCurve curve = kaplan_meier(selected.data.time, selected.data.event);
  CHECK(curve.survival.back() >= 0.0);
  const auto labels = table.numeric_column("IDH1");
  CHECK(labels.size() == 188);
}
