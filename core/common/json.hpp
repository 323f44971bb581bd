// A small JSON value with a writer and a parser: enough for the model files, without a new
// dependency. Objects keep their insertion order so written files read naturally and diff well.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace gliolens {

class Json {
public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool value) : value_(value) {}
  Json(double value) : value_(value) {}
  Json(int value) : value_(static_cast<double>(value)) {}
  Json(std::size_t value) : value_(static_cast<double>(value)) {}
  Json(const char* value) : value_(std::string(value)) {}
  Json(std::string value) : value_(std::move(value)) {}
  Json(Array value) : value_(std::move(value)) {}
  Json(Object value) : value_(std::move(value)) {}

  [[nodiscard]] bool is_null() const { return std::holds_alternative<std::nullptr_t>(value_); }
  [[nodiscard]] bool is_number() const { return std::holds_alternative<double>(value_); }
  [[nodiscard]] bool is_string() const { return std::holds_alternative<std::string>(value_); }
  [[nodiscard]] bool is_array() const { return std::holds_alternative<Array>(value_); }
  [[nodiscard]] bool is_object() const { return std::holds_alternative<Object>(value_); }

  // Typed access; each throws FormatError saying what was expected, with `context` naming the field.
  [[nodiscard]] bool as_bool(std::string_view context = "value") const;
  [[nodiscard]] double as_number(std::string_view context = "value") const;
  [[nodiscard]] const std::string& as_string(std::string_view context = "value") const;
  [[nodiscard]] const Array& as_array(std::string_view context = "value") const;
  [[nodiscard]] const Object& as_object(std::string_view context = "value") const;

  // Object members: `at` throws FormatError naming a missing key; `find` gives nullptr.
  [[nodiscard]] const Json& at(std::string_view key) const;
  [[nodiscard]] const Json* find(std::string_view key) const;
  // Appends (or replaces) a member; the value must be an object (a null becomes one).
  Json& set(std::string key, Json value);

  // Compact when indent is 0. Non-finite numbers throw InvalidInputError: JSON has no NaN.
  [[nodiscard]] std::string dump(int indent = 0) const;

private:
  void write(std::string& out, int indent, int depth) const;
  std::variant<std::nullptr_t, bool, double, std::string, Array, Object> value_{nullptr};
};

// Throws FormatError with the byte offset of the first problem.
[[nodiscard]] Json parse_json(std::string_view text);

// Helpers for the numeric arrays that fill model files.
[[nodiscard]] Json to_json_array(const std::vector<double>& values);
[[nodiscard]] std::vector<double> numbers_from_json(const Json& array, std::string_view context);

}  // namespace gliolens
