#pragma once
// Number <-> text for the CSV reader and the JSON writer/parser. Emscripten 3.1.6's libc++ (13) has no
// floating-point std::from_chars/std::to_chars, so these go through strtod/snprintf (the "C" locale:
// neither Node nor the browser build ever calls setlocale).

#include <optional>
#include <string>
#include <string_view>

namespace gliolens {

// The whole of `text` as a decimal double (optional leading '-', no leading '+' or blanks, no hex),
// or nothing when any character is left over or the value overflows.
[[nodiscard]] std::optional<double> parse_double(std::string_view text);

// Whole numbers as integers; otherwise the shortest of %.15g/%.16g/%.17g that reads back to exactly
// `value` (finite values only).
[[nodiscard]] std::string format_double(double value);

}  // namespace gliolens
