// The registration check onto a template: the template brain's outline and the brain-mask Dice.
#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/registration/template_check.hpp"

#include <algorithm>
#include <cstdint>

namespace {
// A cube of side `side` voxels (value `value`) starting at voxel `start` in a 7 x 7 x 7 grid of 1 mm.
gliolens::Volume cube(std::int64_t start, std::int64_t side, float value = 1.0F) {
  gliolens::Volume v;
  v.name = "cube";
  v.grid.dims = {7, 7, 7};
  v.voxels.assign(v.grid.voxel_count(), 0.0F);
  for (std::int64_t k = start; k < start + side; ++k)
    for (std::int64_t j = start; j < start + side; ++j)
      for (std::int64_t i = start; i < start + side; ++i) v.voxels[v.grid.index(i, j, k)] = value;
  return v;
}

std::size_t count(const gliolens::Volume& v) {
  return static_cast<std::size_t>(std::count_if(v.voxels.begin(), v.voxels.end(), [](float x) { return x != 0.0F; }));
}
}  // namespace

TEST_CASE("template check: the outline is the brain's surface, one voxel thick", "[registration][template-check]") {
  // Template intensities, not labels: any non-zero voxel is brain.
  const auto brain = cube(1, 5, 37.5F);
  const auto outline = gliolens::registration::template_outline(brain);
  CHECK(outline.grid.dims == brain.grid.dims);
  CHECK(count(outline) == 5 * 5 * 5 - 3 * 3 * 3);
  CHECK(outline.at(1, 3, 3) == 1.0F);  // a face
  CHECK(outline.at(1, 1, 1) == 1.0F);  // a corner
  CHECK(outline.at(3, 3, 3) == 0.0F);  // inside
  CHECK(outline.at(0, 3, 3) == 0.0F);  // background
  CHECK(std::all_of(outline.voxels.begin(), outline.voxels.end(), [](float x) { return x == 0.0F || x == 1.0F; }));
  // The grid's edge counts as background: a brain filling the grid is outlined at its faces.
  const auto full = gliolens::registration::template_outline(cube(0, 7));
  CHECK(count(full) == 7 * 7 * 7 - 5 * 5 * 5);
  CHECK(count(gliolens::registration::template_outline(cube(0, 0))) == 0);
}

TEST_CASE("template check: Dice of a brain mask against the template's brain", "[registration][template-check]") {
  const auto brain = cube(1, 5, 37.5F);
  CHECK(gliolens::registration::template_brain_dice(cube(1, 5), brain) == Approx(1.0));
  // Shifted one voxel along the diagonal: 4 x 4 x 4 of the 5 x 5 x 5 overlap.
  CHECK(gliolens::registration::template_brain_dice(cube(2, 5), brain) == Approx(2.0 * 64 / 250));
  CHECK(gliolens::registration::template_brain_dice(cube(0, 0), cube(0, 0)) == Approx(1.0));
  CHECK(gliolens::registration::template_brain_dice(cube(0, 0), brain) == Approx(0.0));
  auto elsewhere = cube(1, 5);
  elsewhere.name = "mask.nii.gz";
  elsewhere.grid.affine(0, 3) = 10.0;
  CHECK_THROWS_AS(gliolens::registration::template_brain_dice(elsewhere, brain), gliolens::InvalidInputError);
  CHECK_THROWS_WITH(gliolens::registration::template_brain_dice(elsewhere, brain), Catch::Contains("mask.nii.gz is not on the grid of cube"));
}
