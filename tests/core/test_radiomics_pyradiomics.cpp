// PyRadiomics parity on its brain1 test case (column `brain1` of baseline_<class>.csv: binWidth 25,
// voxelArrayShift 2000, 3-D, distance 1, no resampling; and the variant columns whose settings we
// support: 2d, FBN, combined, flatRegion, resegmentation). Data: ../shared/data/radiomics/pyradiomics. The columns
// set through a parameter file (normalization, resampling, resegmentation) are in test_radiomics_params.cpp.
#include <catch2/catch.hpp>

#include "radiomics_test_support.hpp"

#include "core/io/nifti.hpp"
#include "core/radiomics/radiomics.hpp"

#include <filesystem>
#include <set>

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
  // Features we knowingly do not reproduce to 1e-6 (each with the reason in the report).
  // The mesh: this column of PyRadiomics' baseline comes from a development build (2.0.1b1.post11, says its
  // diagnostics row); its mesh area and volume (8e-4 and 1.2e-4 relative from ours) are not reproduced by
  // PyRadiomics' released cell table nor by Lorensen/Bourke's, in any of the 48 axis orders/mirrorings of the
  // cell. The brain1_resampling column, from PyRadiomics 2.1.0, matches our PyRadiomics-mode mesh to 1e-6
  // (test_radiomics_params.cpp), as do the IBSI phantoms in IBSI mode.
  const std::set<std::string> known_gaps{"original_shape_MeshVolume", "original_shape_SurfaceArea",
                                         "original_shape_SurfaceVolumeRatio", "original_shape_Sphericity"};
  const auto a = compare_to_pyradiomics_baseline(features, dir, "brain1", known_gaps);
  WARN("PyRadiomics brain1: " << a.matched << "/" << a.total << " within 1e-6 relative; " << a.gaps << " known gaps\n"
                              << a.report);
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
    const auto a = compare_to_pyradiomics_baseline(features, dir, column);
    WARN("PyRadiomics " << column << ": " << a.matched << "/" << a.total << " within 1e-6 relative\n" << a.report);
  }
}
