#include "core/survival/table.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/errors.hpp"
#include "core/common/number_text.hpp"

namespace gliolens::survival {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// Splits CSV text into rows of fields; quotes may span commas and line breaks.
std::vector<std::vector<std::string>> split_records(std::string_view text, std::string_view source) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool in_quotes = false;
  bool field_started = false;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    const bool blank_line = record.size() == 1 && record.front().empty();
    if (!blank_line) records.push_back(std::move(record));
    record.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"' && !field_started) {
      in_quotes = true;
      field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (in_quotes) throw FormatError(std::string(source) + ": a quoted field is never closed");
  if (field_started || !record.empty()) end_record();
  return records;
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto value = parse_double(text);
  if (!value) {
    // R writes logicals as TRUE/FALSE; event columns often come that way.
    if (text == "TRUE" || text == "True" || text == "true") return 1.0;
    if (text == "FALSE" || text == "False" || text == "false") return 0.0;
    return std::nullopt;
  }
  return *value;
}

}  // namespace

bool is_missing_cell(std::string_view cell) {
  static constexpr std::array<std::string_view, 10> spellings = {
      "", "NA", "NaN", "nan", "N/A", "n/a", "na", "null", "NULL", "[Not Available]"};
  return std::find(spellings.begin(), spellings.end(), trim(cell)) != spellings.end();
}

Table::Table(std::vector<std::string> column_names, std::vector<std::vector<std::string>> rows)
    : column_names_(std::move(column_names)), rows_(std::move(rows)) {
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    if (rows_[r].size() > column_names_.size()) {
      throw FormatError("table row " + std::to_string(r + 1) + " has " + std::to_string(rows_[r].size()) +
                        " fields but the header names " + std::to_string(column_names_.size()));
    }
    rows_[r].resize(column_names_.size());
  }
}

std::optional<std::size_t> Table::find_column(std::string_view name) const {
  const auto it = std::find(column_names_.begin(), column_names_.end(), name);
  if (it == column_names_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - column_names_.begin());
}

std::size_t Table::require_column(std::string_view name) const {
  if (const auto column = find_column(name)) return *column;
  std::string known;
  for (const auto& column : column_names_) known += (known.empty() ? "" : ", ") + column;
  throw InvalidInputError("the table has no column '" + std::string(name) + "' (columns: " + known + ")");
}

const std::string& Table::cell(std::size_t row, std::size_t column) const {
  if (row >= rows_.size() || column >= column_names_.size()) {
    throw InvalidInputError("table cell (" + std::to_string(row) + ", " + std::to_string(column) +
                            ") is outside the table");
  }
  return rows_[row][column];
}

std::vector<double> Table::numeric_column(std::string_view name) const {
  const std::size_t column = require_column(name);
  std::vector<double> values;
  values.reserve(rows_.size());
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    const std::string& text = rows_[r][column];
    if (is_missing_cell(text)) {
      values.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    const auto value = parse_number(text);
    if (!value) {
      throw InvalidInputError("column '" + std::string(name) + "', data row " + std::to_string(r + 1) +
                              ": '" + text + "' is not a number");
    }
    values.push_back(*value);
  }
  return values;
}

std::vector<std::string> Table::text_column(std::string_view name) const {
  const std::size_t column = require_column(name);
  std::vector<std::string> values;
  values.reserve(rows_.size());
  for (const auto& row : rows_) values.push_back(row[column]);
  return values;
}

Table parse_csv(std::string_view text, std::string_view source) {
  auto records = split_records(text, source);
  if (records.empty()) throw FormatError(std::string(source) + ": empty, no header row");
  std::vector<std::string> header = std::move(records.front());
  for (auto& name : header) name = std::string(trim(name));
  records.erase(records.begin());
  try {
    return Table(std::move(header), std::move(records));
  } catch (const FormatError& error) {
    throw FormatError(std::string(source) + ": " + error.what());
  }
}

Table read_csv_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw FileError(path + ": cannot open");
  std::ostringstream content;
  content << file.rdbuf();
  return parse_csv(content.str(), path);
}

}  // namespace gliolens::survival
