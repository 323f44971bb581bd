#include "core/survival/workflow.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>

#include "core/common/number_text.hpp"
#include "core/errors.hpp"
#include "core/survival/calibration.hpp"
#include "core/survival/concordance.hpp"
#include "core/survival/cox.hpp"
#include "core/survival/growth.hpp"
#include "core/survival/kaplan_meier.hpp"
#include "core/survival/logistic.hpp"
#include "core/survival/penalized.hpp"
#include "core/survival/resampling.hpp"
#include "core/survival/workflow_options.hpp"
#include "core/survival/workflow_report.hpp"

namespace gliolens::survival {
namespace {

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
std::vector<std::string> covariate_columns(const Table& table, std::vector<std::string> names, const std::set<std::string>& taken) {
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
  std::optional<CoxPenaltySelection> penalty;  // absent: an unpenalised fit
};

PenaltyOptions penalty_options(const PenaltyChoice& choice, Ties ties) {
  PenaltyOptions p;
  p.ties = ties;
  p.alpha = choice.penalty == Penalty::l2 ? 0.0 : choice.penalty == Penalty::lasso ? 1.0 : choice.alpha.value_or(0.5);
  p.path_length = choice.path_length;
  p.lambda_min_ratio = choice.lambda_min_ratio;
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

CoxChoice fit_penalised(const SurvivalData& train, const PenaltyChoice& choice, Ties ties, double seed) {
  PenaltyOptions p = penalty_options(choice, ties);
  CoxPenaltySelection selection;
  selection.penalty = choice.penalty;
  selection.alpha = p.alpha;
  Eigen::VectorXd beta;
  std::vector<std::string> warnings;
  if (choice.lambda) {
    p.lambdas = {*choice.lambda};
    const PenalizedCoxPath path = fit_penalized_cox_path(train, p);
    beta = path.coefficients.front();
    warnings = path.warnings;
    selection.lambda = p.lambdas.front();
  } else {
    std::mt19937_64 random(static_cast<std::uint64_t>(seed));
    CrossValidatedCox cv = cross_validate_penalized_cox(train, p, choice.folds, random);
    const std::size_t chosen = choice.rule == LambdaRule::one_se ? cv.one_se : cv.best;
    beta = cv.path.coefficients[chosen];
    warnings = cv.path.warnings;
    selection.lambda = cv.path.lambdas[chosen];
    selection.folds = choice.folds;
    selection.rule = choice.rule;
    selection.cv = std::move(cv);
  }
  std::vector<Eigen::Index> keep;
  for (Eigen::Index j = 0; j < beta.size(); ++j) {
    if (beta(j) != 0.0) keep.push_back(j);
  }
  if (keep.empty()) {
    throw NumericalError("the penalty removed every covariate (lambda " + std::to_string(selection.lambda) +
                         "): no covariate predicts survival at this penalty; use a smaller lambda or lambda_rule min");
  }
  CoxChoice result;
  result.data = keep_columns(train, keep);
  Eigen::VectorXd kept(static_cast<Eigen::Index>(keep.size()));
  for (std::size_t k = 0; k < keep.size(); ++k) kept(static_cast<Eigen::Index>(k)) = beta(keep[k]);
  result.fit = cox_fit_at(result.data, kept, ties);
  result.fit.warnings.insert(result.fit.warnings.end(), warnings.begin(), warnings.end());
  selection.selected = result.data.covariate_names;
  result.penalty = std::move(selection);
  return result;
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

std::vector<std::string> group_labels(std::size_t count) {
  if (count == 2) return {"low", "high"};
  if (count == 3) return {"low", "intermediate", "high"};
  std::vector<std::string> labels;
  for (std::size_t k = 1; k <= count; ++k) labels.push_back("group " + std::to_string(k));
  return labels;
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

ModelMetric metric(std::string name, const BootstrapInterval& b, std::string note) {
  return ModelMetric{std::move(name), b.estimate, b.lower, b.upper, std::move(note)};
}

void describe_model(SurvivalModel& model, const ModelDescription& description) {
  if (description.name) model.name = *description.name;
  if (description.description) model.description = *description.description;
  if (description.outcome) model.outcome = *description.outcome;
  if (description.source) model.cohort.source = *description.source;
  if (description.time_unit) model.cohort.time_unit = *description.time_unit;
}

}  // namespace

Json cox_workflow(const Table& table, const Json& options_json) {
  const CoxWorkflowOptions options = cox_workflow_options(options_json);
  SurvivalColumns columns;
  columns.time = options.time;
  columns.event = options.event;
  if (!options.strata.empty()) columns.stratum = options.strata;
  columns.covariates = covariate_columns(table, options.covariates, {columns.time, columns.event, options.strata, options.split});
  const double confidence = options.confidence;
  const int replicates = options.bootstrap;
  std::mt19937_64 random(static_cast<std::uint64_t>(options.seed) + 7);

  const SplitData split = split_survival(table, columns, options.split);
  CoxChoice choice;
  if (options.penalty.penalty == Penalty::none) {
    CoxOptions cox;
    cox.ties = options.ties;
    choice.data = split.train;
    choice.fit = fit_cox(split.train, cox);
  } else {
    choice = fit_penalised(split.train, options.penalty, options.ties, options.seed);
  }
  const CoxFit& fit = choice.fit;
  const bool penalised = choice.penalty.has_value();
  const auto restrict = [&](const SurvivalData& d) {
    std::vector<Eigen::Index> keep;
    for (const auto& name : choice.data.covariate_names) {
      keep.push_back(static_cast<Eigen::Index>(std::find(d.covariate_names.begin(), d.covariate_names.end(), name) -
                                               d.covariate_names.begin()));
    }
    return keep_columns(d, keep);
  };
  const std::optional<SurvivalData> test = split.test ? std::optional(restrict(*split.test)) : std::nullopt;

  Json report;
  report.set("data", split_data_json(split.train, split.test, split.dropped));
  report.set("covariates", text_array(columns.covariates));
  report.set("ties", to_string(options.ties));
  report.set("strata", options.strata.empty() ? Json() : Json(options.strata));
  report.set("penalty", penalised ? cox_penalty_json(*choice.penalty) : Json());
  report.set("coefficients", cox_coefficients_json(fit, penalised, confidence));
  report.set("tests", cox_tests_json(fit, penalised));

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
  for (int g = 1; g < options.risk_groups; ++g) cutpoints.push_back(quantile(lp_values, static_cast<double>(g) / options.risk_groups));
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
  for (const double t : options.auc_times) {
    Json row;
    row.set("time", t);
    row.set("auc", finite_or_null(time_dependent_auc(judged.time, judged.event, judged_lp, t)));
    aucs.push_back(std::move(row));
  }
  report.set("time_dependent_auc", Json(std::move(aucs)));

  if (options.calibration_time) {
    const double t = *options.calibration_time;
    const int calibration_groups = options.calibration_groups;
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
  describe_model(model, options.description);
  report.set("model", model_to_json_value(model));
  return report;
}

Json kaplan_meier_workflow(const Table& table, const Json& options_json) {
  const KaplanMeierWorkflowOptions options = kaplan_meier_workflow_options(options_json);
  const std::string& time_column = options.time;
  const std::string& event_column = options.event;
  const std::string& group_column = options.group;
  const double confidence = options.confidence;
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

Json logistic_workflow(const Table& table, const Json& options_json) {
  const LogisticWorkflowOptions options = logistic_workflow_options(options_json);
  const std::string& outcome_column = options.outcome;
  const std::string& split_column = options.split;
  const double confidence = options.confidence;
  const auto covariates = covariate_columns(table, options.covariates, {outcome_column, split_column});
  const std::string& positive = options.positive;
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
  std::optional<LogisticPenaltySelection> selection;
  std::vector<std::string> names = covariates;
  if (options.penalty.penalty == Penalty::none) {
    fit = fit_logistic(train_x, y[0], names);
  } else {
    PenaltyOptions p = penalty_options(options.penalty, Ties::breslow);
    selection.emplace();
    selection->penalty = options.penalty.penalty;
    selection->alpha = p.alpha;
    Eigen::VectorXd beta;
    if (options.penalty.lambda) {
      p.lambdas = {*options.penalty.lambda};
      beta = fit_penalized_logistic_path(train_x, y[0], names, p).coefficients.front();
      selection->lambda = p.lambdas.front();
    } else {
      const int folds = options.penalty.folds;
      std::mt19937_64 random(static_cast<std::uint64_t>(options.seed));
      const auto cv = cross_validate_penalized_logistic(train_x, y[0], names, p, folds, random);
      const std::size_t chosen = options.penalty.rule == LambdaRule::one_se ? cv.one_se : cv.best;
      beta = cv.path.coefficients[chosen];
      selection->lambda = cv.path.lambdas[chosen];
      selection->folds = folds;
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
    selection->selected = names;
  }
  SurvivalModel model = model_from_logistic(fit, train_x, y[0]);
  Json report;
  report.set("data", logistic_data_json(y[0], y[1], dropped));
  report.set("penalty", selection ? logistic_penalty_json(*selection) : Json());
  report.set("intercept", fit.intercept);
  report.set("coefficients", logistic_coefficients_json(fit, names, confidence));
  const auto auc_of = [&](int part, const std::string& name) {
    const Eigen::VectorXd p = logistic_probabilities(fit.intercept, fit.coefficients, matrix(rows[part]));
    const AucEstimate a = area_under_curve(std::vector<double>(p.data(), p.data() + p.size()), y[part], confidence);
    model.metrics.push_back(ModelMetric{"auc_" + name, a.auc, a.lower, a.upper, "on the " + name + " set; DeLong interval"});
    return auc_json(a);
  };
  Json auc;
  auc.set("train", auc_of(0, "train"));
  auc.set("test", rows[1].empty() ? Json() : auc_of(1, "test"));
  report.set("auc", std::move(auc));
  report.set("warnings", text_array(fit.warnings));
  model.outcome = outcome_column;
  describe_model(model, options.description);
  report.set("model", model_to_json_value(model));
  return report;
}

Json prediction_report(const SurvivalModel& model, const Json& features, const Json& options_json) {
  std::map<std::string, double> values;
  for (const auto& [name, value] : features.as_object("features")) {
    if (value.is_number()) values[name] = value.as_number();
  }
  const PredictionOptions options = prediction_options(options_json);
  const int stratum = options.stratum.value_or(model.baseline.empty() ? 0 : model.baseline.front().stratum);
  const ModelPrediction p = predict(model, values, stratum, options.confidence);
  return prediction_json(model, p, options.times);
}

Json growth_report(const Json& options_json) {
  const GrowthOptions options = growth_options(options_json);
  const GrowthVelocity g = growth_velocity(options.volume1_ml, options.day1, options.volume2_ml, options.day2);
  return growth_json(g, options.volume1_ml, options.volume2_ml);
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
