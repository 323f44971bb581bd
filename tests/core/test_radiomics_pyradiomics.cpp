// PyRadiomics parity on its brain1 test case (column `brain1` of baseline_<class>.csv: binWidth 25,
// voxelArrayShift 2000, 3-D, distance 1, no resampling; and the variant columns whose settings we
// support: 2d, FBN, combined, flatRegion, resegmentation). Data: ../shared/data/radiomics/pyradiomics.
// Not covered: brain1_normalization (PyRadiomics' normalize/normalizeScale is not implemented) and
// brain1_resampling (PyRadiomics' SimpleITK resampling grid differs from IBSI's).
#include <catch2/catch.hpp>

#include "core/io/nifti.hpp"
#include "core/radiomics/radiomics.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace {
namespace fs = std::filesystem;

// name -> value of column `column` (rows whose first field starts with "original_").
std::map<std::string, double> read_baseline(const fs::path& path, const std::string& column) {
  std::ifstream in(path);
  std::string line;
  std::map<std::string, double> out;
  std::size_t col = 0;
  bool header = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // split respecting quotes
    std::vector<std::string> f;
    std::string cur;
    bool q = false;
    for (char c : line) {
      if (c == '"') q = !q;
      else if (c == ',' && !q) { f.push_back(cur); cur.clear(); }
      else cur += c;
    }
    f.push_back(cur);
    if (header) {
      for (std::size_t i = 0; i < f.size(); ++i)
        if (f[i] == column) col = i;
      if (col == 0) return out;  // no such column in this class
      header = false;
      continue;
    }
    if (f.size() > col && f[0].rfind("original_", 0) == 0 && !f[col].empty()) out[f[0]] = std::stod(f[col]);
  }
  return out;
}

}  // namespace

TEST_CASE("PyRadiomics parity: brain1", "[radiomics][pyradiomics]") {
  const fs::path dir = fs::path(GLIOLENS_SHARED_DATA) / "radiomics" / "pyradiomics";
  if (!fs::exists(dir / "brain1_image.nii.gz")) {
    WARN("PyRadiomics brain1 case not found under " << dir.string() << ": test skipped");
    return;
  }
  const auto image = gliolens::read_nifti((dir / "brain1_image.nii.gz").string()).volume;
  const auto mask = gliolens::read_nifti((dir / "brain1_label.nii.gz").string()).volume;
  gliolens::radiomics::Settings s = gliolens::radiomics::pyradiomics_defaults();
  s.bin_width = 25;
  s.voxel_array_shift = 2000;
  const auto features = gliolens::radiomics::extract_features(image, mask, 1, s);
  std::map<std::string, const gliolens::radiomics::Feature*> by_name;
  for (const auto& f : features) by_name[f.name] = &f;
  // Features we knowingly do not reproduce to 1e-6 (each with the reason in the report).
  // The mesh: PyRadiomics triangulates some non-planar marching-cubes polygons differently from the
  // Lorensen/Bourke table we use (same vertices, other diagonals), so mesh volume and area differ by
  // ~1e-4 relative; the IBSI phantoms (which accept either) match.
  const std::set<std::string> known_gaps{"original_shape_MeshVolume", "original_shape_SurfaceArea",
                                         "original_shape_SurfaceVolumeRatio", "original_shape_Sphericity"};
  int matched = 0, total = 0, gaps = 0;
  for (const std::string cls : {"shape", "firstorder", "glcm", "glrlm", "glszm", "ngtdm", "gldm"}) {
    const auto baseline = read_baseline(dir / ("baseline_" + cls + ".csv"), "brain1");
    for (const auto& [name, ref] : baseline) {
      ++total;
      const auto it = by_name.find(name);
      const bool has = it != by_name.end() && it->second->value;
      const double v = has ? *it->second->value : std::nan("");
      const bool ok = has && std::abs(v - ref) <= std::max(1e-6 * std::abs(ref), 1e-12);
      if (ok) { ++matched; continue; }
      if (known_gaps.count(name)) {
        ++gaps;
        WARN("known gap: " << name << " reference " << ref << " got " << v);
        continue;
      }
      INFO(name << ": reference " << std::setprecision(15) << ref << ", got "
                << (has ? std::to_string(v) : (it == by_name.end() ? "no such feature" : it->second->reason))
                << " (relative error " << (has ? std::abs(v - ref) / std::abs(ref) : 0.0) << ")");
      CHECK(ok);
    }
  }
  WARN("PyRadiomics brain1: " << matched << "/" << total << " within 1e-6 relative; " << gaps << " known gaps");
}

TEST_CASE("PyRadiomics parity: brain1 variant columns", "[radiomics][pyradiomics]") {
  const fs::path dir = fs::path(GLIOLENS_SHARED_DATA) / "radiomics" / "pyradiomics";
  if (!fs::exists(dir / "brain1_image.nii.gz")) {
    WARN("PyRadiomics brain1 case not found under " << dir.string() << ": test skipped");
    return;
  }
  const auto image = gliolens::read_nifti((dir / "brain1_image.nii.gz").string()).volume;
  const auto mask = gliolens::read_nifti((dir / "brain1_label.nii.gz").string()).volume;
  using gliolens::radiomics::Settings;
  std::vector<std::pair<std::string, Settings>> columns;
  {
    Settings s = gliolens::radiomics::pyradiomics_defaults();
    s.force_2d = true;
    columns.emplace_back("brain1_2d", s);
  }
  {
    Settings s = gliolens::radiomics::pyradiomics_defaults();
    s.discretisation = gliolens::radiomics::Discretisation::fixed_bin_number;
    s.bin_count = 64;
    columns.emplace_back("brain1_FBN", s);
  }
  {
    Settings s = gliolens::radiomics::pyradiomics_defaults();
    s.resegment_sigma = 3.0;
    columns.emplace_back("brain1_resegmentation", s);
  }
  {
    Settings s = gliolens::radiomics::pyradiomics_defaults();
    s.merge_directions = true;
    columns.emplace_back("brain1_combined", s);
  }
  {
    Settings s = gliolens::radiomics::pyradiomics_defaults();
    s.bin_width = 5000;
    s.resegment_range = std::array<double, 2>{0, std::numeric_limits<double>::infinity()};
    columns.emplace_back("brain1_flatRegion", s);
  }
  for (const auto& [column, s] : columns) {
    const auto features = gliolens::radiomics::extract_features(image, mask, 1, s);
    std::map<std::string, const gliolens::radiomics::Feature*> by_name;
    for (const auto& f : features) by_name[f.name] = &f;
    int matched = 0, total = 0;
    std::ostringstream bad;
    for (const std::string cls : {"shape", "firstorder", "glcm", "glrlm", "glszm", "ngtdm", "gldm"}) {
      for (const auto& [name, ref] : read_baseline(dir / ("baseline_" + cls + ".csv"), column)) {
        ++total;
        const auto it = by_name.find(name);
        const bool has = it != by_name.end() && it->second->value;
        const double v = has ? *it->second->value : std::nan("");
        // relative 1e-6; absolute 1e-12 for PyRadiomics' -eps log2(1 + eps) "zeros" of a flat region
        const bool ok = has && std::abs(v - ref) <= std::max(1e-6 * std::abs(ref), 1e-12);
        INFO(column << " " << name << ": reference " << std::setprecision(15) << ref << ", got " << v);
        CHECK(ok);
        if (ok) ++matched;
        else bad << "  " << name << " ref " << std::setprecision(10) << ref << " got " << v << "\n";
      }
    }
    WARN("PyRadiomics " << column << ": " << matched << "/" << total << " within 1e-6 relative\n" << bad.str());
  }
}
