#include "core/survival/workflow.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>

#include "core/errors.hpp"
#include "core/survival/calibration.hpp"
#include "core/survival/concordance.hpp"
#include "core/survival/cox.hpp"
#include "core/survival/distributions.hpp"
#include "core/survival/growth.hpp"
#include "core/survival/kaplan_meier.hpp"
#include "core/survival/logistic.hpp"
#include "core/common/number_text.hpp"
#include "core/survival/penalized.hpp"
#include "core/survival/resampling.hpp"

namespace gliolens::survival {
namespace {

// --- reading options -----------------------------------------------------------------------------

const Json* option(const Json& options, std::string_view key) {
  if (!options.is_object()) return nullptr;
  const Json* value = options.find(key);
  return value == nullptr || value->is_null() ? nullptr : value;
}

std::string text_option(const Json& options, std::string_view key, std::string fallback = {}) {
  const Json* value = option(options, key);
  return value ? value->as_string(key) : fallback;
}

std::string required_text(const Json& options, std::string_view key, std::string_view what) {
  const std::string value = text_option(options, key);
  if (value.empty()) throw InvalidInputError("give the " + std::string(what) + " column ('" + std::string(key) + "')");
  return value;
}

double number_option(const Json& options, std::string_view key, double fallback) {
  const Json* value = option(options, key);
  return value ? value->as_number(key) : fallback;
}

int count_option(const Json& options, std::string_view key, int fallback, int minimum) {
  const double value = number_option(options, key, fallback);
  if (!(value >= minimum) || value != std::floor(value) || value > 1e7) {
    throw InvalidInputError("'" + std::string(key) + "' must be a whole number >= " + std::to_string(minimum));
  }
  return static_cast<int>(value);
}

std::vector<std::string> text_list_option(const Json& options, std::string_view key) {
  std::vector<std::string> values;
  if (const Json* value = option(options, key)) {
    for (const Json& item : value->as_array(key)) values.push_back(item.as_string(key));
  }
  return values;
}

std::vector<double> number_list_option(const Json& options, std::string_view key) {
  const Json* value = option(options, key);
  return value ? numbers_from_json(*value, key) : std::vector<double>{};
}

double confidence_option(const Json& options) {
  const double level = number_option(options, "confidence", 0.95);
  if (!(level > 0.0 && level < 1.0)) throw InvalidInputError("'confidence' must lie in (0, 1)");
  return level;
}

// --- JSON helpers --------------------------------------------------------------------------------

Json optional_number(const std::optional<double>& value) { return value ? Json(*value) : Json(); }
Json finite_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(); }

Json int_array(const std::vector<int>& values) { return to_json_array(std::vector<double>(values.begin(), values.end())); }

Json text_array(const std::vector<std::string>& values) {
  Json::Array array;
  for (const auto& v : values) array.emplace_back(v);
  return Json(std::move(array));
}

Json interval_json(const BootstrapInterval& b) {
  Json json;
  json.set("estimate", b.estimate);
  json.set("lower", b.lower);
  json.set("upper", b.upper);
  json.set("replicates", b.replicates);
  return json;
}

// --- the columns of a workflow -------------------------------------------------------------------

bool numeric_column(const Table& table, const std::string& name) {
  try {
    const auto values = table.numeric_column(name);
    return std::any_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
  } catch (const InvalidInputError&) {
    return false;
  }
}

// The covariates named, or every other numeric column that varies: a quick look at a new table.
std::vector<std::string> covariate_columns(const Table& table, const Json& options, const std::set<std::string>& taken) {
  std::vector<std::string> names = text_list_option(options, "covariates");
  if (!names.empty()) {
    for (const auto& name : names) {
      if (!table.has_column(name)) (void)table.numeric_column(name);  // throws, naming the known columns
      if (taken.count(name)) throw InvalidInputError("column '" + name + "' is both a covariate and the time, event, strata or split");
    }
    return names;
  }
  for (const auto& name : table.column_names()) {
    if (name.empty() || taken.count(name) || !numeric_column(table, name)) continue;
    const auto values = table.numeric_column(name);
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end(), [](double a, double b) {
      return std::isnan(a) ? false : std::isnan(b) ? true : a < b;
    });
    if (*lo < *hi) names.push_back(name);
  }
  if (names.empty()) throw InvalidInputError("the table has no numeric covariate columns besides the time and event");
  return names;
}

// Train (false) or test (true) for each table row; nullopt for rows without a usable label.
std::vector<std::optional<bool>> split_labels(const Table& table, const std::string& column) {
  std::vector<std::optional<bool>> labels;
  for (const auto& cell : table.text_column(column)) {
    std::string text;
    for (const char c : cell) {
      if (c != ' ' && c != '"') text.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (text == "train" || text == "training" || text == "0" || text == "discovery") {
      labels.emplace_back(false);
    } else if (text == "test" || text == "testing" || text == "validation" || text == "val" || text == "holdout" ||
               text == "1" || text == "replication") {
      labels.emplace_back(true);
    } else if (is_missing_cell(cell)) {
      labels.emplace_back(std::nullopt);
    } else {
      throw InvalidInputError("split column '" + column + "': '" + cell +
                              "' is neither train (train/training/0) nor test (test/validation/holdout/1)");
    }
  }
  return labels;
}

struct SplitData {
  SurvivalData train;
  std::optional<SurvivalData> test;
  std::size_t dropped = 0;
};

SplitData split_survival(const Table& table, const SurvivalColumns& columns, const std::string& split_column) {
  SelectedSurvivalData selected = select_survival_data(table, columns);
  SplitData result;
  result.dropped = selected.dropped_incomplete_rows;
  if (split_column.empty()) {
    result.train = std::move(selected.data);
    return result;
  }
  const auto labels = split_labels(table, split_column);
  std::vector<std::size_t> train_rows;
  std::vector<std::size_t> test_rows;
  for (std::size_t i = 0; i < selected.table_rows.size(); ++i) {
    const auto label = labels[selected.table_rows[i]];
    if (!label) {
      ++result.dropped;
    } else {
      (*label ? test_rows : train_rows).push_back(i);
    }
  }
  if (train_rows.empty()) throw InvalidInputError("split column '" + split_column + "' marks no complete row as train");
  result.train = subset(selected.data, train_rows);
  if (!test_rows.empty()) result.test = subset(selected.data, test_rows);
  return result;
}

// --- Cox -----------------------------------------------------------------------------------------

struct CoxChoice {
  CoxFit fit;
  SurvivalData data;  // the training data restricted to the model's covariates
  Json penalty;
  bool penalised = false;
};

PenaltyOptions penalty_options(const Json& options, Ties ties, const std::string& penalty) {
  PenaltyOptions p;
  p.ties = ties;
  p.alpha = penalty == "l2" ? 0.0 : penalty == "lasso" ? 1.0 : number_option(options, "alpha", 0.5);
  if (penalty == "elasticnet" && option(options, "alpha") == nullptr) {
    throw InvalidInputError("elastic net needs --alpha (0 ridge .. 1 lasso)");
  }
  // The path glmnet would take, unless shortened: long paths to tiny lambdas cost most when p ~ n.
  p.path_length = count_option(options, "path_length", p.path_length, 2);
  p.lambda_min_ratio = number_option(options, "lambda_min_ratio", p.lambda_min_ratio);
  if (!(p.lambda_min_ratio >= 0.0 && p.lambda_min_ratio < 1.0)) throw InvalidInputError("'lambda_min_ratio' must lie in [0, 1)");
  return p;
}

// Keeps the covariates with non-zero coefficients, so that a new patient needs only those.
SurvivalData keep_columns(const SurvivalData& data, const std::vector<Eigen::Index>& keep) {
  SurvivalData out = data;
  out.covariates.resize(static_cast<Eigen::Index>(data.size()), static_cast<Eigen::Index>(keep.size()));
  out.covariate_names.clear();
  for (std::size_t k = 0; k < keep.size(); ++k) {
    out.covariates.col(static_cast<Eigen::Index>(k)) = data.covariates.col(keep[k]);
    out.covariate_names.push_back(data.covariate_names[static_cast<std::size_t>(keep[k])]);
  }
  return out;
}

CoxChoice fit_penalised(const SurvivalData& train, const Json& options, Ties ties, const std::string& penalty) {
  PenaltyOptions p = penalty_options(options, ties, penalty);
  Json info;
  info.set("type", penalty);
  info.set("alpha", p.alpha);
  Eigen::VectorXd beta;
  std::vector<std::string> warnings;
  if (const Json* lambda = option(options, "lambda")) {
    p.lambdas = {lambda->as_number("lambda")};
    const PenalizedCoxPath path = fit_penalized_cox_path(train, p);
    beta = path.coefficients.front();
    warnings = path.warnings;
    info.set("lambda", p.lambdas.front());
  } else {
    const int folds = count_option(options, "cv", 10, 2);
    std::mt19937_64 random(static_cast<std::uint64_t>(number_option(options, "seed", 1)));
    const CrossValidatedCox cv = cross_validate_penalized_cox(train, p, folds, random);
    const std::string rule = text_option(options, "lambda_rule", "min");
    if (rule != "min" && rule != "1se") throw InvalidInputError("'lambda_rule' must be min or 1se");
    const std::size_t chosen = rule == "1se" ? cv.one_se : cv.best;
    beta = cv.path.coefficients[chosen];
    warnings = cv.path.warnings;
    info.set("lambda", cv.path.lambdas[chosen]);
    Json cv_json;
    cv_json.set("folds", folds);
    cv_json.set("rule", rule);
    cv_json.set("lambda_min", cv.lambda_min());
    cv_json.set("lambda_1se", cv.lambda_1se());
    cv_json.set("lambdas", to_json_array(cv.path.lambdas));
    cv_json.set("deviance", to_json_array(cv.cv_deviance));
    cv_json.set("deviance_se", to_json_array(cv.cv_standard_error));
    cv_json.set("nonzero", int_array(cv.path.nonzero));
    info.set("cv", std::move(cv_json));
  }
  std::vector<Eigen::Index> keep;
  for (Eigen::Index j = 0; j < beta.size(); ++j) {
    if (beta(j) != 0.0) keep.push_back(j);
  }
  if (keep.empty()) {
    throw NumericalError("the penalty removed every covariate (lambda " + std::to_string(info.at("lambda").as_number()) +
                         "): no covariate predicts survival at this penalty; use a smaller lambda or lambda_rule min");
  }
  CoxChoice choice;
  choice.data = keep_columns(train, keep);
  Eigen::VectorXd kept(static_cast<Eigen::Index>(keep.size()));
  for (std::size_t k = 0; k < keep.size(); ++k) kept(static_cast<Eigen::Index>(k)) = beta(keep[k]);
  choice.fit = cox_fit_at(choice.data, kept, ties);
  choice.fit.warnings.insert(choice.fit.warnings.end(), warnings.begin(), warnings.end());
  info.set("selected", text_array(choice.data.covariate_names));
  choice.penalty = std::move(info);
  choice.penalised = true;
  return choice;
}

Json coefficient_table(const CoxChoice& choice, double confidence) {
  Json::Array rows;
  const CoxFit& fit = choice.fit;
  const auto ratios = hazard_ratios(fit, confidence);
  for (std::size_t j = 0; j < fit.covariate_count(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    Json row;
    row.set("name", fit.covariate_names[j]);
    row.set("coef", fit.coefficients(jj));
    row.set("hr", finite_or_null(std::exp(fit.coefficients(jj))));  // per unit: may overflow for tiny-scale features
    if (choice.penalised) {
      for (const char* key : {"se", "hr_lower", "hr_upper", "z", "p"}) row.set(key, Json());
    } else {
      row.set("se", fit.standard_errors(jj));
      row.set("hr_lower", ratios[j].lower);
      row.set("hr_upper", ratios[j].upper);
      row.set("z", ratios[j].z);
      row.set("p", ratios[j].p_value);
    }
    rows.push_back(std::move(row));
  }
  return Json(std::move(rows));
}

Json test_json(double statistic, double df, double p) {
  Json json;
  json.set("statistic", statistic);
  json.set("df", df);
  json.set("p", p);
  return json;
}

Json cox_tests(const CoxChoice& choice) {
  const CoxFit& fit = choice.fit;
  const auto df = static_cast<double>(fit.covariate_count());
  Json json;
  json.set("log_likelihood_null", fit.log_likelihood_null);
  json.set("log_likelihood", fit.log_likelihood);
  if (choice.penalised) {
    // Tests of a penalised fit would pretend the selection never happened.
    json.set("likelihood_ratio", Json());
    json.set("wald", Json());
    json.set("score", Json());
  } else {
    json.set("likelihood_ratio", test_json(fit.likelihood_ratio_statistic, df, fit.likelihood_ratio_p));
    json.set("wald", test_json(fit.wald_statistic, df, fit.wald_p));
    json.set("score", test_json(fit.score_statistic, df, fit.score_p));
  }
  json.set("iterations", fit.iterations);
  json.set("converged", fit.converged);
  return json;
}

// Harrell's C of a fixed risk score with a bootstrap percentile interval over the subjects.
BootstrapInterval concordance_interval(const SurvivalData& data, const Eigen::VectorXd& risk, int replicates,
                                       double confidence, std::mt19937_64& random) {
  const auto statistic = [&](std::span<const std::size_t> rows) {
    std::vector<double> time;
    std::vector<int> event;
    std::vector<int> stratum;
    Eigen::VectorXd r(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t k = 0; k < rows.size(); ++k) {
      time.push_back(data.time[rows[k]]);
      event.push_back(data.event[rows[k]]);
      if (data.stratified()) stratum.push_back(data.stratum[rows[k]]);
      r(static_cast<Eigen::Index>(k)) = risk(static_cast<Eigen::Index>(rows[k]));
    }
    if (std::count(event.begin(), event.end(), 1) == 0) throw InvalidInputError("no events in the resample");
    return harrell_concordance(time, event, r, stratum).concordance;
  };
  return bootstrap_interval(data.size(), statistic, replicates, confidence, random);
}

// S(t | x) for each subject from the fit's baseline (its stratum's), as a step function of t.
std::vector<double> predicted_survival_at(const CoxFit& fit, const SurvivalData& data, double at_time) {
  const Eigen::VectorXd lp = linear_predictors(fit, data.covariates);
  std::vector<double> survival;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const int stratum = data.stratified() ? data.stratum[i] : fit.baseline.front().stratum;
    const auto baseline = std::find_if(fit.baseline.begin(), fit.baseline.end(),
                                       [stratum](const StratumBaseline& b) { return b.stratum == stratum; });
    double hazard = 0.0;
    if (baseline != fit.baseline.end()) {
      for (std::size_t k = 0; k < baseline->time.size() && baseline->time[k] <= at_time; ++k) {
        hazard = baseline->cumulative_hazard[k];
      }
    }
    survival.push_back(std::exp(-hazard * std::exp(lp(static_cast<Eigen::Index>(i)))));
  }
  return survival;
}

Json calibration_json(const Calibration& c) {
  Json json;
  json.set("time", c.time);
  Json::Array groups;
  for (const auto& g : c.groups) {
    Json row;
    row.set("subjects", g.subjects);
    row.set("events_by_time", g.events_by_time);
    row.set("predicted", g.predicted);
    row.set("observed", g.observed);
    row.set("observed_lower", g.observed_lower);
    row.set("observed_upper", g.observed_upper);
    groups.push_back(std::move(row));
  }
  json.set("groups", Json(std::move(groups)));
  json.set("mean_absolute_difference", c.mean_absolute_difference);
  return json;
}

std::vector<std::string> group_labels(std::size_t count) {
  if (count == 2) return {"low", "high"};
  if (count == 3) return {"low", "intermediate", "high"};
  std::vector<std::string> labels;
  for (std::size_t k = 1; k <= count; ++k) labels.push_back("group " + std::to_string(k));
  return labels;
}

Json curve_json(const KaplanMeierCurve& km, const std::string& label, std::size_t subjects) {
  Json json;
  json.set("group", label);
  json.set("subjects", subjects);
  json.set("events", static_cast<std::size_t>(std::accumulate(km.events.begin(), km.events.end(), 0)));
  json.set("median", optional_number(km.median));
  json.set("median_lower", optional_number(km.median_lower));
  json.set("median_upper", optional_number(km.median_upper));
  json.set("time", to_json_array(km.time));
  json.set("at_risk", int_array(km.at_risk));
  json.set("events_at", int_array(km.events));
  json.set("censored", int_array(km.censored));
  json.set("survival", to_json_array(km.survival));
  json.set("lower", to_json_array(km.lower));
  json.set("upper", to_json_array(km.upper));
  return json;
}

Json log_rank_json(const LogRankTest& test, const std::vector<std::string>& labels) {
  Json json;
  json.set("chi_square", test.chi_square);
  json.set("df", test.degrees_of_freedom);
  json.set("p", test.p_value);
  Json::Array groups;
  for (std::size_t g = 0; g < test.groups.size(); ++g) {
    Json row;
    const auto index = static_cast<std::size_t>(test.groups[g]);
    row.set("group", index < labels.size() ? labels[index] : std::to_string(test.groups[g]));
    row.set("subjects", test.subjects[g]);
    row.set("observed", test.observed[g]);
    row.set("expected", test.expected[g]);
    groups.push_back(std::move(row));
  }
  json.set("groups", Json(std::move(groups)));
  return json;
}

// Kaplan-Meier curves for groups 0..labels-1 and their log-rank test (when two or more have subjects).
Json curves_by_group(std::span<const double> time, std::span<const int> event, const std::vector<int>& group,
                     const std::vector<std::string>& labels, double confidence) {
  Json::Array curves;
  std::vector<double> group_values;
  for (std::size_t g = 0; g < labels.size(); ++g) {
    std::vector<double> t;
    std::vector<int> e;
    for (std::size_t i = 0; i < time.size(); ++i) {
      if (group[i] == static_cast<int>(g)) {
        t.push_back(time[i]);
        e.push_back(event[i]);
      }
    }
    if (t.empty()) continue;
    curves.push_back(curve_json(kaplan_meier(t, e, confidence), labels[g], t.size()));
  }
  Json json;
  const std::size_t present = curves.size();
  json.set("curves", Json(std::move(curves)));
  for (const int g : group) group_values.push_back(g);
  const bool any_event = std::find(event.begin(), event.end(), 1) != event.end();
  json.set("log_rank", present >= 2 && any_event ? log_rank_json(log_rank_test(time, event, group_values), labels) : Json());
  return json;
}

std::vector<int> assign_groups(const Eigen::VectorXd& lp, const std::vector<double>& cutpoints) {
  std::vector<int> group;
  for (Eigen::Index i = 0; i < lp.size(); ++i) {
    group.push_back(static_cast<int>(std::upper_bound(cutpoints.begin(), cutpoints.end(), lp(i)) - cutpoints.begin()));
  }
  return group;
}

Json data_summary(const SplitData& split) {
  Json json;
  const auto part = [](const SurvivalData& d) {
    Json p;
    p.set("subjects", d.size());
    p.set("events", d.event_count());
    return p;
  };
  json.set("train", part(split.train));
  json.set("test", split.test ? part(*split.test) : Json());
  json.set("dropped_rows", split.dropped);
  return json;
}

ModelMetric metric(std::string name, const BootstrapInterval& b, std::string note) {
  return ModelMetric{std::move(name), b.estimate, b.lower, b.upper, std::move(note)};
}

void describe_model(SurvivalModel& model, const Json& options) {
  model.name = text_option(options, "name", model.name);
  model.description = text_option(options, "description", model.description);
  model.outcome = text_option(options, "outcome", model.outcome);
  model.cohort.source = text_option(options, "source", model.cohort.source);
  model.cohort.time_unit = text_option(options, "time_unit", model.cohort.time_unit);
}

}  // namespace

Json cox_workflow(const Table& table, const Json& options) {
  SurvivalColumns columns;
  columns.time = required_text(options, "time", "time");
  columns.event = required_text(options, "event", "event");
  const std::string strata = text_option(options, "strata");
  const std::string split_column = text_option(options, "split");
  if (!strata.empty()) columns.stratum = strata;
  columns.covariates = covariate_columns(table, options, {columns.time, columns.event, strata, split_column});
  const Ties ties = ties_from_string(text_option(options, "ties", "efron"));
  const std::string penalty = text_option(options, "penalty", "none");
  if (penalty != "none" && penalty != "l2" && penalty != "elasticnet" && penalty != "lasso") {
    throw InvalidInputError("'penalty' must be none, l2, elasticnet or lasso, not '" + penalty + "'");
  }
  const double confidence = confidence_option(options);
  const int replicates = count_option(options, "bootstrap", 200, 0);
  const int group_count = count_option(options, "risk_groups", 2, 2);
  std::mt19937_64 random(static_cast<std::uint64_t>(number_option(options, "seed", 1)) + 7);

  const SplitData split = split_survival(table, columns, split_column);
  CoxChoice choice;
  if (penalty == "none") {
    CoxOptions cox;
    cox.ties = ties;
    choice.data = split.train;
    choice.fit = fit_cox(split.train, cox);
  } else {
    choice = fit_penalised(split.train, options, ties, penalty);
  }
  const CoxFit& fit = choice.fit;
  const auto restrict = [&](const SurvivalData& d) {
    SurvivalData out = d;
    std::vector<Eigen::Index> keep;
    for (const auto& name : choice.data.covariate_names) {
      keep.push_back(static_cast<Eigen::Index>(std::find(d.covariate_names.begin(), d.covariate_names.end(), name) -
                                               d.covariate_names.begin()));
    }
    return keep_columns(d, keep);
  };
  const std::optional<SurvivalData> test = split.test ? std::optional(restrict(*split.test)) : std::nullopt;

  Json report;
  report.set("data", data_summary(split));
  report.set("covariates", text_array(columns.covariates));
  report.set("ties", to_string(ties));
  report.set("strata", strata.empty() ? Json() : Json(strata));
  report.set("penalty", penalty == "none" ? Json() : choice.penalty);
  report.set("coefficients", coefficient_table(choice, confidence));
  report.set("tests", cox_tests(choice));

  SurvivalModel model = model_from_cox(fit, choice.data);
  const Eigen::VectorXd train_lp = linear_predictors(fit, choice.data.covariates);
  Json concordance;
  const auto evaluate = [&](const SurvivalData& d, const Eigen::VectorXd& lp, const std::string& part) {
    Json c;
    if (replicates >= 2) {
      const BootstrapInterval b = concordance_interval(d, lp, replicates, confidence, random);
      c = interval_json(b);
      model.metrics.push_back(metric("c_index_" + part, b, "Harrell's C on the " + part + " set; bootstrap " +
                                     std::to_string(replicates) + " percentile interval"));
    } else {
      c.set("estimate", harrell_concordance(d.time, d.event, lp, d.stratum).concordance);
    }
    if (!d.stratified()) c.set("uno", uno_concordance(d.time, d.event, lp).concordance);
    return c;
  };
  concordance.set("train", evaluate(choice.data, train_lp, "train"));
  const Eigen::VectorXd test_lp = test ? linear_predictors(fit, test->covariates) : Eigen::VectorXd();
  concordance.set("test", test ? evaluate(*test, test_lp, "test") : Json());
  report.set("concordance", std::move(concordance));

  // Risk groups: quantiles of the training linear predictor, judged on the test set when there is one.
  std::vector<double> lp_values(train_lp.data(), train_lp.data() + train_lp.size());
  std::vector<double> cutpoints;
  for (int g = 1; g < group_count; ++g) cutpoints.push_back(quantile(lp_values, static_cast<double>(g) / group_count));
  cutpoints.erase(std::unique(cutpoints.begin(), cutpoints.end()), cutpoints.end());
  const auto labels = group_labels(cutpoints.size() + 1);
  model.risk_group_cutpoints = cutpoints;
  model.risk_group_labels = labels;
  const SurvivalData& judged = test ? *test : choice.data;
  const Eigen::VectorXd& judged_lp = test ? test_lp : train_lp;
  Json groups = curves_by_group(judged.time, judged.event, assign_groups(judged_lp, cutpoints), labels, confidence);
  groups.set("cutpoints", to_json_array(cutpoints));
  groups.set("labels", text_array(labels));
  groups.set("evaluated_on", test ? "test" : "train");
  report.set("risk_groups", std::move(groups));

  Json::Array aucs;
  for (const double t : number_list_option(options, "auc_times")) {
    Json row;
    row.set("time", t);
    row.set("auc", finite_or_null(time_dependent_auc(judged.time, judged.event, judged_lp, t)));
    aucs.push_back(std::move(row));
  }
  report.set("time_dependent_auc", Json(std::move(aucs)));

  if (const Json* at = option(options, "calibration_time")) {
    const double t = at->as_number("calibration_time");
    const int calibration_groups = count_option(options, "calibration_groups", 4, 1);
    const Calibration c = calibration_at_time(judged.time, judged.event, predicted_survival_at(fit, judged, t), t,
                                              calibration_groups, confidence);
    Json cj = calibration_json(c);
    cj.set("evaluated_on", test ? "test" : "train");
    report.set("calibration", std::move(cj));
    model.metrics.push_back(ModelMetric{"calibration_mad", c.mean_absolute_difference, std::nullopt, std::nullopt,
                                        "at t = " + format_double(t) + ": mean |predicted - Kaplan-Meier observed| S(t) over " +
                                            std::to_string(calibration_groups) + " risk groups, " +
                                            (test ? "test" : "train") + " set"});
  }
  report.set("warnings", text_array(fit.warnings));
  describe_model(model, options);
  if (model.cohort.source.empty()) model.cohort.source = text_option(options, "source");
  report.set("model", model_to_json_value(model));
  return report;
}

Json kaplan_meier_workflow(const Table& table, const Json& options) {
  const std::string time_column = required_text(options, "time", "time");
  const std::string event_column = required_text(options, "event", "event");
  const std::string group_column = text_option(options, "group");
  const double confidence = confidence_option(options);
  const auto time = table.numeric_column(time_column);
  const auto event_values = table.numeric_column(event_column);
  const auto group_text = group_column.empty() ? std::vector<std::string>(time.size()) : table.text_column(group_column);
  std::vector<double> t;
  std::vector<int> e;
  std::vector<std::string> g;
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < time.size(); ++i) {
    if (!std::isfinite(time[i]) || !std::isfinite(event_values[i]) || (!group_column.empty() && is_missing_cell(group_text[i]))) {
      ++dropped;
      continue;
    }
    if (event_values[i] != 0.0 && event_values[i] != 1.0) {
      throw InvalidInputError("column '" + event_column + "', data row " + std::to_string(i + 1) +
                              ": event must be 0 (censored) or 1 (event), not " + format_double(event_values[i]));
    }
    t.push_back(time[i]);
    e.push_back(static_cast<int>(event_values[i]));
    g.push_back(group_text[i]);
  }
  if (t.empty()) throw InvalidInputError("no complete rows in columns '" + time_column + "' and '" + event_column + "'");
  Json report;
  if (group_column.empty()) {
    Json::Array curves;
    curves.push_back(curve_json(kaplan_meier(t, e, confidence), "all", t.size()));
    report.set("curves", Json(std::move(curves)));
    report.set("log_rank", Json());
  } else {
    // Groups in numeric order when every label is a number, else in text order.
    std::vector<std::string> labels(g.begin(), g.end());
    const bool numeric = std::all_of(labels.begin(), labels.end(), [](const std::string& s) { return parse_double(s).has_value(); });
    std::sort(labels.begin(), labels.end(), [numeric](const std::string& a, const std::string& b) {
      return numeric ? *parse_double(a) < *parse_double(b) : a < b;
    });
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    std::vector<int> index;
    for (const auto& label : g) index.push_back(static_cast<int>(std::find(labels.begin(), labels.end(), label) - labels.begin()));
    report = curves_by_group(t, e, index, labels, confidence);
  }
  report.set("group", group_column.empty() ? Json() : Json(group_column));
  report.set("subjects", t.size());
  report.set("dropped_rows", dropped);
  return report;
}

Json logistic_workflow(const Table& table, const Json& options) {
  const std::string outcome_column = required_text(options, "outcome", "outcome");
  const std::string split_column = text_option(options, "split");
  const std::string penalty = text_option(options, "penalty", "none");
  if (penalty != "none" && penalty != "l2" && penalty != "elasticnet" && penalty != "lasso") {
    throw InvalidInputError("'penalty' must be none, l2, elasticnet or lasso, not '" + penalty + "'");
  }
  const double confidence = confidence_option(options);
  const auto covariates = covariate_columns(table, options, {outcome_column, split_column});
  const std::string positive = text_option(options, "positive");
  const auto outcome_text = table.text_column(outcome_column);
  std::vector<std::vector<double>> columns;
  for (const auto& name : covariates) columns.push_back(table.numeric_column(name));
  const auto split = split_column.empty() ? std::vector<std::optional<bool>>(outcome_text.size(), false)
                                          : split_labels(table, split_column);
  std::vector<std::size_t> rows[2];
  std::vector<int> y[2];
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < outcome_text.size(); ++i) {
    bool complete = !is_missing_cell(outcome_text[i]) && split[i].has_value();
    for (const auto& c : columns) complete = complete && std::isfinite(c[i]);
    if (!complete) {
      ++dropped;
      continue;
    }
    int label = 0;
    if (!positive.empty()) {
      label = outcome_text[i] == positive ? 1 : 0;
    } else {
      const auto v = parse_double(outcome_text[i]);
      if (!v || (*v != 0.0 && *v != 1.0)) {
        throw InvalidInputError("column '" + outcome_column + "', data row " + std::to_string(i + 1) + ": '" + outcome_text[i] +
                                "' is not 0/1; name the positive class ('positive')");
      }
      label = static_cast<int>(*v);
    }
    const int part = *split[i] ? 1 : 0;
    rows[part].push_back(i);
    y[part].push_back(label);
  }
  const auto matrix = [&](const std::vector<std::size_t>& r) {
    Eigen::MatrixXd x(static_cast<Eigen::Index>(r.size()), static_cast<Eigen::Index>(columns.size()));
    for (std::size_t i = 0; i < r.size(); ++i) {
      for (std::size_t j = 0; j < columns.size(); ++j) x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = columns[j][r[i]];
    }
    return x;
  };
  if (rows[0].empty()) throw InvalidInputError("no complete training rows for the outcome '" + outcome_column + "'");
  Eigen::MatrixXd train_x = matrix(rows[0]);
  LogisticFit fit;
  Json penalty_json;
  std::vector<std::string> names = covariates;
  if (penalty == "none") {
    fit = fit_logistic(train_x, y[0], names);
  } else {
    PenaltyOptions p = penalty_options(options, Ties::breslow, penalty);
    penalty_json.set("type", penalty);
    penalty_json.set("alpha", p.alpha);
    Eigen::VectorXd beta;
    if (const Json* lambda = option(options, "lambda")) {
      p.lambdas = {lambda->as_number("lambda")};
      beta = fit_penalized_logistic_path(train_x, y[0], names, p).coefficients.front();
      penalty_json.set("lambda", p.lambdas.front());
    } else {
      const int folds = count_option(options, "cv", 10, 2);
      std::mt19937_64 random(static_cast<std::uint64_t>(number_option(options, "seed", 1)));
      const auto cv = cross_validate_penalized_logistic(train_x, y[0], names, p, folds, random);
      const std::size_t chosen = text_option(options, "lambda_rule", "min") == "1se" ? cv.one_se : cv.best;
      beta = cv.path.coefficients[chosen];
      penalty_json.set("lambda", cv.path.lambdas[chosen]);
      penalty_json.set("folds", folds);
    }
    // Refit the selected covariates with the same shrinkage would need the intercept; simplest honest
    // choice: an L2-stabilised maximum-likelihood refit on the selected columns.
    std::vector<std::size_t> keep;
    for (Eigen::Index j = 0; j < beta.size(); ++j) {
      if (beta(j) != 0.0) keep.push_back(static_cast<std::size_t>(j));
    }
    if (keep.empty()) throw NumericalError("the penalty removed every covariate; use a smaller lambda");
    std::vector<std::vector<double>> kept_columns;
    names.clear();
    for (const auto j : keep) {
      kept_columns.push_back(columns[j]);
      names.push_back(covariates[j]);
    }
    columns = std::move(kept_columns);
    train_x = matrix(rows[0]);
    LogisticOptions lo;
    lo.l2_penalty = 1e-3;
    fit = fit_logistic(train_x, y[0], names, lo);
    penalty_json.set("selected", text_array(names));
    penalty_json.set("refit", "selected covariates refitted by maximum likelihood (L2 1e-3 for stability)");
  }
  SurvivalModel model = model_from_logistic(fit, train_x, y[0]);
  Json report;
  Json data;
  data.set("train", rows[0].size());
  data.set("train_positive", static_cast<std::size_t>(std::count(y[0].begin(), y[0].end(), 1)));
  data.set("test", rows[1].empty() ? Json() : Json(rows[1].size()));
  data.set("test_positive", rows[1].empty() ? Json() : Json(static_cast<std::size_t>(std::count(y[1].begin(), y[1].end(), 1))));
  data.set("dropped_rows", dropped);
  report.set("data", std::move(data));
  report.set("penalty", penalty == "none" ? Json() : penalty_json);
  Json::Array coefficients;
  const double z = normal_critical_value(confidence);
  for (std::size_t j = 0; j < names.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    Json row;
    row.set("name", names[j]);
    row.set("coef", fit.coefficients(jj));
    row.set("se", fit.standard_errors(jj));
    row.set("or", finite_or_null(std::exp(fit.coefficients(jj))));
    row.set("or_lower", std::exp(fit.coefficients(jj) - z * fit.standard_errors(jj)));
    row.set("or_upper", std::exp(fit.coefficients(jj) + z * fit.standard_errors(jj)));
    row.set("p", 2.0 * (1.0 - normal_cdf(std::abs(fit.coefficients(jj) / fit.standard_errors(jj)))));
    coefficients.push_back(std::move(row));
  }
  report.set("intercept", fit.intercept);
  report.set("coefficients", Json(std::move(coefficients)));
  const auto auc_of = [&](int part, const std::string& name) {
    const Eigen::VectorXd p = logistic_probabilities(fit.intercept, fit.coefficients, matrix(rows[part]));
    const AucEstimate a = area_under_curve(std::vector<double>(p.data(), p.data() + p.size()), y[part], confidence);
    model.metrics.push_back(ModelMetric{"auc_" + name, a.auc, a.lower, a.upper, "on the " + name + " set; DeLong interval"});
    Json json;
    json.set("estimate", a.auc);
    json.set("lower", a.lower);
    json.set("upper", a.upper);
    json.set("se", a.standard_error);
    return json;
  };
  Json auc;
  auc.set("train", auc_of(0, "train"));
  auc.set("test", rows[1].empty() ? Json() : auc_of(1, "test"));
  report.set("auc", std::move(auc));
  report.set("warnings", text_array(fit.warnings));
  model.outcome = outcome_column;
  describe_model(model, options);
  report.set("model", model_to_json_value(model));
  return report;
}

Json prediction_report(const SurvivalModel& model, const Json& features, const Json& options) {
  std::map<std::string, double> values;
  for (const auto& [name, value] : features.as_object("features")) {
    if (value.is_number()) values[name] = value.as_number();
  }
  const double confidence = confidence_option(options);
  const int stratum = static_cast<int>(number_option(options, "stratum", model.baseline.empty() ? 0 : model.baseline.front().stratum));
  const ModelPrediction p = predict(model, values, stratum, confidence);
  Json report;
  report.set("model", model.name);
  report.set("kind", model.kind == ModelKind::cox ? "cox" : "logistic");
  report.set("outcome", model.outcome);
  report.set("linear_predictor", p.linear_predictor);
  report.set("risk_group", p.risk_group ? Json(*p.risk_group) : Json());
  if (p.probability) report.set("probability", *p.probability);
  if (p.survival) {
    // Where S reaches 0 the log band is undefined (R gives NA); collapse it to [0, 0] as the
    // Kaplan-Meier curves do, so that no NaN or spurious 1 reaches a plot.
    SurvivalCurve s = *p.survival;
    for (std::size_t k = 0; k < s.survival.size(); ++k) {
      if (s.survival[k] <= 0.0) s.lower[k] = s.upper[k] = 0.0;
    }
    report.set("time_unit", model.cohort.time_unit);
    report.set("median_survival", optional_number(p.median_survival));
    // The band's limits reach the median where they cross 0.5.
    report.set("median_lower", optional_number(median_survival_time(s.time, s.lower)));
    report.set("median_upper", optional_number(median_survival_time(s.time, s.upper)));
    Json::Array at;
    for (const double t : number_list_option(options, "times")) {
      double surv = 1.0, lower = 1.0, upper = 1.0;
      for (std::size_t k = 0; k < s.time.size() && s.time[k] <= t; ++k) {
        surv = s.survival[k];
        lower = s.lower[k];
        upper = s.upper[k];
      }
      Json row;
      row.set("time", t);
      row.set("survival", surv);
      row.set("lower", lower);
      row.set("upper", upper);
      at.push_back(std::move(row));
    }
    report.set("survival_at", Json(std::move(at)));
    Json curve;
    curve.set("time", to_json_array(s.time));
    curve.set("survival", to_json_array(s.survival));
    curve.set("lower", to_json_array(s.lower));
    curve.set("upper", to_json_array(s.upper));
    report.set("survival", std::move(curve));
  }
  report.set("warnings", text_array(p.warnings));
  return report;
}

Json growth_report(const Json& options) {
  const auto volume = [&](const char* key) {
    const Json* v = option(options, key);
    if (v == nullptr) throw InvalidInputError(std::string("growth: give '") + key + "'");
    return v->as_number(key);
  };
  const auto date = [&](const char* key) {
    const std::string text = text_option(options, key);
    if (text.empty()) throw InvalidInputError(std::string("growth: give '") + key + "' (YYYY-MM-DD)");
    return days_from_iso_date(text);
  };
  const GrowthVelocity g = growth_velocity(volume("volume1_ml"), date("date1"), volume("volume2_ml"), date("date2"));
  Json report;
  report.set("days", g.days);
  report.set("years", g.days / 365.25);
  report.set("volume1_ml", volume("volume1_ml"));
  report.set("volume2_ml", volume("volume2_ml"));
  report.set("volume_change_ml", g.volume_change_ml);
  report.set("volume_change_percent", optional_number(g.volume_change_percent));
  report.set("mean_diameter1_mm", g.diameter1_mm);
  report.set("mean_diameter2_mm", g.diameter2_mm);
  report.set("velocity_mm_per_year", g.velocity_mm_per_year);
  report.set("volume_doubling_days", optional_number(g.volume_doubling_days));
  report.set("method", "mean tumour diameter (2V)^(1/3), V in mm^3; velocity = change / (days / 365.25)");
  return report;
}

Json table_summary(const Table& table) {
  Json::Array columns;
  for (const auto& name : table.column_names()) {
    if (name.empty()) continue;
    Json column;
    column.set("name", name);
    const bool numeric = numeric_column(table, name);
    column.set("numeric", numeric);
    std::set<std::string> distinct;
    std::size_t present = 0;
    for (const auto& cell : table.text_column(name)) {
      if (is_missing_cell(cell)) continue;
      ++present;
      if (distinct.size() <= 10) distinct.insert(cell);
    }
    column.set("present", present);
    column.set("distinct", distinct.size() <= 10 ? text_array(std::vector<std::string>(distinct.begin(), distinct.end())) : Json());
    columns.push_back(std::move(column));
  }
  Json report;
  report.set("rows", table.row_count());
  report.set("columns", Json(std::move(columns)));
  return report;
}

}  // namespace gliolens::survival
