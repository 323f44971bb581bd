#include "core/survival/number_text.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace gliolens::survival {

std::optional<double> parse_double(std::string_view text) {
  if (text.empty() || text.front() == '+' || text.front() == ' ' || text.front() == '\t') return std::nullopt;
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
  char buffer[40];
  for (const int digits : {15, 16, 17}) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

}  // namespace gliolens::survival
