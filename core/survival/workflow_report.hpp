// The report writers of the survival workflows (workflow.hpp): each turns one result of a fit into the
// JSON part of the report that shows it. The workflows fit and assemble; the reports' form lives here.
#pragma once
#include "core/common/json.hpp"
#include "core/survival/calibration.hpp"
#include "core/survival/cox.hpp"
#include "core/survival/growth.hpp"
#include "core/survival/kaplan_meier.hpp"
#include "core/survival/logistic.hpp"
#include "core/survival/model_json.hpp"
#include "core/survival/penalized.hpp"
#include "core/survival/resampling.hpp"
#include "core/survival/survival_data.hpp"
#include "core/survival/workflow_options.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gliolens::survival {

// What a penalised Cox fit chose: the lambda, and the cross-validation that chose it (absent when the
// lambda was given).
struct CoxPenaltySelection {
  Penalty penalty = Penalty::none;
  double alpha = 0.0;
  double lambda = 0.0;
  std::optional<CrossValidatedCox> cv;
  int folds = 0;
  LambdaRule rule = LambdaRule::min;
  std::vector<std::string> selected;  // the covariates with non-zero coefficients
};

// The same for a penalised logistic fit, whose selected covariates are refitted by maximum likelihood.
struct LogisticPenaltySelection {
  Penalty penalty = Penalty::none;
  double alpha = 0.0;
  double lambda = 0.0;
  std::optional<int> folds;  // absent when the lambda was given
  std::vector<std::string> selected;
};

// Values that JSON cannot hold (absent, not finite) become null.
[[nodiscard]] Json optional_number(const std::optional<double>& value);
[[nodiscard]] Json finite_or_null(double value);
[[nodiscard]] Json int_array(const std::vector<int>& values);
[[nodiscard]] Json text_array(const std::vector<std::string>& values);

[[nodiscard]] Json interval_json(const BootstrapInterval& interval);  // {estimate, lower, upper, replicates}

// {train: {subjects, events}, test: {...} | null, dropped_rows}
[[nodiscard]] Json split_data_json(const SurvivalData& train, const std::optional<SurvivalData>& test, std::size_t dropped);
[[nodiscard]] Json cox_penalty_json(const CoxPenaltySelection& selection);
// Rows {name, coef, hr, se, hr_lower, hr_upper, z, p}; after a penalised selection only coef and hr (the
// others would pretend the selection never happened).
[[nodiscard]] Json cox_coefficients_json(const CoxFit& fit, bool penalised, double confidence);
[[nodiscard]] Json cox_tests_json(const CoxFit& fit, bool penalised);
[[nodiscard]] Json calibration_json(const Calibration& calibration);
[[nodiscard]] Json curve_json(const KaplanMeierCurve& curve, const std::string& label, std::size_t subjects);
[[nodiscard]] Json log_rank_json(const LogRankTest& test, const std::vector<std::string>& labels);

// {train, train_positive, test, test_positive, dropped_rows} from the 0/1 outcomes of each part.
[[nodiscard]] Json logistic_data_json(std::span<const int> train, std::span<const int> test, std::size_t dropped);
[[nodiscard]] Json logistic_penalty_json(const LogisticPenaltySelection& selection);
// Rows {name, coef, se, or, or_lower, or_upper, p} (Wald intervals and tests).
[[nodiscard]] Json logistic_coefficients_json(const LogisticFit& fit, const std::vector<std::string>& names, double confidence);
[[nodiscard]] Json auc_json(const AucEstimate& auc);  // {estimate, lower, upper, se}

// {model, kind, outcome, linear_predictor, risk_group, probability | time_unit + median_survival + band +
// survival_at (at `times`) + survival (the curve), warnings}
[[nodiscard]] Json prediction_json(const SurvivalModel& model, const ModelPrediction& prediction, std::span<const double> times);
[[nodiscard]] Json growth_json(const GrowthVelocity& growth, double volume1_ml, double volume2_ml);

}  // namespace gliolens::survival
