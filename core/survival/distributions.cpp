#include "core/survival/distributions.hpp"

#include <cmath>
#include <limits>

#include "core/errors.hpp"

namespace gliolens::survival {
namespace {

// Regularized lower incomplete gamma P(a, x) by its power series; converges fast for x < a + 1.
double lower_gamma_series(double a, double x) {
  double term = 1.0 / a;
  double sum = term;
  for (int n = 1; n < 10000; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::abs(term) < std::abs(sum) * 1e-16) break;
  }
  return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Regularized upper incomplete gamma Q(a, x) by Lentz's continued fraction; for x >= a + 1.
double upper_gamma_continued_fraction(double a, double x) {
  constexpr double tiny = 1e-300;
  double b = x + 1.0 - a;
  double c = 1.0 / tiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < 10000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1.0) < 1e-16) break;
  }
  return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

}  // namespace

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double normal_quantile(double probability) {
  if (!(probability > 0.0 && probability < 1.0)) {
    throw InvalidInputError("normal quantile: probability " + std::to_string(probability) +
                            " is not inside (0, 1)");
  }
  // Acklam's rational approximation (relative error 1e-9), then two Newton steps on erfc to reach
  // full double precision, so that confidence bands match R's qnorm to the last digits.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  const double low = 0.02425;
  double x = 0.0;
  if (probability < low) {
    const double q = std::sqrt(-2 * std::log(probability));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (probability <= 1 - low) {
    const double q = probability - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - probability));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  for (int step = 0; step < 2; ++step) {
    const double error = normal_cdf(x) - probability;
    const double density = std::exp(-0.5 * x * x) / std::sqrt(2 * std::acos(-1.0));
    x -= error / density;
  }
  return x;
}

double normal_critical_value(double confidence_level) {
  if (!(confidence_level > 0.0 && confidence_level < 1.0)) {
    throw InvalidInputError("confidence level " + std::to_string(confidence_level) +
                            " is not inside (0, 1)");
  }
  return normal_quantile(0.5 + confidence_level / 2.0);
}

double chi_square_upper_tail(double statistic, double degrees_of_freedom) {
  if (!(degrees_of_freedom > 0.0)) {
    throw InvalidInputError("chi-square test with " + std::to_string(degrees_of_freedom) +
                            " degrees of freedom");
  }
  if (!(statistic > 0.0)) return 1.0;  // also maps a NaN statistic to "no evidence", never NaN out
  if (std::isinf(statistic)) return 0.0;
  const double a = degrees_of_freedom / 2.0;
  const double x = statistic / 2.0;
  return x < a + 1.0 ? 1.0 - lower_gamma_series(a, x) : upper_gamma_continued_fraction(a, x);
}

}  // namespace gliolens::survival
