// Kaplan-Meier estimates with Greenwood standard errors and R's default log-transformed band
// (survfit(conf.type = "log")), median survival with its interval, and the log-rank test.
#pragma once
#include <optional>
#include <span>
#include <vector>

namespace gliolens::survival {

struct KaplanMeierCurve {
  std::vector<double> time;  // every distinct time, event or censoring, as R lists them
  std::vector<int> at_risk;
  std::vector<int> events;
  std::vector<int> censored;
  std::vector<double> survival;
  // Greenwood standard error of -log S (R's survfit std.err); 0 once S reaches 0, where the band
  // collapses to [0, 0] instead of R's NA so that no NaN leaves the core.
  std::vector<double> standard_error;
  std::vector<double> lower;
  std::vector<double> upper;
  std::optional<double> median;
  std::optional<double> median_lower;
  std::optional<double> median_upper;
};

// Throws InvalidInputError for mismatched sizes, missing or negative times, event codes not 0/1.
[[nodiscard]] KaplanMeierCurve kaplan_meier(std::span<const double> time, std::span<const int> event,
                                            double confidence_level = 0.95);

// The survival estimate just after `at` (a step function; 1 before the first time).
[[nodiscard]] double survival_at(const KaplanMeierCurve& curve, double at);

struct LogRankTest {
  std::vector<double> groups;  // distinct group labels, increasing
  std::vector<int> subjects;
  std::vector<double> observed;
  std::vector<double> expected;
  double chi_square = 0.0;
  int degrees_of_freedom = 0;
  double p_value = 1.0;
};

// The (Mantel-Haenszel) log-rank test of equal survival across the groups, as R's survdiff(rho = 0).
// Needs at least two groups and one event.
[[nodiscard]] LogRankTest log_rank_test(std::span<const double> time, std::span<const int> event,
                                        std::span<const double> group);

}  // namespace gliolens::survival
