// The research workflows behind `gliolens cox|km|logistic|predict|growth` and the app's cohort tab:
// each takes a cohort table (or a model) and options as JSON, and returns one JSON report. Keeping
// them in the core means the CLI, the browser and the native tests share every number. The options are
// read by workflow_options.hpp, which refuses a key the workflow does not know; the reports' JSON is
// written by workflow_report.hpp.
#pragma once
#include "core/common/json.hpp"
#include "core/survival/model_json.hpp"
#include "core/survival/table.hpp"

namespace gliolens::survival {

// options: {time, event, covariates?: [names] (default: every other numeric column), strata?, split?,
// ties?: "efron"|"breslow", penalty?: "none"|"l2"|"elasticnet"|"lasso", alpha?, lambda?, cv?: folds,
// lambda_rule?: "min"|"1se", path_length?, lambda_min_ratio?, seed?, bootstrap?: replicates, confidence?, risk_groups?: count,
// calibration_time?, calibration_groups?, auc_times?: [t], name?, description?, outcome?, source?, time_unit?}.
// Returns {data, fit, coefficients, tests, concordance, risk_groups, calibration?, time_dependent_auc,
// warnings, model} where model is the gliolens-model JSON of the fit.
[[nodiscard]] Json cox_workflow(const Table& table, const Json& options);

// options: {time, event, group?, confidence?}. Returns {curves: [{group, subjects, events, median,
// median_lower, median_upper, time, at_risk, events, censored, survival, lower, upper}], log_rank?}.
[[nodiscard]] Json kaplan_meier_workflow(const Table& table, const Json& options);

// options: {outcome, covariates?, split?, penalty?, alpha?, lambda?, cv?, lambda_rule?, path_length?,
// lambda_min_ratio?, seed?, confidence?, positive?: the outcome text that counts as 1, name?, description?,
// source?, time_unit?}.
[[nodiscard]] Json logistic_workflow(const Table& table, const Json& options);

// features: {name: number}; options: {stratum?, confidence?, times?: [t]}. Returns {model, kind,
// linear_predictor, risk_group, probability | survival + median_survival + survival_at, warnings}.
[[nodiscard]] Json prediction_report(const SurvivalModel& model, const Json& features, const Json& options);

// options: {volume1_ml, date1, volume2_ml, date2} (dates YYYY-MM-DD).
[[nodiscard]] Json growth_report(const Json& options);

// Column names with, for each, whether it is numeric, its count of present cells and its distinct
// values when few (the app's column pickers).
[[nodiscard]] Json table_summary(const Table& table);

}  // namespace gliolens::survival
