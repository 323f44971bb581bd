#include "core/common/number_text.hpp"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace gliolens {
namespace {

// Clinger's fast path: a decimal with at most 15 significant digits and at most 22 fraction digits
// is m / 10^f with m and 10^f exact doubles, so one IEEE division gives the correctly rounded value,
// the same as strtod. Most table cells take it, and musl's strtod (the WASM build's) is slow.
std::optional<double> parse_simple_decimal(std::string_view text) {
  static constexpr double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  std::size_t i = 0;
  const bool negative = text[0] == '-';
  if (negative) ++i;
  std::uint64_t mantissa = 0;
  int digits = 0;
  int fraction = 0;
  bool point = false;
  bool any = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;  // exponent, inf, nan...: strtod decides
    any = true;
    if (mantissa != 0 || c != '0') ++digits;
    if (digits > 15) return std::nullopt;
    mantissa = mantissa * 10 + static_cast<std::uint64_t>(c - '0');
    if (point) ++fraction;
  }
  if (!any || fraction > 22) return std::nullopt;
  const double value = static_cast<double>(mantissa) / powers[fraction];
  return negative ? -value : value;
}

}  // namespace

std::optional<double> parse_double(std::string_view text) {
  if (text.empty() || text.front() == '+' || text.front() == ' ' || text.front() == '\t') return std::nullopt;
  if (const auto simple = parse_simple_decimal(text)) return simple;
  // strtod would also take hexadecimal ("0x1p3"); std::from_chars, which this replaces, did not.
  if (text.find_first_of("xX") != std::string_view::npos) return std::nullopt;
  const std::string copy(text);  // strtod needs a terminated string
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  if (errno == ERANGE && std::isinf(value)) return std::nullopt;  // overflow; underflow keeps the tiny value
  return value;
}

std::string format_double(double value) {
  // Whole numbers (times in days, counts) print exactly as integers, without the round-trip search.
  if (value == std::floor(value) && std::abs(value) < 9007199254740992.0) {
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(value));
    return (value == 0.0 && std::signbit(value)) ? std::string("-0") : std::string(buffer);
  }
  char buffer[40];
  for (const int digits : {15, 16, 17}) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
    if (digits == 17 || std::strtod(buffer, nullptr) == value) break;  // 17 digits always round-trip
  }
  return buffer;
}

}  // namespace gliolens
