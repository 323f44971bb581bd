// IBSI centre-aligned resampling.
#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/imaging/resample.hpp"

#include <cmath>

namespace {
gliolens::Volume ramp(std::int64_t n) {
  gliolens::Volume v;
  v.grid.dims = {n, n, 1};
  v.voxels.resize(static_cast<std::size_t>(n * n));
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < n; ++i) v.voxels[v.grid.index(i, j, 0)] = static_cast<float>(i + 10 * j);
  v.grid.affine(0, 3) = 5;  // origin x = 5 mm
  return v;
}
}  // namespace

TEST_CASE("resample: IBSI grid, linear, nearest and B-spline", "[resample]") {
  const auto v = ramp(4);
  const auto r = gliolens::resample(v, {2, 2, 0}, gliolens::Interpolator::linear);
  REQUIRE(r.grid.dims == std::array<std::int64_t, 3>{2, 2, 1});
  // new voxel 0 sits at old index 0.5 (centres aligned): value 0.5 + 10 * 0.5
  CHECK(r.voxels[0] == Approx(5.5f));
  CHECK(r.voxels[r.grid.index(1, 1, 0)] == Approx(2.5 + 25.0));
  CHECK(r.grid.spacing()[0] == Approx(2.0));
  CHECK(r.grid.affine(0, 3) == Approx(5.5));
  CHECK(r.grid.spacing()[2] == Approx(1.0));
  // 3 voxels of 1 mm to 2 mm: ceil(1.5) = 2 voxels, centred
  const auto r3 = gliolens::resample(ramp(3), {2, 0, 0}, gliolens::Interpolator::linear);
  CHECK(r3.grid.dims[0] == 2);
  CHECK(r3.voxels[0] == Approx(0.0f));  // index 1 - 1 = 0
  CHECK(r3.voxels[1] == Approx(2.0f));
  // identity spacing reproduces the data with every interpolator
  for (auto in : {gliolens::Interpolator::nearest, gliolens::Interpolator::linear, gliolens::Interpolator::bspline}) {
    const auto same = gliolens::resample(v, {1, 1, 1}, in);
    for (std::size_t n = 0; n < v.voxels.size(); ++n) CHECK(same.voxels[n] == Approx(v.voxels[n]).margin(1e-4));
  }
  // between grid points a cubic B-spline stays close to a linear ramp (mirror boundaries bend it slightly)
  CHECK(gliolens::sample(ramp(8), {3.5, 2.25, 0}, gliolens::Interpolator::bspline) == Approx(3.5 + 22.5).margin(0.2));
  CHECK(gliolens::sample(v, {1.4, 0, 0}, gliolens::Interpolator::nearest) == Approx(1.0));
}

TEST_CASE("resample: masks are thresholded, empty input refused", "[resample]") {
  gliolens::Volume m;
  m.grid.dims = {4, 1, 1};
  m.voxels = {0, 2, 2, 0};
  const auto r = gliolens::resample_mask(m, 2, {2, 0, 0}, gliolens::Interpolator::linear, 0.5);
  REQUIRE(r.grid.dims[0] == 2);
  CHECK(r.voxels[0] == 1.0f);  // at index 0.5: 0.5 >= 0.5
  CHECK(r.voxels[1] == 1.0f);
  gliolens::Volume empty;
  CHECK_THROWS_AS(gliolens::resample(empty, {1, 1, 1}, gliolens::Interpolator::linear), gliolens::InvalidInputError);
}

TEST_CASE("resample: a mask point halfway between two slices keeps its 0.5 through rounding", "[resample]") {
  // 60 slices of 3 mm to 2 mm (the IBSI CT phantom's z axis): 90 slices, every third one halfway between two old
  // slices, where the interpolated mask computes to 0.4999... or 0.5000... by rounding alone.
  gliolens::Volume m;
  m.grid.dims = {1, 1, 60};
  m.grid.affine(2, 2) = 3;
  m.voxels.assign(60, 0.0f);
  for (std::int64_t k = 0; k < 60; k += 2) m.voxels[static_cast<std::size_t>(k)] = 1.0f;  // every other slice
  const auto r = gliolens::resample_mask(m, 1, {0, 0, 2}, gliolens::Interpolator::linear, 0.5);
  REQUIRE(r.grid.dims[2] == 90);
  int halfway = 0;
  for (std::int64_t k = 0; k < 90; ++k) {
    const double p = -1.0 / 6 + k * 2.0 / 3;  // old slice index of new slice k
    if (std::abs(p - std::round(p) - 0.5) > 1e-6 && std::abs(p - std::round(p) + 0.5) > 1e-6) continue;
    ++halfway;
    INFO("new slice " << k << " at old index " << p);
    CHECK(r.voxels[static_cast<std::size_t>(k)] == 1.0f);  // one neighbour in the mask: 0.5, kept
  }
  CHECK(halfway == 30);
}
