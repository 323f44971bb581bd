// Penalised Cox regression: optimality (KKT) conditions along the path, agreement with the
// unpenalised Breslow fit as lambda -> 0, and reproducible cross-validation.
#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/survival/cox.hpp"
#include "core/survival/elastic_net.hpp"
#include "core/survival/penalized.hpp"
#include "survival_test_support.hpp"

using namespace gliolens::survival;
using namespace gliolens::survival::testing;

namespace {

SurvivalData pbc() {
  return select_survival_data(reference_table("data_pbc.csv"),
                              {"time", "event", {"age", "edema", "log_bili", "log_albumin", "log_protime", "trt", "sex"}, std::nullopt})
      .data;
}

// Largest violation of the elastic-net optimality conditions on the standardised scale.
double kkt_violation(const SurvivalData& data, const Eigen::VectorXd& beta, double lambda, double alpha) {
  const auto n = static_cast<double>(data.size());
  const Standardization scaling = standardization_of(data.covariates);
  const Eigen::VectorXd score = cox_derivatives(data, beta, Ties::breslow).score;
  double worst = 0.0;
  for (Eigen::Index j = 0; j < beta.size(); ++j) {
    const double gradient = score(j) / n / scaling.scale(j);  // d/d(standardised beta)
    const double standardized = beta(j) * scaling.scale(j);
    const double violation = standardized != 0.0
        ? std::abs(gradient - lambda * (alpha * (standardized > 0 ? 1.0 : -1.0) + (1 - alpha) * standardized))
        : std::max(0.0, std::abs(gradient) - lambda * alpha);
    worst = std::max(worst, violation);
  }
  return worst;
}

}  // namespace

TEST_CASE("Elastic-net Cox satisfies the optimality conditions along its path", "[survival][penalized]") {
  const SurvivalData data = pbc();
  for (const double alpha : {1.0, 0.5, 0.0}) {
    PenaltyOptions options;
    options.alpha = alpha;
    options.path_length = 30;
    const PenalizedCoxPath path = fit_penalized_cox_path(data, options);
    REQUIRE(path.lambdas.size() == 30);
    if (alpha > 0) CHECK(path.nonzero.front() == 0);  // lambda_max zeroes everything
    CHECK(path.nonzero.back() == 7);
    double worst = 0.0;
    for (std::size_t l = 0; l < path.lambdas.size(); ++l) {
      REQUIRE(path.coefficients[l].allFinite());
      worst = std::max(worst, kkt_violation(data, path.coefficients[l], path.lambdas[l], alpha));
    }
    INFO("alpha " << alpha);
    CHECK(worst < 1e-6);
  }
}

TEST_CASE("Penalised Cox with a vanishing penalty is the Breslow Cox fit", "[survival][penalized]") {
  const SurvivalData data = pbc();
  PenaltyOptions options;
  options.lambdas = {1e-12};
  options.tolerance = 1e-14;
  const Eigen::VectorXd penalized = fit_penalized_cox_path(data, options).coefficients.front();
  CoxOptions breslow;
  breslow.ties = Ties::breslow;
  const CoxFit fit = fit_cox(data, breslow);
  for (Eigen::Index j = 0; j < penalized.size(); ++j) CHECK(penalized(j) == Approx(fit.coefficients(j)).epsilon(1e-6));
}

TEST_CASE("Cross-validated lambda is reproducible from the seed", "[survival][penalized]") {
  const SurvivalData data = pbc();
  PenaltyOptions options;
  options.alpha = 0.5;
  options.path_length = 40;
  std::mt19937_64 first(2024);
  std::mt19937_64 second(2024);
  const CrossValidatedCox a = cross_validate_penalized_cox(data, options, 5, first);
  const CrossValidatedCox b = cross_validate_penalized_cox(data, options, 5, second);
  CHECK(a.fold_of_subject == b.fold_of_subject);
  CHECK(a.best == b.best);
  CHECK(a.lambda_1se() >= a.lambda_min());
  CHECK(a.best > 0);  // some covariates help: the null model is not the CV optimum
  for (std::size_t l = 0; l < a.cv_deviance.size(); ++l) {
    CHECK(std::isfinite(a.cv_deviance[l]));
    CHECK(std::isfinite(a.cv_standard_error[l]));
  }
  // bilirubin is the strongest predictor in pbc: it survives the 1-SE rule
  CHECK(a.coefficients_1se()(2) > 0.0);
  CHECK_THROWS_AS(cross_validate_penalized_cox(data, options, 1, first), gliolens::InvalidInputError);
}
