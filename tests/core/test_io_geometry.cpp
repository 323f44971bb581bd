// Geometry and intensity preprocessing on analytic images: reorientation, same-grid checks,
// resampling through affines, crop/paste, brain mask, z-score, percentiles.
#include "core/errors.hpp"
#include "core/imaging/crop.hpp"
#include "core/imaging/intensity.hpp"
#include "core/imaging/regrid.hpp"
#include "core/imaging/reorient.hpp"
#include "core/imaging/same_grid.hpp"
#include "core/io/nifti.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

using namespace gliolens;

namespace {

Volume make_volume(std::array<std::int64_t, 3> dims, const Eigen::Matrix4d& affine,
                   const std::function<float(std::int64_t, std::int64_t, std::int64_t)>& f) {
  Volume v;
  v.name = "analytic";
  v.grid.dims = dims;
  v.grid.affine = affine;
  v.grid.sform = affine;
  v.grid.sform_code = 2;
  v.grid.qform = affine;
  v.grid.qform_code = 1;
  v.voxels.resize(v.grid.voxel_count());
  for (std::int64_t k = 0; k < dims[2]; ++k)
    for (std::int64_t j = 0; j < dims[1]; ++j)
      for (std::int64_t i = 0; i < dims[0]; ++i) v.voxels[v.grid.index(i, j, k)] = f(i, j, k);
  return v;
}

Eigen::Matrix4d affine_of(std::initializer_list<double> rows) {
  Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
  auto it = rows.begin();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) m(r, c) = *it++;
  return m;
}

Eigen::Vector3d world(const Grid& g, double i, double j, double k) {
  return (g.affine * Eigen::Vector4d(i, j, k, 1)).head<3>();
}

// Every voxel of `b` holds the value `a` has at the same world position.
void check_same_world_values(const Volume& a, const Volume& b) {
  const Eigen::Matrix4d inv = a.grid.affine.inverse();
  for (std::int64_t k = 0; k < b.grid.dims[2]; ++k)
    for (std::int64_t j = 0; j < b.grid.dims[1]; ++j)
      for (std::int64_t i = 0; i < b.grid.dims[0]; ++i) {
        const Eigen::Vector4d p = inv * b.grid.affine * Eigen::Vector4d(i, j, k, 1);
        const auto ai = std::lround(p[0]), aj = std::lround(p[1]), ak = std::lround(p[2]);
        REQUIRE(std::abs(p[0] - ai) < 1e-9);
        REQUIRE(a.at(ai, aj, ak) == b.at(i, j, k));
      }
}

}  // namespace

TEST_CASE("reorientation to RAS+ and back is exact, world positions kept", "[imaging][reorient]") {
  const auto f = [](std::int64_t i, std::int64_t j, std::int64_t k) { return static_cast<float>(i + 10 * j + 100 * k); };
  const std::vector<std::pair<std::string, Eigen::Matrix4d>> layouts = {
      {"LPS", affine_of({-1, 0, 0, 10, 0, -1.5, 0, 20, 0, 0, 2, -30})},
      {"PSR", affine_of({0, 0, 0.9, -5, -1, 0, 0, 7, 0, 2, 0, 3})},
      {"LAI", affine_of({-2, 0, 0, 0, 0, 1, 0, 0, 0, 0, -3, 40})},
      {"RAS", affine_of({1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0})},
  };
  for (const auto& [code, affine] : layouts) {
    INFO(code);
    const Volume v = make_volume({5, 4, 3}, affine, f);
    REQUIRE(orientation_code(v.grid.affine) == code);
    const Volume ras = reorient(v);
    CHECK(orientation_code(ras.grid.affine) == "RAS");
    CHECK(ras.grid.voxel_count() == v.grid.voxel_count());
    check_same_world_values(v, ras);
    CHECK(ras.grid.sform.isApprox(ras.grid.affine));
    CHECK(ras.grid.qform.isApprox(ras.grid.affine));
    // Spacing follows the permutation and the diagonal of an RAS+ affine is positive.
    for (int a = 0; a < 3; ++a) CHECK(ras.grid.affine(a, a) > 0);
    const Volume back = reorient(ras, code);
    CHECK(back.voxels == v.voxels);
    CHECK(back.grid.dims == v.grid.dims);
    CHECK((back.grid.affine - v.grid.affine).cwiseAbs().maxCoeff() < 1e-12);
  }
}

TEST_CASE("an oblique affine reorients to the closest axes", "[imaging][reorient]") {
  const double c = std::cos(0.2), s = std::sin(0.2);
  const Volume v = make_volume({4, 4, 4}, affine_of({-c, s, 0, 0, -s, -c, 0, 0, 0, 0, 1, 0}),
                               [](auto i, auto j, auto k) { return static_cast<float>(i * 3 + j * 5 + k * 7); });
  CHECK(orientation_code(v.grid.affine) == "LPS");
  const Volume ras = reorient(v);
  CHECK(orientation_code(ras.grid.affine) == "RAS");
  check_same_world_values(v, ras);
}

TEST_CASE("bad orientation codes are refused", "[imaging][reorient]") {
  CHECK_THROWS_AS(axis_mapping("RAS", "RAX"), InvalidInputError);
  CHECK_THROWS_AS(axis_mapping("RRS", "RAS"), InvalidInputError);
  CHECK_THROWS_AS(axis_mapping("RA", "RAS"), InvalidInputError);
}

TEST_CASE("same-grid check: dims, and affines within a tolerance in mm", "[imaging][grid]") {
  const auto f = [](auto, auto, auto) { return 0.0f; };
  Volume a = make_volume({10, 10, 10}, affine_of({1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}), f);
  Volume b = a;
  b.name = "b";
  b.grid.affine(0, 3) += 1e-5;
  CHECK(same_grid(a.grid, b.grid));
  b.grid.affine(0, 0) = 1.001;  // 9 voxels x 0.001 = 0.009 mm at the far corner
  CHECK_FALSE(same_grid(a.grid, b.grid));
  CHECK(same_grid(a.grid, b.grid, GridTolerance{0.01}));
  CHECK_THAT(grid_difference(a.grid, b.grid), Catch::Contains("affines differ by up to 0.009"));
  Volume c = make_volume({10, 10, 9}, a.grid.affine, f);
  c.name = "flair.nii.gz";
  CHECK_THAT(grid_difference(a.grid, c.grid), Catch::Contains("dimensions 10x10x10 vs 10x10x9"));
  const std::vector<const Volume*> all{&a, &c};
  CHECK_THROWS_AS(require_same_grid(all), InvalidInputError);
  CHECK_THROWS_WITH(require_same_grid(all), Catch::StartsWith("flair.nii.gz: grid does not match analytic"));
}

TEST_CASE("resampling onto a reference grid through the affines", "[imaging][regrid]") {
  // A linear function of world position: linear and B-spline interpolation reproduce it exactly
  // inside the moving image (B-spline away from its mirror boundary), nearest on matching voxels.
  const auto field = [](const Eigen::Vector3d& p) { return 2 * p.x() + 3 * p.y() - p.z() + 5; };
  const Eigen::Matrix4d moving_affine = affine_of({-1, 0, 0, 30, 0, -1, 0, 30, 0, 0, 1.5, -20});  // LPS
  Volume moving = make_volume({41, 41, 31}, moving_affine, [&](auto i, auto j, auto k) {
    return static_cast<float>(field((moving_affine * Eigen::Vector4d(i, j, k, 1)).head<3>()));
  });
  Grid reference;
  reference.dims = {8, 8, 6};
  reference.affine = affine_of({2, 0, 0, 3.25, 0, 2, 0, 4.5, 0, 0, 2, -2.0});  // RAS, 2 mm, off-grid
  reference.sform = reference.affine;
  reference.sform_code = 1;

  for (const auto interp : {Interpolator::linear, Interpolator::bspline}) {
    const Volume out = resample_to_grid(moving, reference, interp);
    CHECK(out.grid.affine == reference.affine);
    double worst = 0;
    for (std::int64_t k = 0; k < 6; ++k)
      for (std::int64_t j = 0; j < 8; ++j)
        for (std::int64_t i = 0; i < 8; ++i) {
          const Eigen::Vector3d p = world(reference, i, j, k);
          const Eigen::Vector4d m = moving_affine.inverse() * Eigen::Vector4d(p.x(), p.y(), p.z(), 1);
          bool interior = true;
          for (int d = 0; d < 3; ++d) interior = interior && m[d] >= 6 && m[d] <= moving.grid.dims[d] - 7;
          if (interp == Interpolator::bspline && !interior) continue;
          worst = std::max(worst, std::abs(out.at(i, j, k) - field(p)));
        }
    CHECK(worst < (interp == Interpolator::linear ? 1e-3 : 2e-3));
  }
  // Nearest onto the moving grid itself is the identity.
  CHECK(resample_to_grid(moving, moving.grid, Interpolator::nearest).voxels == moving.voxels);
  // Outside the moving image: the background value.
  Grid far = reference;
  far.affine(0, 3) = 500;
  const Volume outside = resample_to_grid(moving, far, Interpolator::linear, -1.0f);
  CHECK(std::all_of(outside.voxels.begin(), outside.voxels.end(), [](float v) { return v == -1.0f; }));
  Volume singular = moving;
  singular.grid.affine(0, 0) = 0;
  CHECK_THROWS_AS(resample_to_grid(singular, reference, Interpolator::linear), InvalidInputError);
}

TEST_CASE("crop to a bounding box with margin and paste back", "[imaging][crop]") {
  const Eigen::Matrix4d affine = affine_of({-1, 0, 0, 30, 0, 1, 0, -10, 0, 0, 2, 5});
  const Volume image = make_volume({30, 25, 20}, affine, [](auto i, auto j, auto k) { return float(i + 31 * j + 997 * k); });
  const Volume mask = make_volume({30, 25, 20}, affine, [](auto i, auto j, auto k) {
    return (i - 12) * (i - 12) + (j - 10) * (j - 10) + (k - 8) * (k - 8) <= 16 ? 1.0f : 0.0f;
  });
  const Box box = bounding_box(mask, 2);
  CHECK(box.lo == std::array<std::int64_t, 3>{6, 4, 2});
  CHECK(box.hi == std::array<std::int64_t, 3>{19, 17, 15});
  CHECK(bounding_box(mask, 100).lo == std::array<std::int64_t, 3>{0, 0, 0});
  CHECK(bounding_box(mask, 100).hi == std::array<std::int64_t, 3>{30, 25, 20});
  const Volume part = crop(image, box);
  CHECK(part.grid.dims == std::array<std::int64_t, 3>{13, 13, 13});
  check_same_world_values(image, part);
  Volume blank = image;
  std::fill(blank.voxels.begin(), blank.voxels.end(), 0.0f);
  paste(part, box, blank);
  for (std::int64_t k = 0; k < 20; ++k)
    for (std::int64_t j = 0; j < 25; ++j)
      for (std::int64_t i = 0; i < 30; ++i) {
        const bool in = i >= 6 && i < 19 && j >= 4 && j < 17 && k >= 2 && k < 15;
        REQUIRE(blank.at(i, j, k) == (in ? image.at(i, j, k) : 0.0f));
      }
  Volume empty_mask = mask;
  std::fill(empty_mask.voxels.begin(), empty_mask.voxels.end(), 0.0f);
  CHECK(bounding_box(empty_mask, 3).empty());
  CHECK_THROWS_AS(crop(image, bounding_box(empty_mask)), InvalidInputError);
  CHECK_THROWS_AS(paste(part, Box{{0, 0, 0}, {5, 5, 5}}, blank), InvalidInputError);
}

TEST_CASE("brain mask (non-zero, Otsu), z-score within the mask, percentile clipping", "[imaging][intensity]") {
  const Eigen::Matrix4d identity = Eigen::Matrix4d::Identity();
  // Background 0 with faint noise-like values 1..3, brain at 100..103 inside a ball.
  const Volume image = make_volume({20, 20, 20}, identity, [](auto i, auto j, auto k) {
    const bool brain = (i - 10) * (i - 10) + (j - 10) * (j - 10) + (k - 10) * (k - 10) <= 36;
    const float ripple = static_cast<float>((i + 2 * j + 3 * k) % 4);
    return brain ? 100.0f + ripple : ((i + j + k) % 3 == 0 ? 0.0f : ripple);
  });
  std::size_t ball = 0;
  for (std::int64_t k = 0; k < 20; ++k)
    for (std::int64_t j = 0; j < 20; ++j)
      for (std::int64_t i = 0; i < 20; ++i) ball += (i - 10) * (i - 10) + (j - 10) * (j - 10) + (k - 10) * (k - 10) <= 36;
  const Volume otsu = brain_mask(image, MaskMethod::otsu);
  const double threshold = otsu_threshold(image.voxels);
  CHECK(threshold > 3);
  CHECK(threshold <= 100);
  CHECK(std::count(otsu.voxels.begin(), otsu.voxels.end(), 1.0f) == static_cast<std::ptrdiff_t>(ball));
  const Volume nonzero = brain_mask(image, MaskMethod::nonzero);
  CHECK(std::count(nonzero.voxels.begin(), nonzero.voxels.end(), 1.0f) ==
        std::count_if(image.voxels.begin(), image.voxels.end(), [](float v) { return v != 0; }));

  const Volume z = zscore(image, otsu);
  double sum = 0, sum2 = 0;
  for (std::size_t i = 0; i < z.voxels.size(); ++i) {
    if (otsu.voxels[i] == 0) { REQUIRE(z.voxels[i] == 0.0f); continue; }
    sum += z.voxels[i];
    sum2 += double(z.voxels[i]) * z.voxels[i];
  }
  CHECK(sum / ball == Approx(0).margin(1e-6));
  CHECK(sum2 / ball == Approx(1).epsilon(1e-5));
  Volume empty = otsu;
  std::fill(empty.voxels.begin(), empty.voxels.end(), 0.0f);
  CHECK_THROWS_AS(zscore(image, empty), NumericalError);

  // Percentiles as numpy's default on a ramp 0..99.
  const Volume ramp = make_volume({10, 10, 1}, identity, [](auto i, auto j, auto) { return float(i + 10 * j); });
  CHECK(percentile(ramp, 50) == Approx(49.5));
  CHECK(percentile(ramp, 1) == Approx(0.99));
  CHECK(percentile(ramp, 99.5) == Approx(98.505));
  const Volume clipped = clip_percentiles(ramp, 1, 99);
  CHECK(*std::min_element(clipped.voxels.begin(), clipped.voxels.end()) == Approx(0.99f));
  CHECK(*std::max_element(clipped.voxels.begin(), clipped.voxels.end()) == Approx(98.01f));
  CHECK(clipped.at(5, 5, 0) == 55.0f);
}
