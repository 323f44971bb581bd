// Calibration of a survival model at one time t: subjects grouped by predicted S(t | x), and in each
// group the mean prediction beside the Kaplan-Meier estimate actually observed at t (with its band),
// as in Royston & Altman's recommendations for validating a Cox model.
#pragma once
#include <span>
#include <vector>

namespace gliolens::survival {

struct CalibrationGroup {
  int subjects = 0;
  int events_by_time = 0;
  double predicted = 0.0;  // mean predicted S(t)
  double observed = 0.0;   // Kaplan-Meier S(t) in the group
  double observed_lower = 0.0;
  double observed_upper = 0.0;
};

struct Calibration {
  double time = 0.0;
  std::vector<CalibrationGroup> groups;  // from the highest-risk (lowest predicted S) to the lowest
  double mean_absolute_difference = 0.0;  // over groups, weighted by size
};

// `predicted` holds each subject's S(t | x). Groups are quantile groups of the prediction (`groups`
// of them, fewer when there are fewer distinct predictions). Throws InvalidInputError for sizes that
// disagree, fewer subjects than groups, or t not positive.
[[nodiscard]] Calibration calibration_at_time(std::span<const double> time, std::span<const int> event,
                                              std::span<const double> predicted, double at_time, int groups = 4,
                                              double confidence_level = 0.95);

}  // namespace gliolens::survival
