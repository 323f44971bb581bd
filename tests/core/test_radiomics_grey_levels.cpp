// The grey levels an extraction reports beside its features: the distinct levels its discretisation gave the
// region, the bins they span, and the bin setting in force, per image type.
#include <catch2/catch.hpp>

#include "radiomics_test_support.hpp"

#include "core/radiomics/params.hpp"

namespace {
using namespace gliolens;
using namespace gliolens::radiomics;
using gliolens::radiomics::testing::make_volume;

// A 5 x 5 x 5 region whose voxels take the intensities `values` in turn, inside a 9 x 9 x 9 image.
std::pair<Volume, Volume> region_of(const std::vector<float>& values) {
  Volume image = make_volume({9, 9, 9}, {1, 1, 1});
  Volume mask = make_volume({9, 9, 9}, {1, 1, 1});
  std::size_t next = 0;
  for (std::int64_t k = 2; k < 7; ++k)
    for (std::int64_t j = 2; j < 7; ++j)
      for (std::int64_t i = 2; i < 7; ++i) {
        const auto n = image.grid.index(i, j, k);
        image.voxels[n] = values[next++ % values.size()];
        mask.voxels[n] = 1;
      }
  return {std::move(image), std::move(mask)};
}

}  // namespace

TEST_CASE("grey levels: occupied levels and the bins they span, fixed bin width", "[radiomics][grey_levels]") {
  // Bin width 25 from 0 (PyRadiomics: min - min % width): 0, 10 -> 1; 30 -> 2; 100 -> 5; 1000 -> 41.
  const auto [image, mask] = region_of({0, 10, 30, 100, 1000});
  const Extraction e = extract_with_diagnostics(image, mask, {1}, pyradiomics_defaults());
  REQUIRE(e.grey_levels.size() == 1);
  const GreyLevelSummary& g = e.grey_levels[0];
  CHECK(g.image_type == "original");
  CHECK(g.discretisation == Discretisation::fixed_bin_size);
  CHECK(g.bin_width == 25);
  CHECK(g.bin_count == 0);
  CHECK(g.occupied_levels == 4);
  CHECK(g.level_range == 41);
  // The features are those extract_features gives.
  const auto features = extract_features(image, mask, 1, pyradiomics_defaults());
  REQUIRE(features.size() == e.features.size());
  for (std::size_t n = 0; n < features.size(); ++n) {
    CHECK(features[n].name == e.features[n].name);
    CHECK(features[n].value == e.features[n].value);
  }
}

TEST_CASE("grey levels: fixed bin count, and an empty region", "[radiomics][grey_levels]") {
  const auto [image, mask] = region_of({0, 10, 30, 100, 1000});
  Settings s = pyradiomics_defaults();
  s.discretisation = Discretisation::fixed_bin_number;
  s.bin_count = 16;
  const GreyLevelSummary g = extract_with_diagnostics(image, mask, {1}, s).grey_levels.at(0);
  CHECK(g.bin_count == 16);
  CHECK(g.bin_width == 0);
  CHECK(g.level_range == 16);
  CHECK(g.occupied_levels == 3);  // 0, 10, 30 share the first of 16 bins over 0..1000; 100 -> 2; 1000 -> 16

  const GreyLevelSummary none = extract_with_diagnostics(image, mask, {2}, pyradiomics_defaults()).grey_levels.at(0);
  CHECK(none.occupied_levels == 0);
  CHECK(none.level_range == 0);
}

TEST_CASE("grey levels: one summary per image type through a parameter file", "[radiomics][grey_levels]") {
  const auto [image, mask] = region_of({0, 10, 30, 100, 1000});
  const Params p = parse_params("imageType:\n  Original: {}\n  LoG: {sigma: [1.0]}\nsetting:\n  binWidth: 5\n");
  const Extraction e = extract_with_params_and_diagnostics(image, mask, {1}, p);
  REQUIRE(e.grey_levels.size() == 2);
  CHECK(e.grey_levels[0].image_type == "original");
  CHECK(e.grey_levels[0].bin_width == 5);
  CHECK(e.grey_levels[0].occupied_levels == 5);  // 0, 10, 30, 100, 1000 in bins of 5
  CHECK(e.grey_levels[0].level_range == 201);
  CHECK(e.grey_levels[1].image_type == "log-sigma-1-0-mm-3D");
  CHECK(e.grey_levels[1].occupied_levels > 0);
  CHECK(e.features.size() == extract_with_params(image, mask, 1, p).size());
}
