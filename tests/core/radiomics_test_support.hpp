// Shared by the radiomics tests: small volumes, the CSV reference files, and PyRadiomics' brain1 case.
#pragma once
#include <catch2/catch.hpp>

#include "core/io/nifti.hpp"
#include "core/radiomics/radiomics.hpp"
#include "core/volume.hpp"
#include "shared_data.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <iomanip>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace gliolens::radiomics::testing {

// An axis-aligned volume with voxel size `spacing` (mm), every voxel `fill`.
inline Volume make_volume(std::array<std::int64_t, 3> dims, std::array<double, 3> spacing, float fill = 0.0f) {
  Volume v;
  v.grid.dims = dims;
  for (int d = 0; d < 3; ++d) v.grid.affine(d, d) = spacing[d];
  v.grid.qform = v.grid.sform = v.grid.affine;
  v.voxels.assign(v.grid.voxel_count(), fill);
  v.source_datatype = "FLOAT32";
  return v;
}

// The fields of one CSV line; double quotes protect commas (PyRadiomics' diagnostics rows hold tuples).
inline std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) { fields.push_back(field); field.clear(); }
    else if (c != '\r') field += c;
  }
  fields.push_back(field);
  return fields;
}

// Every non-empty line after the header, split into fields.
inline std::vector<std::vector<std::string>> read_csv_rows(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line))
    if (!line.empty() && line != "\r") rows.push_back(csv_fields(line));
  return rows;
}

// A PyRadiomics baseline file (rows: feature names; columns: test cases): feature name -> value of
// `column` for the names that start with `prefix`; empty when the file has no such column.
inline std::map<std::string, double> pyradiomics_baseline(const std::filesystem::path& path, const std::string& column,
                                                          const std::string& prefix = "original_") {
  std::ifstream in(path);
  std::string line;
  std::map<std::string, double> out;
  if (!std::getline(in, line)) return out;
  const auto header = csv_fields(line);
  std::size_t col = 0;
  for (std::size_t i = 1; i < header.size(); ++i)
    if (header[i] == column) col = i;
  if (col == 0) return out;
  while (std::getline(in, line)) {
    const auto f = csv_fields(line);
    if (f.size() > col && f[0].rfind(prefix, 0) == 0 && !f[col].empty()) out[f[0]] = std::stod(f[col]);
  }
  return out;
}

struct Brain1 {
  std::filesystem::path dir;
  Volume image;
  Volume mask;
};

// PyRadiomics' brain1 parity case from the shared data, or nothing (the test reported skipped) where it is absent.
inline std::optional<Brain1> load_brain1() {
  const auto dir = gliolens::testing::shared_data_dir() / "radiomics" / "pyradiomics";
  if (gliolens::testing::skipped_without(dir / "brain1_image.nii.gz")) return std::nullopt;
  return Brain1{dir, read_nifti((dir / "brain1_image.nii.gz").string()).volume,
                read_nifti((dir / "brain1_label.nii.gz").string()).volume};
}

struct BaselineAgreement {
  int matched = 0, total = 0, gaps = 0;
  std::string report;  // one line per feature that did not match
};

// Our features against column `column` of PyRadiomics' baseline_<class>.csv files in `dir`: relative 1e-6, absolute
// 1e-12 for PyRadiomics' -eps log2(1 + eps) "zeros" of a flat region. A mismatch fails a CHECK unless its feature is
// in `known_gaps` (counted and reported only).
inline BaselineAgreement compare_to_pyradiomics_baseline(const std::vector<Feature>& features,
                                                         const std::filesystem::path& dir, const std::string& column,
                                                         const std::set<std::string>& known_gaps = {}) {
  std::map<std::string, const Feature*> by_name;
  for (const auto& f : features) by_name[f.name] = &f;
  BaselineAgreement a;
  std::ostringstream report;
  for (const std::string cls : {"shape", "firstorder", "glcm", "glrlm", "glszm", "ngtdm", "gldm"}) {
    for (const auto& [name, ref] : pyradiomics_baseline(dir / ("baseline_" + cls + ".csv"), column)) {
      ++a.total;
      const auto it = by_name.find(name);
      const bool has = it != by_name.end() && it->second->value;
      const double v = has ? *it->second->value : std::nan("");
      const bool ok = has && std::abs(v - ref) <= std::max(1e-6 * std::abs(ref), 1e-12);
      if (ok) {
        ++a.matched;
        continue;
      }
      const bool gap = known_gaps.count(name) > 0;
      report << "  " << (gap ? "(known gap) " : "") << name << " reference " << std::setprecision(15) << ref
             << ", got " << (has ? std::to_string(v) : (it == by_name.end() ? "no such feature" : it->second->reason))
             << " (relative error " << (has ? std::abs(v - ref) / std::abs(ref) : 0.0) << ")\n";
      if (gap) {
        ++a.gaps;
        continue;
      }
      INFO(column << " " << name << ": reference " << std::setprecision(15) << ref << ", got " << v);
      CHECK(ok);
    }
  }
  a.report = report.str();
  return a;
}

}  // namespace gliolens::radiomics::testing
