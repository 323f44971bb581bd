#include "core/survival/growth.hpp"

#include <cmath>
#include <string>

#include "core/errors.hpp"

namespace gliolens::survival {
namespace {

constexpr double days_per_year = 365.25;  // the Julian year: what "per year" means clinically

// Howard Hinnant's days_from_civil: exact for every Gregorian date, no time zones involved.
long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

bool leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(long y, unsigned m) {
  static constexpr unsigned lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : lengths[m - 1];
}

void require_volume(double v, const char* which) {
  if (!std::isfinite(v) || v < 0.0) {
    throw InvalidInputError(std::string("growth: ") + which + " volume must be a finite number of mL >= 0");
  }
}

}  // namespace

long days_from_iso_date(std::string_view text) {
  const auto bad = [&] {
    return InvalidInputError("growth: '" + std::string(text) + "' is not a date of the form YYYY-MM-DD");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') throw bad();
  long parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k) {
    for (std::size_t i = starts[k]; i < starts[k] + lengths[k]; ++i) {
      if (text[i] < '0' || text[i] > '9') throw bad();
      parts[k] = parts[k] * 10 + (text[i] - '0');
    }
  }
  const auto month = static_cast<unsigned>(parts[1]);
  const auto day = static_cast<unsigned>(parts[2]);
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(parts[0], month)) throw bad();
  return days_from_civil(parts[0], month, day);
}

double mean_tumour_diameter_mm(double volume_ml) {
  require_volume(volume_ml, "the");
  return std::cbrt(2.0 * volume_ml * 1000.0);  // 1 mL = 1000 mm^3
}

GrowthVelocity growth_velocity(double volume1_ml, long day1, double volume2_ml, long day2) {
  require_volume(volume1_ml, "the first");
  require_volume(volume2_ml, "the second");
  if (day2 <= day1) {
    throw InvalidInputError("growth: the second scan must be dated after the first (" + std::to_string(day2 - day1) +
                            " days apart)");
  }
  GrowthVelocity g;
  g.days = static_cast<double>(day2 - day1);
  g.volume_change_ml = volume2_ml - volume1_ml;
  if (volume1_ml > 0.0) g.volume_change_percent = 100.0 * g.volume_change_ml / volume1_ml;
  g.diameter1_mm = mean_tumour_diameter_mm(volume1_ml);
  g.diameter2_mm = mean_tumour_diameter_mm(volume2_ml);
  g.velocity_mm_per_year = (g.diameter2_mm - g.diameter1_mm) / (g.days / days_per_year);
  if (volume1_ml > 0.0 && volume2_ml > volume1_ml) {
    g.volume_doubling_days = g.days * std::log(2.0) / std::log(volume2_ml / volume1_ml);
  }
  return g;
}

}  // namespace gliolens::survival
