// Cox regression against R's coxph / basehaz / survfit.coxph / concordance on public data sets, the
// textbook example, and degenerate inputs that must fail (or warn) clearly and never give NaN.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "core/errors.hpp"
#include "core/survival/concordance.hpp"
#include "core/survival/cox.hpp"
#include "survival_test_support.hpp"
#include "shared_data.hpp"

using namespace gliolens::survival;
using namespace gliolens::survival::testing;

namespace {

const std::string tcga_table = (gliolens::testing::shared_data_dir() / "tables/tcga_lgg/clinical_info.csv").string();

// The data set of a reference case, complete rows only (R's na.omit).
std::optional<SurvivalData> case_data(const std::string& dataset, const std::vector<std::string>& covariates,
                                      const std::string& strata) {
  SurvivalColumns columns{"time", "event", covariates, std::nullopt};
  if (!strata.empty()) columns.stratum = strata;
  if (dataset != "tcga_lgg") return select_survival_data(reference_table("data_" + dataset + ".csv"), columns).data;
  if (!std::filesystem::exists(tcga_table)) return std::nullopt;
  // The shared table's own column names for the reference's short ones.
  const std::map<std::string, std::string> names = {{"age", "age_at_initial_pathologic"},
                                                    {"IDH1", "IDH1"},
                                                    {"codeletion", "1p_19q_co_del_status"}};
  columns.time = "daystolastordeath";
  columns.event = "death01";
  for (auto& name : columns.covariates) name = names.at(name);
  auto data = select_survival_data(read_csv_file(tcga_table), columns).data;
  data.covariate_names = covariates;
  return data;
}

struct Agreement {
  double coefficient = 0, standard_error = 0, log_likelihood = 0, tests = 0, baseline = 0, curve = 0, band = 0,
         concordance = 0, uno = 0;
};

void compare_case(const std::string& name, const SurvivalData& data, Ties ties, Agreement& worst) {
  const std::string prefix = "cox_" + name + "_" + to_string(ties);
  CoxOptions options;
  options.ties = ties;
  const CoxFit fit = fit_cox(data, options);
  INFO(prefix);
  CHECK(fit.converged);

  const Table coefficients = reference_table(prefix + "_coef.csv");
  const auto expected_beta = coefficients.numeric_column("coef");
  const auto expected_se = coefficients.numeric_column("se");
  REQUIRE(expected_beta.size() == fit.covariate_count());
  for (std::size_t j = 0; j < expected_beta.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    const double beta_difference = relative_difference(fit.coefficients(jj), expected_beta[j]);
    const double se_difference = relative_difference(fit.standard_errors(jj), expected_se[j]);
    CHECK(beta_difference < 1e-6);
    CHECK(se_difference < 1e-5);
    worst.coefficient = std::max(worst.coefficient, beta_difference);
    worst.standard_error = std::max(worst.standard_error, se_difference);
  }

  const auto summary = reference_values(prefix + "_summary.csv");
  CHECK(fit.subjects == static_cast<std::size_t>(summary.at("n")));
  CHECK(fit.events == static_cast<std::size_t>(summary.at("events")));
  for (const auto& [actual, key] : {std::pair{fit.log_likelihood_null, "loglik_null"}, {fit.log_likelihood, "loglik"}}) {
    const double difference = relative_difference(actual, summary.at(key));
    CHECK(difference < 1e-10);
    worst.log_likelihood = std::max(worst.log_likelihood, difference);
  }
  for (const auto& [actual, key] : {std::pair{fit.wald_statistic, "wald"}, {fit.score_statistic, "score"},
                                    {fit.likelihood_ratio_statistic, "lr"}}) {
    const double difference = relative_difference(actual, summary.at(key));
    CHECK(difference < 1e-6);
    worst.tests = std::max(worst.tests, difference);
  }
  const Eigen::VectorXd lp = linear_predictors(fit, data.covariates);
  const double harrell = harrell_concordance(data.time, data.event, lp, data.stratum).concordance;
  const double concordance_difference = std::abs(harrell - summary.at("concordance"));
  CHECK(concordance_difference < 1e-12);
  worst.concordance = std::max(worst.concordance, concordance_difference);
  if (!data.stratified()) {
    const double uno = uno_concordance(data.time, data.event, lp).concordance;
    const double uno_difference = std::abs(uno - summary.at("uno_concordance"));
    CHECK(uno_difference < 1e-9);
    worst.uno = std::max(worst.uno, uno_difference);
  }

  // Baseline cumulative hazard at the means, per stratum (basehaz(centered = TRUE)).
  const Table base = reference_table(prefix + "_basehaz.csv");
  const auto base_stratum = base.numeric_column("stratum");
  const auto base_time = base.numeric_column("time");
  const auto base_hazard = base.numeric_column("cumhaz");
  std::size_t row = 0;
  for (const auto& stratum : fit.baseline) {
    for (std::size_t k = 0; k < stratum.time.size(); ++k, ++row) {
      REQUIRE(row < base_time.size());
      CHECK(static_cast<int>(base_stratum[row]) == stratum.stratum);
      CHECK(stratum.time[k] == Approx(base_time[row]).epsilon(1e-12));
      const double difference = relative_difference(stratum.cumulative_hazard[k], base_hazard[row]);
      CHECK(difference < 1e-6);
      worst.baseline = std::max(worst.baseline, difference);
    }
  }
  CHECK(row == base_time.size());

  // S(t | x) with its band for the first subject (survfit(fit, newdata = frame[1, ])).
  const Eigen::VectorXd first = data.covariates.row(0).transpose();
  const SurvivalCurve curve =
      predict_survival(fit, std::span<const double>(first.data(), static_cast<std::size_t>(first.size())),
                       data.stratified() ? data.stratum[0] : 0);
  const Table expected_curve = reference_table(prefix + "_curve.csv");
  const auto expected_survival = expected_curve.numeric_column("surv");
  const auto expected_error = expected_curve.numeric_column("std_err");
  const auto expected_lower = expected_curve.numeric_column("lower");
  const auto expected_upper = expected_curve.numeric_column("upper");
  REQUIRE(expected_survival.size() == curve.survival.size());
  for (std::size_t k = 0; k < curve.survival.size(); ++k) {
    const double difference = relative_difference(curve.survival[k], expected_survival[k]);
    CHECK(difference < 1e-6);
    worst.curve = std::max(worst.curve, difference);
    // R reports the standard error of S on the log scale as that of the cumulative hazard.
    for (const auto& [actual, expected] : {std::pair{curve.standard_error[k], expected_error[k]},
                                           {curve.lower[k], expected_lower[k]}, {curve.upper[k], expected_upper[k]}}) {
      if (std::isnan(expected)) continue;  // R leaves the band undefined where S is 0
      const double band_difference = relative_difference(actual, expected);
      CHECK(band_difference < 1e-5);
      worst.band = std::max(worst.band, band_difference);
    }
  }
}

}  // namespace

TEST_CASE("Cox regression agrees with R's survival package", "[survival][cox]") {
  const Table cases = reference_table("cox_cases.csv");
  Agreement worst;
  int compared = 0;
  for (std::size_t c = 0; c < cases.row_count(); ++c) {
    const std::string name = cases.cell(c, 0);
    const auto data = case_data(cases.cell(c, 1), words(cases.cell(c, 2)), cases.cell(c, 3));
    if (!data) {
      WARN("skipping Cox case '" << name << "': the shared table " << tcga_table << " is absent");
      continue;
    }
    for (const Ties ties : {Ties::efron, Ties::breslow}) {
      compare_case(name, *data, ties, worst);
      ++compared;
    }
  }
  CHECK(compared >= 14);
  WARN("Cox vs R over " << compared << " fits, max relative differences: coefficients " << worst.coefficient
                        << ", SEs " << worst.standard_error << ", log-likelihoods " << worst.log_likelihood
                        << ", Wald/score/LR " << worst.tests << ", baseline hazard " << worst.baseline
                        << ", S(t|x) " << worst.curve << ", its SE and band " << worst.band
                        << "; Harrell's C absolute " << worst.concordance
                        << ", Uno's C absolute " << worst.uno);
}

TEST_CASE("Cox regression reproduces Therneau and Grambsch's textbook example", "[survival][cox]") {
  const auto selected = select_survival_data(reference_table("data_textbook.csv"), {"time", "event", {"x"}, std::nullopt});
  CHECK(selected.dropped_incomplete_rows == 1);
  CoxOptions breslow;
  breslow.ties = Ties::breslow;
  CHECK(fit_cox(selected.data, breslow).coefficients(0) == Approx(1.475285).margin(5e-7));
  CHECK(fit_cox(selected.data).coefficients(0) == Approx(1.676857).margin(5e-7));
}
