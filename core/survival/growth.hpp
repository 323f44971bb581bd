// Growth of one tumour between two scans: the volume change and the velocity of diameter expansion
// (VDE, Pallud et al. 2006; Mandonnet et al. 2003), the slope of the mean tumour diameter
// D = (2V)^(1/3) over time. For low-grade gliomas a VDE of 8 mm/year or more marks fast growth.
#pragma once
#include <optional>
#include <string_view>

namespace gliolens::survival {

struct GrowthVelocity {
  double days = 0.0;                      // between the scans (negative inputs are rejected)
  double volume_change_ml = 0.0;          // V2 - V1
  std::optional<double> volume_change_percent;  // none when V1 is 0
  double diameter1_mm = 0.0;              // (2 V1)^(1/3), V in mm^3
  double diameter2_mm = 0.0;
  double velocity_mm_per_year = 0.0;      // (D2 - D1) / years
  // ln 2 / specific growth rate; none when the volume does not grow (or V1 is 0).
  std::optional<double> volume_doubling_days;
};

// Days since 1970-01-01 of an ISO date "YYYY-MM-DD" (proleptic Gregorian). Throws InvalidInputError
// naming the text when it is not a valid date.
[[nodiscard]] long days_from_iso_date(std::string_view text);

// Volumes in mL (>= 0, finite), dates as days; the second scan must come after the first.
[[nodiscard]] GrowthVelocity growth_velocity(double volume1_ml, long day1, double volume2_ml, long day2);

// The mean tumour diameter in mm of a volume in mL.
[[nodiscard]] double mean_tumour_diameter_mm(double volume_ml);

}  // namespace gliolens::survival
