// PyRadiomics parity on its brain1 test case (column `brain1` of baseline_<class>.csv: binWidth 25,
// voxelArrayShift 2000, 3-D, distance 1, no resampling; and the variant columns whose settings we
// support: 2d, FBN, combined, flatRegion, resegmentation). Data: ../shared/data/radiomics/pyradiomics. The columns
// set through a parameter file (normalization, resampling, resegmentation) are in test_radiomics_params.cpp.
#include <catch2/catch.hpp>

#include "radiomics_test_support.hpp"

#include "core/io/nifti.hpp"
#include "core/radiomics/radiomics.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace gliolens::radiomics::testing;
using gliolens::Volume;

TEST_CASE("PyRadiomics parity: brain1", "[radiomics][pyradiomics]") {
  const auto brain1 = load_brain1();
  if (!brain1) return;
  const fs::path& dir = brain1->dir;
  const Volume& image = brain1->image;
  const Volume& mask = brain1->mask;
  gliolens::radiomics::Settings s = gliolens::radiomics::pyradiomics_defaults();
  s.bin_width = 25;
  s.voxel_array_shift = 2000;
  const auto features = gliolens::radiomics::extract_features(image, mask, 1, s);
  std::map<std::string, const gliolens::radiomics::Feature*> by_name;
  for (const auto& f : features) by_name[f.name] = &f;
  // Features we knowingly do not reproduce to 1e-6 (each with the reason in the report).
  // The mesh: this column of PyRadiomics' baseline comes from a development build (2.0.1b1.post11, says its
  // diagnostics row); its mesh area and volume (8e-4 and 1.2e-4 relative from ours) are not reproduced by
  // PyRadiomics' released cell table nor by Lorensen/Bourke's, in any of the 48 axis orders/mirrorings of the
  // cell. The brain1_resampling column, from PyRadiomics 2.1.0, matches our PyRadiomics-mode mesh to 1e-6
  // (test_radiomics_params.cpp), as do the IBSI phantoms in IBSI mode.
  const std::set<std::string> known_gaps{"original_shape_MeshVolume", "original_shape_SurfaceArea",
                                         "original_shape_SurfaceVolumeRatio", "original_shape_Sphericity"};
  int matched = 0, total = 0, gaps = 0;
  for (const std::string cls : {"shape", "firstorder", "glcm", "glrlm", "glszm", "ngtdm", "gldm"}) {
    const auto baseline = pyradiomics_baseline(dir / ("baseline_" + cls + ".csv"), "brain1");
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
  const auto brain1 = load_brain1();
  if (!brain1) return;
  const fs::path& dir = brain1->dir;
  const Volume& image = brain1->image;
  const Volume& mask = brain1->mask;
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
      for (const auto& [name, ref] : pyradiomics_baseline(dir / ("baseline_" + cls + ".csv"), column)) {
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
