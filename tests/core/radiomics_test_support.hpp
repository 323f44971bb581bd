// Shared by the radiomics tests: small volumes, the CSV reference files, and PyRadiomics' brain1 case.
#pragma once
#include <catch2/catch.hpp>

#include "core/io/nifti.hpp"
#include "core/volume.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
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

// PyRadiomics' brain1 parity case from the shared data, or nothing (with a warning saying the test is
// skipped) where the shared data is absent.
inline std::optional<Brain1> load_brain1() {
  const auto dir = std::filesystem::path(GLIOLENS_SHARED_DATA) / "radiomics" / "pyradiomics";
  if (!std::filesystem::exists(dir / "brain1_image.nii.gz")) {
    WARN("PyRadiomics brain1 case not found under " << dir.string() << ": test skipped");
    return std::nullopt;
  }
  return Brain1{dir, read_nifti((dir / "brain1_image.nii.gz").string()).volume,
                read_nifti((dir / "brain1_label.nii.gz").string()).volume};
}

}  // namespace gliolens::radiomics::testing
