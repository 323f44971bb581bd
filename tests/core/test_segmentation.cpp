#include "core/errors.hpp"
#include "core/metrics/distance_transform.hpp"
#include "core/metrics/segmentation_scores.hpp"
#include "core/segmentation/postprocess.hpp"
#include "core/segmentation/sliding_window.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <random>

using namespace gliolens;
using namespace gliolens::segmentation;

TEST_CASE("windows cover the volume, start at 0, end at the border, overlap at least as asked", "[segmentation]") {
  const Index3 volume{150, 97, 64}, patch{64, 64, 64};
  const WindowPlan plan = plan_windows(volume, patch, 0.5);
  std::vector<int> covered(static_cast<std::size_t>(volume[0] * volume[1] * volume[2]), 0);
  for (const auto& o : plan.origins)
    for (std::int64_t z = 0; z < patch[2]; ++z)
      for (std::int64_t y = 0; y < patch[1]; ++y)
        for (std::int64_t x = 0; x < patch[0]; ++x) ++covered[(o[0] + x) + volume[0] * ((o[1] + y) + volume[1] * (o[2] + z))];
  CHECK(std::count(covered.begin(), covered.end(), 0) == 0);
  CHECK(plan.origins.front() == Index3{0, 0, 0});
  CHECK(plan.origins.back() == Index3{150 - 64, 97 - 64, 0});
  CHECK(plan.origins.size() == 4 * 3 * 1);  // steps per axis: ceil((size - 64) / 32) + 1
  CHECK_THROWS_AS(plan_windows({32, 32, 32}, {64, 32, 32}, 0.5), InvalidInputError);
  CHECK_THROWS_AS(plan_windows(volume, patch, 1.0), InvalidInputError);
}

TEST_CASE("stitching patches cut from a volume gives the volume back", "[segmentation]") {
  const Index3 volume{40, 33, 29}, patch{16, 16, 16};
  const int channels = 2;
  std::vector<float> data(static_cast<std::size_t>(40 * 33 * 29 * channels));
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1, 1);
  for (float& v : data) v = u(rng);
  const WindowPlan plan = plan_windows(volume, patch, 0.5);
  Stitcher stitcher(plan, channels);
  std::vector<float> buffer(16 * 16 * 16 * channels);
  for (const auto& o : plan.origins) {
    extract_patch(data, volume, channels, o, patch, buffer);
    stitcher.add(o, buffer);
  }
  const auto out = stitcher.result();
  REQUIRE(out.size() == data.size());
  for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(out[i] == Approx(data[i]).margin(1e-5));
}

TEST_CASE("gaussian importance peaks in the centre and never reaches zero", "[segmentation]") {
  const auto w = gaussian_importance({9, 9, 9});
  CHECK(w[4 + 9 * (4 + 9 * 4)] == Approx(1.0));
  CHECK(*std::min_element(w.begin(), w.end()) > 0.0f);
  CHECK(w[0] < w[4 + 9 * (4 + 9 * 4)]);
}

TEST_CASE("connected components, small-component removal, labels from regions, ET rule", "[segmentation]") {
  const Index3 d{10, 10, 10};
  std::vector<std::uint8_t> mask(1000, 0);
  const auto at = [&](int x, int y, int z) -> std::uint8_t& { return mask[x + 10 * (y + 10 * z)]; };
  for (int z = 0; z < 3; ++z)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 3; ++x) at(x, y, z) = 1;  // 27 voxels
  at(8, 8, 8) = 1;
  at(7, 7, 7) = 1;  // diagonal pair: one component with 26-, two with 6-connectivity
  CHECK(connected_components(mask, d, 26).sizes == std::vector<std::size_t>{27, 2});
  CHECK(connected_components(mask, d, 6).sizes.size() == 3);
  CHECK(remove_small_satellites(mask, d, 5) == 2);
  CHECK(std::count(mask.begin(), mask.end(), 1) == 27);
  // The largest component stays even under the threshold: a small tumour is not erased whole.
  CHECK(remove_small_satellites(mask, d, 1000) == 0);
  CHECK(std::count(mask.begin(), mask.end(), 1) == 27);
  at(9, 0, 9) = 1;
  CHECK(remove_small_satellites(mask, d, 1000) == 1);
  CHECK(std::count(mask.begin(), mask.end(), 1) == 27);
  std::vector<std::uint8_t> empty(1000, 0);
  CHECK(remove_small_satellites(empty, d, 5) == 0);

  const std::vector<float> wt{0.9f, 0.9f, 0.9f, 0.1f}, tc{0.1f, 0.8f, 0.8f, 0.0f}, et{0.0f, 0.2f, 0.7f, 0.0f};
  auto labels = regions_to_labels(wt, tc, et);
  CHECK(labels == std::vector<std::uint8_t>{2, 1, 4, 0});
  CHECK(apply_enhancing_rule(labels, 2));
  CHECK(labels == std::vector<std::uint8_t>{2, 1, 1, 0});
  CHECK_FALSE(apply_enhancing_rule(labels, 2));
}

TEST_CASE("nested labels use each region's own threshold", "[segmentation]") {
  const std::array<float, 3> half{0.5f, 0.5f, 0.5f}, lowered{0.2f, 0.3f, 0.6f};  // WT, TC, ET
  CHECK(nested_label({0.25f, 0.0f, 0.0f}, half) == 0);
  CHECK(nested_label({0.25f, 0.0f, 0.0f}, lowered) == 2);
  CHECK(nested_label({0.9f, 0.35f, 0.0f}, half) == 2);
  CHECK(nested_label({0.9f, 0.35f, 0.0f}, lowered) == 1);
  CHECK(nested_label({0.9f, 0.9f, 0.55f}, half) == 4);
  CHECK(nested_label({0.9f, 0.9f, 0.55f}, lowered) == 1);  // ET's threshold raised
  CHECK(nested_label({0.1f, 0.1f, 0.65f}, lowered) == 4);   // a region above its threshold wins over the outer ones
  CHECK(nested_label({0.5f, 0.5f, 0.5f}, half) == 0);       // strictly above
}

TEST_CASE("distance transform equals brute force on an anisotropic grid", "[segmentation][metrics]") {
  const std::array<std::int64_t, 3> d{9, 7, 6};
  const std::array<double, 3> spacing{0.8, 1.3, 2.5};
  std::vector<std::uint8_t> feature(9 * 7 * 6, 0);
  std::mt19937 rng(11);
  for (auto& f : feature) f = (rng() % 17) == 0;
  const auto dist = metrics::distance_to_features(feature, d, spacing);
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(feature.size()); ++i) {
    double best = std::numeric_limits<double>::infinity();
    for (std::int64_t j = 0; j < static_cast<std::int64_t>(feature.size()); ++j) {
      if (!feature[j]) continue;
      const double dx = (i % 9 - j % 9) * spacing[0], dy = ((i / 9) % 7 - (j / 9) % 7) * spacing[1], dz = (i / 63 - j / 63) * spacing[2];
      best = std::min(best, std::sqrt(dx * dx + dy * dy + dz * dz));
    }
    REQUIRE(dist[i] == Approx(best).epsilon(1e-12));
  }
}

TEST_CASE("BraTS scores: Dice and HD95 on concentric spheres", "[segmentation][metrics]") {
  Volume truth, predicted;
  truth.grid.dims = predicted.grid.dims = {48, 48, 48};
  truth.voxels.assign(48 * 48 * 48, 0.0f);
  predicted.voxels = truth.voxels;
  for (int z = 0; z < 48; ++z)
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 48; ++x) {
        const double r = std::sqrt((x - 24.0) * (x - 24.0) + (y - 24.0) * (y - 24.0) + (z - 24.0) * (z - 24.0));
        const auto i = static_cast<std::size_t>(x + 48 * (y + 48 * z));
        truth.voxels[i] = r < 6 ? 4.0f : r < 12 ? 2.0f : 0.0f;
        predicted.voxels[i] = r < 6 ? 4.0f : r < 15 ? 2.0f : 0.0f;
      }
  const auto scores = metrics::score_brats(predicted, truth);
  REQUIRE(scores.size() == 3);
  CHECK(scores[0].region == "WT");
  CHECK(scores[0].dice == Approx(2.0 * scores[0].truth_voxels / double(scores[0].truth_voxels + scores[0].predicted_voxels)));
  CHECK(*scores[0].hd95_mm == Approx(3.0).margin(0.6));  // radii 12 and 15
  CHECK(scores[2].dice == Approx(1.0));
  CHECK(*scores[2].hd95_mm == Approx(0.0));
  // An empty prediction: Dice 0, HD95 undefined.
  Volume empty = truth;
  std::fill(empty.voxels.begin(), empty.voxels.end(), 0.0f);
  const auto none = metrics::score_brats(empty, truth);
  CHECK(none[0].dice == 0.0);
  CHECK_FALSE(none[0].hd95_mm.has_value());
}
