// Helpers shared by the survival tests: reading the committed R reference numbers.
#pragma once
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "core/survival/survival_data.hpp"
#include "core/survival/table.hpp"

namespace gliolens::survival::testing {

inline std::string reference_path(const std::string& name) {
  return std::string(GLIOLENS_SOURCE_DIR) + "/tests/reference/survival/" + name;
}

inline Table reference_table(const std::string& name) { return read_csv_file(reference_path(name)); }

// A key,value reference file as a map.
inline std::map<std::string, double> reference_values(const std::string& name) {
  const Table table = reference_table(name);
  const auto keys = table.text_column("key");
  const auto values = table.numeric_column("value");
  std::map<std::string, double> result;
  for (std::size_t i = 0; i < keys.size(); ++i) result[keys[i]] = values[i];
  return result;
}

inline double relative_difference(double actual, double expected) {
  return std::abs(actual - expected) / std::max(std::abs(expected), 1e-12);
}

// Splits "a b c" into words.
inline std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> result;
  std::string word;
  for (const char c : text + " ") {
    if (c == ' ') {
      if (!word.empty()) result.push_back(word);
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  return result;
}

}  // namespace gliolens::survival::testing
