// Logistic regression against R's glm, the AUC and DeLong's standard error against the formula
// evaluated in R, elastic net and its cross-validation, and degenerate outcomes.
#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/survival/logistic.hpp"
#include "core/survival/resampling.hpp"
#include "survival_test_support.hpp"

using namespace gliolens::survival;
using namespace gliolens::survival::testing;

namespace {

struct BinaryData {
  Eigen::MatrixXd x;
  std::vector<int> y;
  std::vector<std::string> names;
};

BinaryData pbc_binary() {
  const std::vector<std::string> names = {"age", "log_bili", "log_albumin", "edema"};
  const auto selected = select_survival_data(reference_table("data_pbc.csv"), {"time", "event", names, std::nullopt});
  return {selected.data.covariates, selected.data.event, names};
}

}  // namespace

TEST_CASE("Logistic regression agrees with R's glm", "[survival][logistic]") {
  const BinaryData data = pbc_binary();
  const LogisticFit fit = fit_logistic(data.x, data.y, data.names);
  CHECK(fit.converged);
  const Table expected = reference_table("logistic_pbc_coef.csv");
  const auto coef = expected.numeric_column("coef");
  const auto se = expected.numeric_column("se");
  double worst_coef = relative_difference(fit.intercept, coef[0]);
  double worst_se = relative_difference(fit.intercept_standard_error, se[0]);
  for (Eigen::Index j = 0; j < fit.coefficients.size(); ++j) {
    worst_coef = std::max(worst_coef, relative_difference(fit.coefficients(j), coef[static_cast<std::size_t>(j) + 1]));
    worst_se = std::max(worst_se, relative_difference(fit.standard_errors(j), se[static_cast<std::size_t>(j) + 1]));
  }
  CHECK(worst_coef < 1e-6);
  CHECK(worst_se < 1e-5);
  const auto summary = reference_values("logistic_pbc_summary.csv");
  CHECK(relative_difference(fit.deviance, summary.at("deviance")) < 1e-10);
  CHECK(relative_difference(fit.null_deviance, summary.at("null_deviance")) < 1e-10);

  const Eigen::VectorXd eta = (data.x * fit.coefficients).array() + fit.intercept;
  const AucEstimate auc = area_under_curve(std::span<const double>(eta.data(), static_cast<std::size_t>(eta.size())), data.y);
  CHECK(relative_difference(auc.auc, summary.at("auc")) < 1e-9);
  CHECK(relative_difference(auc.standard_error, summary.at("delong_se")) < 1e-6);
  CHECK(auc.lower < auc.auc);
  CHECK(auc.upper > auc.auc);
  WARN("logistic vs R glm: max relative differences: coefficients " << worst_coef << ", SEs " << worst_se
                                                                    << "; AUC " << auc.auc << " (DeLong SE "
                                                                    << auc.standard_error << ")");
}

TEST_CASE("Elastic-net logistic regression and its cross-validation", "[survival][logistic]") {
  const BinaryData data = pbc_binary();
  PenaltyOptions options;
  options.lambdas = {1e-12};
  options.tolerance = 1e-14;
  const PenalizedLogisticPath almost_free = fit_penalized_logistic_path(data.x, data.y, data.names, options);
  const LogisticFit fit = fit_logistic(data.x, data.y, data.names);
  CHECK(almost_free.intercepts[0] == Approx(fit.intercept).epsilon(1e-5));
  for (Eigen::Index j = 0; j < fit.coefficients.size(); ++j) {
    CHECK(almost_free.coefficients[0](j) == Approx(fit.coefficients(j)).epsilon(1e-5));
  }
  PenaltyOptions lasso;
  lasso.path_length = 30;
  std::mt19937_64 random(7);
  const CrossValidatedLogistic cv = cross_validate_penalized_logistic(data.x, data.y, data.names, lasso, 5, random);
  CHECK(cv.path.nonzero.front() == 0);
  CHECK(cv.one_se <= cv.best);
  CHECK(cv.best > 0);
  for (const double d : cv.cv_deviance) CHECK(std::isfinite(d));
  // Ridge shrinks: every coefficient smaller in magnitude than unpenalised.
  LogisticOptions ridge;
  ridge.l2_penalty = 50.0;
  const LogisticFit shrunk = fit_logistic(data.x, data.y, data.names, ridge);
  CHECK(shrunk.coefficients.norm() < fit.coefficients.norm());
}

TEST_CASE("Logistic regression and AUC reject degenerate input, never NaN", "[survival][logistic][degenerate]") {
  Eigen::MatrixXd x(6, 1);
  x << 1, 2, 3, 4, 5, 6;
  CHECK_THROWS_WITH(fit_logistic(x, std::vector<int>{1, 1, 1, 1, 1, 1}, {"x"}), Catch::Contains("both classes"));
  CHECK_THROWS_WITH(fit_logistic(x, std::vector<int>{1, 0, 1}, {"x"}), Catch::Contains("6 covariate rows but 3"));
  Eigen::MatrixXd constant = Eigen::MatrixXd::Constant(6, 1, 2.0);
  CHECK_THROWS_WITH(fit_logistic(constant, std::vector<int>{1, 0, 1, 0, 1, 0}, {"c"}), Catch::Contains("'c' is constant"));
  // Perfect separation: x > 3.5 is exactly the positive class.
  const LogisticFit separated = fit_logistic(x, std::vector<int>{0, 0, 0, 1, 1, 1}, {"x"});
  CHECK(separated.coefficients.allFinite());
  CHECK(separated.standard_errors.allFinite());
  CHECK(std::ranges::any_of(separated.warnings, [](const std::string& w) { return w.find("separate") != std::string::npos; }));
  const std::vector<double> scores = {0.1, 0.4, 0.35, 0.8};
  CHECK(area_under_curve(scores, std::vector<int>{0, 0, 1, 1}).auc == Approx(0.75));
  CHECK_THROWS_WITH(area_under_curve(scores, std::vector<int>{0, 0, 0, 0}), Catch::Contains("both classes"));
}

TEST_CASE("Bootstrap intervals and folds are reproducible from the seed", "[survival][resampling]") {
  std::mt19937_64 a(11);
  std::mt19937_64 b(11);
  CHECK(assign_folds(23, 5, a) == assign_folds(23, 5, b));
  const std::vector<int> events = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
  const auto folds = assign_folds(10, 5, a, events);
  for (int f = 0; f < 5; ++f) {
    int in_fold = 0;
    int events_in_fold = 0;
    for (std::size_t i = 0; i < 10; ++i) {
      if (folds[i] == f) {
        ++in_fold;
        events_in_fold += events[i];
      }
    }
    CHECK(in_fold == 2);
    CHECK(events_in_fold == 1);
  }
  const std::vector<double> values = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
  auto mean = [&](std::span<const std::size_t> rows) {
    double sum = 0;
    for (const auto r : rows) sum += values[r];
    return sum / static_cast<double>(rows.size());
  };
  std::mt19937_64 c(5);
  std::mt19937_64 d(5);
  const BootstrapInterval first = bootstrap_interval(values.size(), mean, 500, 0.95, c);
  const BootstrapInterval second = bootstrap_interval(values.size(), mean, 500, 0.95, d);
  CHECK(first.estimate == Approx(3.9));
  CHECK(first.lower == second.lower);
  CHECK(first.lower < 3.9);
  CHECK(first.upper > 3.9);
  CHECK(quantile({1, 2, 3, 4}, 0.5) == 2.5);
}
