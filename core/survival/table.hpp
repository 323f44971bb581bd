// A cohort table read from CSV: a header row, then one row per subject. Cells stay text until a
// column is asked for as numbers, because real clinical tables mix numbers and labels.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gliolens::survival {

class Table {
public:
  Table(std::vector<std::string> column_names, std::vector<std::vector<std::string>> rows);

  [[nodiscard]] std::size_t row_count() const { return rows_.size(); }
  [[nodiscard]] std::size_t column_count() const { return column_names_.size(); }
  [[nodiscard]] const std::vector<std::string>& column_names() const { return column_names_; }
  [[nodiscard]] bool has_column(std::string_view name) const { return find_column(name).has_value(); }
  // The first column with this name (real tables repeat names; the first wins, as in R's read.csv
  // before it renames duplicates).
  [[nodiscard]] std::optional<std::size_t> find_column(std::string_view name) const;

  // The column as numbers (Inf allowed), missing cells ("", NA, NaN, and variants) as NaN. Throws
  // InvalidInputError naming the column, row and text when a present cell is not a number.
  [[nodiscard]] std::vector<double> numeric_column(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> text_column(std::string_view name) const;
  [[nodiscard]] const std::string& cell(std::size_t row, std::size_t column) const;

private:
  [[nodiscard]] std::size_t require_column(std::string_view name) const;

  std::vector<std::string> column_names_;
  std::vector<std::vector<std::string>> rows_;
};

// True for the spellings of a missing value in the tables we meet (R, pandas, spreadsheets).
[[nodiscard]] bool is_missing_cell(std::string_view cell);

// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF, a UTF-8 byte-order mark). `source` names
// the input in error messages. Rows shorter than the header are padded with missing cells; longer
// rows are an error.
[[nodiscard]] Table parse_csv(std::string_view text, std::string_view source = "CSV");
[[nodiscard]] Table read_csv_file(const std::string& path);

}  // namespace gliolens::survival
