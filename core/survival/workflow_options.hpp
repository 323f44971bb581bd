// The options of the survival workflows (workflow.hpp), read from their JSON in one place: each key's
// type, range and default. A key that the workflow does not know is refused, naming it and the keys it
// knows, as parse_params refuses an unknown setting: a misspelt option would otherwise be silently ignored
// and the fit would run with its default. Null values count as absent.
#pragma once
#include "core/common/json.hpp"
#include "core/survival/cox.hpp"
#include "core/survival/penalized.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gliolens::survival {

enum class Penalty { none, l2, elasticnet, lasso };
[[nodiscard]] const char* to_string(Penalty penalty);

enum class LambdaRule { min, one_se };  // the lambda of least cross-validated deviance, or glmnet's 1-SE rule
[[nodiscard]] const char* to_string(LambdaRule rule);  // "min" | "1se"

// How a penalised fit is made: the penalty, and one lambda or cross-validation along a lambda path.
struct PenaltyChoice {
  Penalty penalty = Penalty::none;      // penalty
  std::optional<double> alpha;          // alpha: elastic-net mixing (needed by elasticnet; l2 is 0, lasso 1)
  std::optional<double> lambda;         // lambda: one penalty weight; otherwise cross-validation chooses it
  int folds = 10;                       // cv
  LambdaRule rule = LambdaRule::min;    // lambda_rule
  int path_length = PenaltyOptions{}.path_length;                // path_length
  double lambda_min_ratio = PenaltyOptions{}.lambda_min_ratio;  // lambda_min_ratio in [0, 1)
};

// What the written model says of itself; an absent key keeps the fit's own value.
struct ModelDescription {
  std::optional<std::string> name, description, outcome, source, time_unit;
};

struct CoxWorkflowOptions {
  std::string time, event;              // columns (required)
  std::vector<std::string> covariates;  // empty: every other numeric column that varies
  std::string strata, split;            // columns; empty: none
  Ties ties = Ties::efron;
  PenaltyChoice penalty;
  double confidence = 0.95;
  int bootstrap = 200;                  // replicates for the C-index intervals (below 2: none)
  int risk_groups = 2;
  double seed = 1;
  std::vector<double> auc_times;
  std::optional<double> calibration_time;
  int calibration_groups = 4;
  ModelDescription description;         // name, description, outcome, source, time_unit
};

struct KaplanMeierWorkflowOptions {
  std::string time, event;  // columns (required)
  std::string group;        // column; empty: one curve
  double confidence = 0.95;
};

struct LogisticWorkflowOptions {
  std::string outcome;                  // column (required); also the model's outcome
  std::vector<std::string> covariates;  // empty: every other numeric column that varies
  std::string split;                    // column; empty: none
  std::string positive;                 // the outcome text that counts as 1; empty: the outcome is 0/1
  PenaltyChoice penalty;
  double confidence = 0.95;
  double seed = 1;
  ModelDescription description;
};

struct PredictionOptions {
  std::optional<int> stratum;  // absent: the model's first stratum
  double confidence = 0.95;
  std::vector<double> times;
};

struct GrowthOptions {
  double volume1_ml = 0.0, volume2_ml = 0.0;
  long day1 = 0, day2 = 0;  // days_from_iso_date of date1 and date2
};

// Each throws InvalidInputError for a missing required key, a value out of range or an unknown key, and
// FormatError (from Json) for a value of the wrong type.
[[nodiscard]] CoxWorkflowOptions cox_workflow_options(const Json& options);
[[nodiscard]] KaplanMeierWorkflowOptions kaplan_meier_workflow_options(const Json& options);
[[nodiscard]] LogisticWorkflowOptions logistic_workflow_options(const Json& options);
[[nodiscard]] PredictionOptions prediction_options(const Json& options);
[[nodiscard]] GrowthOptions growth_options(const Json& options);

}  // namespace gliolens::survival
