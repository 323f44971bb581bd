// Reading the workflows' JSON options (workflow_options.hpp).
#include "core/survival/workflow_options.hpp"

#include "core/errors.hpp"
#include "core/survival/growth.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace gliolens::survival {
namespace {

// Reads one workflow's options; every key read is one the workflow knows, so that refuse_unknown() can
// name the rest without a second list of the keys to keep in step.
class OptionReader {
public:
  OptionReader(const Json& options, std::string workflow) : workflow_(std::move(workflow)) {
    if (options.is_null()) return;
    if (!options.is_object()) throw InvalidInputError(workflow_ + ": the options must be a JSON object");
    options_ = &options;
  }

  // The value of `key`; nullptr when absent or null.
  const Json* find(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
    const Json* value = options_ ? options_->find(key) : nullptr;
    return value == nullptr || value->is_null() ? nullptr : value;
  }

  std::string text(std::string_view key, std::string fallback = {}) {
    const Json* value = find(key);
    return value ? value->as_string(key) : fallback;
  }

  std::optional<std::string> optional_text(std::string_view key) {
    const Json* value = find(key);
    return value ? std::optional<std::string>(value->as_string(key)) : std::nullopt;
  }

  std::string required_column(std::string_view key) {
    const std::string value = text(key);
    if (value.empty()) throw InvalidInputError("give the " + std::string(key) + " column ('" + std::string(key) + "')");
    return value;
  }

  double number(std::string_view key, double fallback) {
    const Json* value = find(key);
    return value ? value->as_number(key) : fallback;
  }

  std::optional<double> optional_number(std::string_view key) {
    const Json* value = find(key);
    return value ? std::optional<double>(value->as_number(key)) : std::nullopt;
  }

  int count(std::string_view key, int fallback, int minimum) {
    const double value = number(key, fallback);
    if (!(value >= minimum) || value != std::floor(value) || value > 1e7) {
      throw InvalidInputError("'" + std::string(key) + "' must be a whole number >= " + std::to_string(minimum));
    }
    return static_cast<int>(value);
  }

  std::vector<std::string> texts(std::string_view key) {
    std::vector<std::string> values;
    if (const Json* value = find(key)) {
      for (const Json& item : value->as_array(key)) values.push_back(item.as_string(key));
    }
    return values;
  }

  std::vector<double> numbers(std::string_view key) {
    const Json* value = find(key);
    return value ? numbers_from_json(*value, key) : std::vector<double>{};
  }

  double confidence() {
    const double level = number("confidence", 0.95);
    if (!(level > 0.0 && level < 1.0)) throw InvalidInputError("'confidence' must lie in (0, 1)");
    return level;
  }

  // Throws for the first key of the options that no read asked for.
  void refuse_unknown() const {
    if (options_ == nullptr) return;
    for (const auto& [key, value] : options_->as_object()) {
      if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
      std::string known;
      for (const auto& k : known_) known += (known.empty() ? "" : ", ") + k;
      throw InvalidInputError(workflow_ + ": unknown option '" + key + "' (" + known + ")");
    }
  }

private:
  const Json* options_ = nullptr;
  std::string workflow_;
  std::vector<std::string> known_;
};

PenaltyChoice penalty_choice(OptionReader& read) {
  PenaltyChoice p;
  const std::string penalty = read.text("penalty", "none");
  if (penalty == "none") p.penalty = Penalty::none;
  else if (penalty == "l2") p.penalty = Penalty::l2;
  else if (penalty == "elasticnet") p.penalty = Penalty::elasticnet;
  else if (penalty == "lasso") p.penalty = Penalty::lasso;
  else throw InvalidInputError("'penalty' must be none, l2, elasticnet or lasso, not '" + penalty + "'");
  p.alpha = read.optional_number("alpha");
  if (p.penalty == Penalty::elasticnet && !p.alpha) throw InvalidInputError("elastic net needs --alpha (0 ridge .. 1 lasso)");
  p.lambda = read.optional_number("lambda");
  p.folds = read.count("cv", p.folds, 2);
  const std::string rule = read.text("lambda_rule", "min");
  if (rule != "min" && rule != "1se") throw InvalidInputError("'lambda_rule' must be min or 1se");
  p.rule = rule == "1se" ? LambdaRule::one_se : LambdaRule::min;
  // The path glmnet would take, unless shortened: long paths to tiny lambdas cost most when p ~ n.
  p.path_length = read.count("path_length", p.path_length, 2);
  p.lambda_min_ratio = read.number("lambda_min_ratio", p.lambda_min_ratio);
  if (!(p.lambda_min_ratio >= 0.0 && p.lambda_min_ratio < 1.0)) throw InvalidInputError("'lambda_min_ratio' must lie in [0, 1)");
  return p;
}

ModelDescription model_description(OptionReader& read) {
  ModelDescription d;
  d.name = read.optional_text("name");
  d.description = read.optional_text("description");
  d.outcome = read.optional_text("outcome");
  d.source = read.optional_text("source");
  d.time_unit = read.optional_text("time_unit");
  return d;
}

}  // namespace

const char* to_string(Penalty penalty) {
  switch (penalty) {
    case Penalty::l2: return "l2";
    case Penalty::elasticnet: return "elasticnet";
    case Penalty::lasso: return "lasso";
    case Penalty::none: break;
  }
  return "none";
}

const char* to_string(LambdaRule rule) { return rule == LambdaRule::one_se ? "1se" : "min"; }

CoxWorkflowOptions cox_workflow_options(const Json& options) {
  OptionReader read(options, "cox");
  CoxWorkflowOptions o;
  o.time = read.required_column("time");
  o.event = read.required_column("event");
  o.covariates = read.texts("covariates");
  o.strata = read.text("strata");
  o.split = read.text("split");
  o.ties = ties_from_string(read.text("ties", "efron"));
  o.penalty = penalty_choice(read);
  o.confidence = read.confidence();
  o.bootstrap = read.count("bootstrap", o.bootstrap, 0);
  o.risk_groups = read.count("risk_groups", o.risk_groups, 2);
  o.seed = read.number("seed", o.seed);
  o.auc_times = read.numbers("auc_times");
  o.calibration_time = read.optional_number("calibration_time");
  o.calibration_groups = read.count("calibration_groups", o.calibration_groups, 1);
  o.description = model_description(read);
  read.refuse_unknown();
  return o;
}

KaplanMeierWorkflowOptions kaplan_meier_workflow_options(const Json& options) {
  OptionReader read(options, "km");
  KaplanMeierWorkflowOptions o;
  o.time = read.required_column("time");
  o.event = read.required_column("event");
  o.group = read.text("group");
  o.confidence = read.confidence();
  read.refuse_unknown();
  return o;
}

LogisticWorkflowOptions logistic_workflow_options(const Json& options) {
  OptionReader read(options, "logistic");
  LogisticWorkflowOptions o;
  o.outcome = read.required_column("outcome");
  o.covariates = read.texts("covariates");
  o.split = read.text("split");
  o.positive = read.text("positive");
  o.penalty = penalty_choice(read);
  o.confidence = read.confidence();
  o.seed = read.number("seed", o.seed);
  o.description = model_description(read);
  read.refuse_unknown();
  return o;
}

PredictionOptions prediction_options(const Json& options) {
  OptionReader read(options, "predict");
  PredictionOptions o;
  if (const auto stratum = read.optional_number("stratum")) o.stratum = static_cast<int>(*stratum);
  o.confidence = read.confidence();
  o.times = read.numbers("times");
  read.refuse_unknown();
  return o;
}

GrowthOptions growth_options(const Json& options) {
  OptionReader read(options, "growth");
  const auto volume = [&](const char* key) {
    const auto value = read.optional_number(key);
    if (!value) throw InvalidInputError(std::string("growth: give '") + key + "'");
    return *value;
  };
  const auto day = [&](const char* key) {
    const std::string text = read.text(key);
    if (text.empty()) throw InvalidInputError(std::string("growth: give '") + key + "' (YYYY-MM-DD)");
    return days_from_iso_date(text);
  };
  GrowthOptions o;
  o.volume1_ml = volume("volume1_ml");
  o.day1 = day("date1");
  o.volume2_ml = volume("volume2_ml");
  o.day2 = day("date2");
  read.refuse_unknown();
  return o;
}

}  // namespace gliolens::survival
