// The report writers of the survival workflows (workflow_report.hpp).
#include "core/survival/workflow_report.hpp"

#include "core/survival/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gliolens::survival {
namespace {

Json test_json(double statistic, double df, double p) {
  Json json;
  json.set("statistic", statistic);
  json.set("df", df);
  json.set("p", p);
  return json;
}

}  // namespace

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

Json split_data_json(const SurvivalData& train, const std::optional<SurvivalData>& test, std::size_t dropped) {
  Json json;
  const auto part = [](const SurvivalData& d) {
    Json p;
    p.set("subjects", d.size());
    p.set("events", d.event_count());
    return p;
  };
  json.set("train", part(train));
  json.set("test", test ? part(*test) : Json());
  json.set("dropped_rows", dropped);
  return json;
}

Json cox_penalty_json(const CoxPenaltySelection& selection) {
  Json info;
  info.set("type", to_string(selection.penalty));
  info.set("alpha", selection.alpha);
  info.set("lambda", selection.lambda);
  if (selection.cv) {
    const CrossValidatedCox& cv = *selection.cv;
    Json cv_json;
    cv_json.set("folds", selection.folds);
    cv_json.set("rule", to_string(selection.rule));
    cv_json.set("lambda_min", cv.lambda_min());
    cv_json.set("lambda_1se", cv.lambda_1se());
    cv_json.set("lambdas", to_json_array(cv.path.lambdas));
    cv_json.set("deviance", to_json_array(cv.cv_deviance));
    cv_json.set("deviance_se", to_json_array(cv.cv_standard_error));
    cv_json.set("nonzero", int_array(cv.path.nonzero));
    info.set("cv", std::move(cv_json));
  }
  info.set("selected", text_array(selection.selected));
  return info;
}

Json cox_coefficients_json(const CoxFit& fit, bool penalised, double confidence) {
  Json::Array rows;
  const auto ratios = hazard_ratios(fit, confidence);
  for (std::size_t j = 0; j < fit.covariate_count(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    Json row;
    row.set("name", fit.covariate_names[j]);
    row.set("coef", fit.coefficients(jj));
    row.set("hr", finite_or_null(std::exp(fit.coefficients(jj))));  // per unit: may overflow for tiny-scale features
    if (penalised) {
      for (const char* key : {"se", "hr_lower", "hr_upper", "z", "p"}) row.set(key, Json());
    } else {
      // Monotone likelihood (a group without events) leaves a huge standard error: bounds past overflow are null.
      row.set("se", finite_or_null(fit.standard_errors(jj)));
      row.set("hr_lower", finite_or_null(ratios[j].lower));
      row.set("hr_upper", finite_or_null(ratios[j].upper));
      row.set("z", finite_or_null(ratios[j].z));
      row.set("p", finite_or_null(ratios[j].p_value));
    }
    rows.push_back(std::move(row));
  }
  return Json(std::move(rows));
}

Json cox_tests_json(const CoxFit& fit, bool penalised) {
  const auto df = static_cast<double>(fit.covariate_count());
  Json json;
  json.set("log_likelihood_null", fit.log_likelihood_null);
  json.set("log_likelihood", fit.log_likelihood);
  if (penalised) {
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

Json logistic_data_json(std::span<const int> train, std::span<const int> test, std::size_t dropped) {
  const auto positive = [](std::span<const int> y) { return static_cast<std::size_t>(std::count(y.begin(), y.end(), 1)); };
  Json data;
  data.set("train", train.size());
  data.set("train_positive", positive(train));
  data.set("test", test.empty() ? Json() : Json(test.size()));
  data.set("test_positive", test.empty() ? Json() : Json(positive(test)));
  data.set("dropped_rows", dropped);
  return data;
}

Json logistic_penalty_json(const LogisticPenaltySelection& selection) {
  Json json;
  json.set("type", to_string(selection.penalty));
  json.set("alpha", selection.alpha);
  json.set("lambda", selection.lambda);
  if (selection.folds) json.set("folds", *selection.folds);
  json.set("selected", text_array(selection.selected));
  json.set("refit", "selected covariates refitted by maximum likelihood (L2 1e-3 for stability)");
  return json;
}

Json logistic_coefficients_json(const LogisticFit& fit, const std::vector<std::string>& names, double confidence) {
  Json::Array coefficients;
  const double z = normal_critical_value(confidence);
  for (std::size_t j = 0; j < names.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    Json row;
    row.set("name", names[j]);
    row.set("coef", fit.coefficients(jj));
    row.set("se", fit.standard_errors(jj));
    row.set("or", finite_or_null(std::exp(fit.coefficients(jj))));
    // A nearly separated fit has a huge standard error: its odds-ratio interval overflows to no bound.
    row.set("or_lower", finite_or_null(std::exp(fit.coefficients(jj) - z * fit.standard_errors(jj))));
    row.set("or_upper", finite_or_null(std::exp(fit.coefficients(jj) + z * fit.standard_errors(jj))));
    row.set("p", 2.0 * (1.0 - normal_cdf(std::abs(fit.coefficients(jj) / fit.standard_errors(jj)))));
    coefficients.push_back(std::move(row));
  }
  return Json(std::move(coefficients));
}

Json auc_json(const AucEstimate& a) {
  Json json;
  json.set("estimate", a.auc);
  json.set("lower", a.lower);
  json.set("upper", a.upper);
  json.set("se", a.standard_error);
  return json;
}

Json prediction_json(const SurvivalModel& model, const ModelPrediction& p, std::span<const double> times) {
  Json report;
  report.set("model", model.name);
  report.set("kind", model.kind == ModelKind::cox ? "cox" : "logistic");
  report.set("outcome", model.outcome);
  report.set("linear_predictor", p.linear_predictor);
  report.set("risk_group", p.risk_group ? Json(*p.risk_group) : Json());
  if (p.probability) report.set("probability", *p.probability);
  if (p.probability_lower && p.probability_upper) {
    report.set("linear_predictor_se", *p.linear_predictor_se);
    report.set("probability_lower", *p.probability_lower);
    report.set("probability_upper", *p.probability_upper);
  }
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
    for (const double t : times) {
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

Json growth_json(const GrowthVelocity& g, double volume1_ml, double volume2_ml) {
  Json report;
  report.set("days", g.days);
  report.set("years", g.days / 365.25);
  report.set("volume1_ml", volume1_ml);
  report.set("volume2_ml", volume2_ml);
  report.set("volume_change_ml", g.volume_change_ml);
  report.set("volume_change_percent", optional_number(g.volume_change_percent));
  report.set("mean_diameter1_mm", g.diameter1_mm);
  report.set("mean_diameter2_mm", g.diameter2_mm);
  report.set("velocity_mm_per_year", g.velocity_mm_per_year);
  report.set("volume_doubling_days", optional_number(g.volume_doubling_days));
  report.set("method", "mean tumour diameter (2V)^(1/3), V in mm^3; velocity = change / (days / 365.25)");
  return report;
}

}  // namespace gliolens::survival
