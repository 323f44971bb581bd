#include "core/errors.hpp"
#include "core/segmentation/refine_stage.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace gliolens;
using namespace gliolens::segmentation;

namespace {
Volume ramp_volume(const Index3& dims, float offset, const std::string& name) {
  Volume v;
  v.grid.dims = dims;
  v.voxels.assign(v.grid.voxel_count(), 0.0f);
  v.name = name;
  // Brain: everything but a one-voxel border; values vary so that the z-score is not trivial.
  for (std::int64_t k = 1; k < dims[2] - 1; ++k)
    for (std::int64_t j = 1; j < dims[1] - 1; ++j)
      for (std::int64_t i = 1; i < dims[0] - 1; ++i) v.voxels[v.grid.index(i, j, k)] = offset + static_cast<float>(i + 2 * j + 3 * k);
  return v;
}

std::vector<std::uint8_t> tumour_labels(const Index3& dims, const Index3& lo, const Index3& hi) {
  std::vector<std::uint8_t> labels(static_cast<std::size_t>(dims[0] * dims[1] * dims[2]), 0);
  for (std::int64_t k = lo[2]; k < hi[2]; ++k)
    for (std::int64_t j = lo[1]; j < hi[1]; ++j)
      for (std::int64_t i = lo[0]; i < hi[0]; ++i) labels[static_cast<std::size_t>(i + dims[0] * (j + dims[1] * k))] = 2;
  return labels;
}
}  // namespace

TEST_CASE("the refine box is the tumour's box with a margin, clipped, then grown to whole multiples", "[segmentation][refine]") {
  const Index3 dims{40, 30, 20};
  const auto labels = tumour_labels(dims, {10, 5, 0}, {20, 8, 3});
  const Box box = refine_box(labels, dims, RefineSpec{2, 8, {0.5f, 0.5f, 0.5f}});
  // With the margin and clipping: i 8..22, j 3..10, k 0..5 (sizes 14, 7, 5); grown to 16, 8, 8 with the smaller
  // half of the extra before: k reaches one voxel below the volume.
  CHECK(box.lo == Index3{7, 3, -1});
  CHECK(box.hi == Index3{23, 11, 7});
  CHECK(refine_box(std::vector<std::uint8_t>(labels.size(), 0), dims, RefineSpec{}).empty());
  CHECK_THROWS_AS(refine_box(labels, dims, RefineSpec{2, 0, {0.5f, 0.5f, 0.5f}}), InvalidInputError);
}

TEST_CASE("the refine input is the first stage's z-scored modalities cut to the box, zeros outside the volume", "[segmentation][refine]") {
  const Index3 dims{24, 20, 16};
  std::vector<Volume> volumes{ramp_volume(dims, 0, "t1"), ramp_volume(dims, 5, "t1c"), ramp_volume(dims, -3, "t2"), ramp_volume(dims, 9, "flair")};
  volumes[2].voxels[volumes[2].grid.index(5, 5, 5)] *= 4;  // the channels differ in shape, not only in offset
  const std::vector<const Volume*> pointers{&volumes[0], &volumes[1], &volumes[2], &volumes[3]};
  const auto labels = tumour_labels(dims, {4, 4, 1}, {9, 7, 4});
  const RefineSpec refine{1, 8, {0.5f, 0.5f, 0.5f}};
  const NetworkInput input = prepare_refine_input(pointers, labels, WholeBrainSpec{}, refine);
  const Box box = refine_box(labels, dims, refine);
  CHECK(input.grid == box.size());
  CHECK(input.window_start == box.lo);
  CHECK(input.window_start[2] < 0);  // the box reaches below the volume along k
  CHECK(input.channels == 4);
  const std::size_t n = static_cast<std::size_t>(input.grid[0] * input.grid[1] * input.grid[2]);
  REQUIRE(input.tensor.size() == 4 * n);
  std::vector<std::uint8_t> brain(volumes[0].voxels.size());
  for (std::size_t i = 0; i < brain.size(); ++i) brain[i] = volumes[0].voxels[i] != 0.0f;
  for (std::size_t c = 0; c < 4; ++c) {
    const BrainZScore z = brain_zscore(volumes[c], brain);
    for (std::int64_t k = 0; k < input.grid[2]; ++k)
      for (std::int64_t j = 0; j < input.grid[1]; ++j)
        for (std::int64_t i = 0; i < input.grid[0]; ++i) {
          const Index3 p{i + box.lo[0], j + box.lo[1], k + box.lo[2]};
          const bool inside = p[0] >= 0 && p[1] >= 0 && p[2] >= 0 && p[0] < dims[0] && p[1] < dims[1] && p[2] < dims[2];
          const std::size_t at = inside ? volumes[0].grid.index(p[0], p[1], p[2]) : 0;
          const float expected = inside && brain[at] ? z(volumes[c].voxels[at]) : 0.0f;
          REQUIRE(input.tensor[c * n + static_cast<std::size_t>(i + input.grid[0] * (j + input.grid[1] * k))] == expected);
        }
  }
  const NetworkInput nothing = prepare_refine_input(pointers, std::vector<std::uint8_t>(labels.size(), 0), WholeBrainSpec{}, refine);
  CHECK(nothing.tensor.empty());
  CHECK(nothing.grid == Index3{0, 0, 0});
  CHECK_THROWS_WITH(prepare_refine_input(pointers, std::vector<std::uint8_t>(7, 0), WholeBrainSpec{}, refine), Catch::Contains("working grid"));
}

TEST_CASE("refined labels replace the first stage's inside the box only, then are post-processed", "[segmentation][refine]") {
  const Index3 dims{24, 20, 16};
  std::vector<Volume> volumes(4, ramp_volume(dims, 0, "t1"));
  const std::vector<const Volume*> pointers{&volumes[0], &volumes[1], &volumes[2], &volumes[3]};
  auto labels = tumour_labels(dims, {4, 4, 4}, {9, 7, 8});
  labels[volumes[0].grid.index(20, 18, 14)] = 2;  // a one-voxel satellite far away: the box grows to hold it
  const RefineSpec refine{0, 8, {0.5f, 0.5f, 0.5f}};
  const NetworkInput input = prepare_refine_input(pointers, labels, WholeBrainSpec{}, refine);
  const std::size_t n = static_cast<std::size_t>(input.grid[0] * input.grid[1] * input.grid[2]);
  // The refine network: enhancing tumour (WT, TC and ET) in the box's first i-column, nothing elsewhere.
  std::vector<float> logits(3 * n, -8.0f);
  for (std::size_t v = 0; v < n; v += static_cast<std::size_t>(input.grid[0]))
    for (int r = 0; r < 3; ++r) logits[static_cast<std::size_t>(r) * n + v] = 8.0f;
  const auto before = labels;
  WholeBrainSpec spec;
  apply_refinement(labels, logits, input, spec, refine);
  const Grid& g = volumes[0].grid;
  for (std::int64_t k = 0; k < dims[2]; ++k)
    for (std::int64_t j = 0; j < dims[1]; ++j)
      for (std::int64_t i = 0; i < dims[0]; ++i) {
        const Index3 p{i - input.window_start[0], j - input.window_start[1], k - input.window_start[2]};
        const bool in_box = p[0] >= 0 && p[1] >= 0 && p[2] >= 0 && p[0] < input.grid[0] && p[1] < input.grid[1] && p[2] < input.grid[2];
        const std::uint8_t expected = !in_box ? before[g.index(i, j, k)] : p[0] == 0 ? 4 : 0;
        REQUIRE(labels[g.index(i, j, k)] == expected);
      }
  // The same with the small-component clean-up: the refined column is one component, kept as the largest.
  spec.min_component_voxels = 1000;
  auto cleaned = before;
  apply_refinement(cleaned, logits, input, spec, refine);
  CHECK(cleaned == labels);
  CHECK_THROWS_WITH(apply_refinement(cleaned, std::vector<float>(5), input, spec, refine), Catch::Contains("refine network output"));
}
