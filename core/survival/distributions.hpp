// The few probability functions the survival statistics need (normal and chi-square), written here
// so that the core has no dependency beyond the standard library and Eigen.
#pragma once

namespace gliolens::survival {

// P(Z <= z) for a standard normal Z.
[[nodiscard]] double normal_cdf(double z);

// The z with normal_cdf(z) == probability; probability must lie in (0, 1).
[[nodiscard]] double normal_quantile(double probability);

// The two-sided critical value for a confidence level (0.95 -> 1.959964).
[[nodiscard]] double normal_critical_value(double confidence_level);

// P(X >= statistic) for X chi-square with `degrees_of_freedom` (the p-value of a chi-square test).
[[nodiscard]] double chi_square_upper_tail(double statistic, double degrees_of_freedom);

}  // namespace gliolens::survival
