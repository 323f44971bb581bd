#include "core/survival/kaplan_meier.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include <Eigen/Dense>

#include "core/errors.hpp"
#include "core/survival/cox.hpp"
#include "core/survival/distributions.hpp"

namespace gliolens::survival {
namespace {

void validate_times(std::span<const double> time, std::span<const int> event, const char* what) {
  if (time.size() != event.size()) {
    throw InvalidInputError(std::string(what) + ": " + std::to_string(time.size()) + " times but " +
                            std::to_string(event.size()) + " event indicators");
  }
  if (time.empty()) throw InvalidInputError(std::string(what) + ": no subjects");
  for (std::size_t i = 0; i < time.size(); ++i) {
    if (!std::isfinite(time[i]) || time[i] < 0) {
      throw InvalidInputError(std::string(what) + ": the time of subject " + std::to_string(i + 1) +
                              " is missing, infinite or negative");
    }
    if (event[i] != 0 && event[i] != 1) {
      throw InvalidInputError(std::string(what) + ": the event indicator of subject " + std::to_string(i + 1) +
                              " is " + std::to_string(event[i]) + "; use 1 for an event and 0 for censored");
    }
  }
}

std::vector<std::size_t> increasing_time_order(std::span<const double> time) {
  std::vector<std::size_t> order(time.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return time[a] < time[b]; });
  return order;
}

// R's median rule applied to any decreasing curve (estimate or band limit).
std::optional<double> crossing_time(const std::vector<double>& time, const std::vector<double>& curve) {
  return median_survival_time(time, curve);
}

}  // namespace

KaplanMeierCurve kaplan_meier(std::span<const double> time, std::span<const int> event, double confidence_level) {
  validate_times(time, event, "Kaplan-Meier");
  const double z = normal_critical_value(confidence_level);
  const auto order = increasing_time_order(time);
  KaplanMeierCurve curve;
  auto at_risk = static_cast<int>(time.size());
  double survival = 1.0;
  double greenwood = 0.0;
  for (std::size_t k = 0; k < order.size();) {
    const double t = time[order[k]];
    int events = 0;
    int censored = 0;
    for (; k < order.size() && time[order[k]] == t; ++k) (event[order[k]] == 1 ? events : censored)++;
    survival *= 1.0 - static_cast<double>(events) / at_risk;
    // Greenwood's term is infinite when everyone at risk dies; S is then 0 and stays 0.
    if (events < at_risk) greenwood += static_cast<double>(events) / (static_cast<double>(at_risk) * (at_risk - events));
    curve.time.push_back(t);
    curve.at_risk.push_back(at_risk);
    curve.events.push_back(events);
    curve.censored.push_back(censored);
    curve.survival.push_back(survival);
    const double se = survival > 0.0 ? std::sqrt(greenwood) : 0.0;
    curve.standard_error.push_back(se);
    curve.lower.push_back(survival > 0.0 ? std::exp(std::log(survival) - z * se) : 0.0);
    curve.upper.push_back(survival > 0.0 ? std::min(1.0, std::exp(std::log(survival) + z * se)) : 0.0);
    at_risk -= events + censored;
  }
  curve.median = crossing_time(curve.time, curve.survival);
  curve.median_lower = crossing_time(curve.time, curve.lower);
  curve.median_upper = crossing_time(curve.time, curve.upper);
  return curve;
}

double survival_at(const KaplanMeierCurve& curve, double at) {
  const auto after = std::upper_bound(curve.time.begin(), curve.time.end(), at);
  if (after == curve.time.begin()) return 1.0;
  return curve.survival[static_cast<std::size_t>(after - curve.time.begin()) - 1];
}

LogRankTest log_rank_test(std::span<const double> time, std::span<const int> event, std::span<const double> group) {
  validate_times(time, event, "log-rank test");
  if (group.size() != time.size()) {
    throw InvalidInputError("log-rank test: " + std::to_string(time.size()) + " times but " +
                            std::to_string(group.size()) + " group labels");
  }
  LogRankTest test;
  for (const double label : group) {
    if (!std::isfinite(label)) throw InvalidInputError("log-rank test: a group label is missing");
    if (std::find(test.groups.begin(), test.groups.end(), label) == test.groups.end()) test.groups.push_back(label);
  }
  std::sort(test.groups.begin(), test.groups.end());
  const auto groups = static_cast<Eigen::Index>(test.groups.size());
  if (groups < 2) throw InvalidInputError("log-rank test: all subjects are in one group; it needs two or more");
  if (std::count(event.begin(), event.end(), 1) == 0) throw InvalidInputError("log-rank test: no events; nothing to compare");
  std::vector<Eigen::Index> group_of(time.size());
  for (std::size_t i = 0; i < time.size(); ++i) {
    group_of[i] = std::find(test.groups.begin(), test.groups.end(), group[i]) - test.groups.begin();
  }
  Eigen::VectorXd at_risk = Eigen::VectorXd::Zero(groups);
  for (const auto g : group_of) at_risk(g) += 1.0;
  test.subjects.assign(at_risk.data(), at_risk.data() + groups);

  Eigen::VectorXd observed = Eigen::VectorXd::Zero(groups);
  Eigen::VectorXd expected = Eigen::VectorXd::Zero(groups);
  Eigen::MatrixXd variance = Eigen::MatrixXd::Zero(groups, groups);
  const auto order = increasing_time_order(time);
  for (std::size_t k = 0; k < order.size();) {
    const double t = time[order[k]];
    Eigen::VectorXd deaths = Eigen::VectorXd::Zero(groups);
    Eigen::VectorXd leaving = Eigen::VectorXd::Zero(groups);
    for (; k < order.size() && time[order[k]] == t; ++k) {
      leaving(group_of[order[k]]) += 1.0;
      if (event[order[k]] == 1) deaths(group_of[order[k]]) += 1.0;
    }
    const double n = at_risk.sum();
    const double d = deaths.sum();
    if (d > 0) {
      observed += deaths;
      expected += d * at_risk / n;
      // Hypergeometric covariance of the deaths across groups (zero when only one remains at risk).
      if (n > 1) {
        const double factor = d * (n - d) / (n * n * (n - 1));
        variance += factor * (n * Eigen::MatrixXd(at_risk.asDiagonal()) - at_risk * at_risk.transpose());
      }
    }
    at_risk -= leaving;
  }
  test.observed.assign(observed.data(), observed.data() + groups);
  test.expected.assign(expected.data(), expected.data() + groups);
  // The variance has rank groups - 1: drop the last group, as survdiff does with a generalized inverse.
  const Eigen::VectorXd difference = (observed - expected).head(groups - 1);
  const Eigen::MatrixXd reduced = variance.topLeftCorner(groups - 1, groups - 1);
  Eigen::LDLT<Eigen::MatrixXd> ldlt(reduced);
  if (ldlt.info() != Eigen::Success || (ldlt.vectorD().array() <= 0.0).any()) {
    throw NumericalError("log-rank test: the variance of the group differences is singular (a group has no one "
                         "at risk at any event time)");
  }
  test.chi_square = difference.dot(ldlt.solve(difference));
  test.degrees_of_freedom = static_cast<int>(groups - 1);
  test.p_value = chi_square_upper_tail(test.chi_square, test.degrees_of_freedom);
  return test;
}

}  // namespace gliolens::survival
