#include "core/survival/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/errors.hpp"
#include "core/survival/kaplan_meier.hpp"

namespace gliolens::survival {
namespace {

// The Kaplan-Meier band just after `at`: the last row at or before it (1 and [1, 1] before the first).
void observed_at(const KaplanMeierCurve& curve, double at, CalibrationGroup& group) {
  group.observed = 1.0;
  group.observed_lower = 1.0;
  group.observed_upper = 1.0;
  for (std::size_t k = 0; k < curve.time.size() && curve.time[k] <= at; ++k) {
    group.observed = curve.survival[k];
    group.observed_lower = curve.lower[k];
    group.observed_upper = curve.upper[k];
  }
}

}  // namespace

Calibration calibration_at_time(std::span<const double> time, std::span<const int> event,
                                std::span<const double> predicted, double at_time, int groups,
                                double confidence_level) {
  const std::size_t n = time.size();
  if (event.size() != n || predicted.size() != n) {
    throw InvalidInputError("calibration: times, events and predictions differ in number");
  }
  if (!(at_time > 0.0) || !std::isfinite(at_time)) throw InvalidInputError("calibration: the time must be positive");
  if (groups < 1 || static_cast<std::size_t>(groups) > n) {
    throw InvalidInputError("calibration: " + std::to_string(groups) + " groups for " + std::to_string(n) + " subjects");
  }
  for (const double p : predicted) {
    if (!std::isfinite(p)) throw InvalidInputError("calibration: a predicted survival is missing");
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return predicted[a] < predicted[b]; });
  Calibration result;
  result.time = at_time;
  double weighted_difference = 0.0;
  for (int g = 0; g < groups; ++g) {
    // Equal-sized slices of the ordered predictions (sizes differ by at most one).
    const std::size_t begin = n * static_cast<std::size_t>(g) / static_cast<std::size_t>(groups);
    const std::size_t end = n * static_cast<std::size_t>(g + 1) / static_cast<std::size_t>(groups);
    if (end <= begin) continue;
    std::vector<double> group_time;
    std::vector<int> group_event;
    CalibrationGroup group;
    for (std::size_t k = begin; k < end; ++k) {
      const std::size_t i = order[k];
      group_time.push_back(time[i]);
      group_event.push_back(event[i]);
      group.predicted += predicted[i];
      if (event[i] == 1 && time[i] <= at_time) ++group.events_by_time;
    }
    group.subjects = static_cast<int>(end - begin);
    group.predicted /= static_cast<double>(group.subjects);
    observed_at(kaplan_meier(group_time, group_event, confidence_level), at_time, group);
    weighted_difference += group.subjects * std::abs(group.predicted - group.observed);
    result.groups.push_back(group);
  }
  result.mean_absolute_difference = weighted_difference / static_cast<double>(n);
  return result;
}

}  // namespace gliolens::survival
