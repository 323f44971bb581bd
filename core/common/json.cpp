#include "core/common/json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/errors.hpp"
#include "core/common/number_text.hpp"

namespace gliolens {
namespace {

[[noreturn]] void wrong_type(std::string_view context, const char* expected) {
  throw FormatError("JSON: " + std::string(context) + " should be " + expected);
}

void write_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += escaped;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void write_number(std::string& out, double value) {
  if (!std::isfinite(value)) throw InvalidInputError("JSON: cannot write a non-finite number (NaN or infinity)");
  // Shortest text that reads back to the same double.
  out += format_double(value);
}

void newline(std::string& out, int indent, int depth) {
  if (indent == 0) return;
  out.push_back('\n');
  out.append(static_cast<std::size_t>(indent * depth), ' ');
}

class Parser {
public:
  explicit Parser(std::string_view text) : text_(text) {}

  Json document() {
    Json value = parse_value(0);
    skip_space();
    if (position_ != text_.size()) fail("unexpected text after the JSON value");
    return value;
  }

private:
  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError("JSON: " + what + " at byte " + std::to_string(position_));
  }
  void skip_space() {
    while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\n' ||
                                        text_[position_] == '\r' || text_[position_] == '\t')) {
      ++position_;
    }
  }
  char peek() {
    skip_space();
    if (position_ >= text_.size()) fail("unexpected end of input");
    return text_[position_];
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++position_;
  }
  bool consume_word(std::string_view word) {
    if (text_.substr(position_, word.size()) != word) return false;
    position_ += word.size();
    return true;
  }

  Json parse_value(int depth) {
    if (depth > 64) fail("nesting deeper than 64 levels");
    const char c = peek();
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') return Json(parse_string());
    if (consume_word("true")) return Json(true);
    if (consume_word("false")) return Json(false);
    if (consume_word("null")) return Json(nullptr);
    return Json(parse_number());
  }

  Json parse_object(int depth) {
    expect('{');
    Json::Object members;
    if (peek() == '}') {
      ++position_;
      return Json(std::move(members));
    }
    while (true) {
      if (peek() != '"') fail("expected a quoted key");
      std::string key = parse_string();
      expect(':');
      members.emplace_back(std::move(key), parse_value(depth + 1));
      if (peek() == ',') {
        ++position_;
        continue;
      }
      expect('}');
      return Json(std::move(members));
    }
  }

  Json parse_array(int depth) {
    expect('[');
    Json::Array items;
    if (peek() == ']') {
      ++position_;
      return Json(std::move(items));
    }
    while (true) {
      items.push_back(parse_value(depth + 1));
      if (peek() == ',') {
        ++position_;
        continue;
      }
      expect(']');
      return Json(std::move(items));
    }
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    while (true) {
      if (position_ >= text_.size()) fail("unterminated string");
      const char c = text_[position_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (position_ >= text_.size()) fail("unterminated escape");
      const char e = text_[position_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': append_code_point(out); break;
        default: fail("unknown escape");
      }
    }
  }

  unsigned parse_hex4() {
    if (position_ + 4 > text_.size()) fail("truncated \\u escape");
    unsigned value = 0;
    const auto result = std::from_chars(text_.data() + position_, text_.data() + position_ + 4, value, 16);
    if (result.ptr != text_.data() + position_ + 4) fail("bad \\u escape");
    position_ += 4;
    return value;
  }

  void append_code_point(std::string& out) {
    unsigned code = parse_hex4();
    if (code >= 0xD800 && code < 0xDC00 && consume_word("\\u")) {  // surrogate pair
      const unsigned low = parse_hex4();
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  double parse_number() {
    const std::size_t start = position_;
    while (position_ < text_.size() && std::string_view("+-0123456789.eE").find(text_[position_]) != std::string_view::npos) {
      ++position_;
    }
    const auto value = parse_double(text_.substr(start, position_ - start));
    if (!value) {
      position_ = start;
      fail("expected a value");
    }
    return *value;
  }

  std::string_view text_;
  std::size_t position_ = 0;
};

}  // namespace

bool Json::as_bool(std::string_view context) const {
  if (const auto* value = std::get_if<bool>(&value_)) return *value;
  wrong_type(context, "true or false");
}
double Json::as_number(std::string_view context) const {
  if (const auto* value = std::get_if<double>(&value_)) return *value;
  wrong_type(context, "a number");
}
const std::string& Json::as_string(std::string_view context) const {
  if (const auto* value = std::get_if<std::string>(&value_)) return *value;
  wrong_type(context, "a string");
}
const Json::Array& Json::as_array(std::string_view context) const {
  if (const auto* value = std::get_if<Array>(&value_)) return *value;
  wrong_type(context, "an array");
}
const Json::Object& Json::as_object(std::string_view context) const {
  if (const auto* value = std::get_if<Object>(&value_)) return *value;
  wrong_type(context, "an object");
}

const Json* Json::find(std::string_view key) const {
  const auto* object = std::get_if<Object>(&value_);
  if (object == nullptr) return nullptr;
  for (const auto& [name, value] : *object) {
    if (name == key) return &value;
  }
  return nullptr;
}

const Json& Json::at(std::string_view key) const {
  (void)as_object(key);  // throws with the key as context when this is not an object
  if (const Json* value = find(key)) return *value;
  throw FormatError("JSON: the required field '" + std::string(key) + "' is missing");
}

Json& Json::set(std::string key, Json value) {
  if (is_null()) value_ = Object{};
  auto* object = std::get_if<Object>(&value_);
  if (object == nullptr) throw InvalidInputError("JSON: set('" + key + "') on a value that is not an object");
  for (auto& [name, existing] : *object) {
    if (name == key) {
      existing = std::move(value);
      return *this;
    }
  }
  object->emplace_back(std::move(key), std::move(value));
  return *this;
}

void Json::write(std::string& out, int indent, int depth) const {
  if (is_null()) {
    out += "null";
  } else if (const auto* b = std::get_if<bool>(&value_)) {
    out += *b ? "true" : "false";
  } else if (const auto* number = std::get_if<double>(&value_)) {
    write_number(out, *number);
  } else if (const auto* text = std::get_if<std::string>(&value_)) {
    write_string(out, *text);
  } else if (const auto* array = std::get_if<Array>(&value_)) {
    // Arrays of numbers stay on one line: baseline hazards have thousands of entries.
    const bool flat = std::all_of(array->begin(), array->end(), [](const Json& item) { return item.is_number(); });
    out.push_back('[');
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (i > 0) out.push_back(',');
      if (!flat) newline(out, indent, depth + 1);
      (*array)[i].write(out, indent, depth + 1);
    }
    if (!flat && !array->empty()) newline(out, indent, depth);
    out.push_back(']');
  } else {
    const auto& object = std::get<Object>(value_);
    out.push_back('{');
    for (std::size_t i = 0; i < object.size(); ++i) {
      if (i > 0) out.push_back(',');
      newline(out, indent, depth + 1);
      write_string(out, object[i].first);
      out += indent > 0 ? ": " : ":";
      object[i].second.write(out, indent, depth + 1);
    }
    if (!object.empty()) newline(out, indent, depth);
    out.push_back('}');
  }
}

std::string Json::dump(int indent) const {
  std::string out;
  write(out, indent, 0);
  return out;
}

Json parse_json(std::string_view text) { return Parser(text).document(); }

Json to_json_array(const std::vector<double>& values) {
  Json::Array array;
  array.reserve(values.size());
  for (const double v : values) array.emplace_back(v);
  return Json(std::move(array));
}

std::vector<double> numbers_from_json(const Json& array, std::string_view context) {
  std::vector<double> values;
  for (const Json& item : array.as_array(context)) values.push_back(item.as_number(context));
  return values;
}

}  // namespace gliolens
