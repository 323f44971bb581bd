#include "core/errors.hpp"
#include "core/segmentation/manifest.hpp"
#include "core/segmentation/refine_stage.hpp"
#include "core/segmentation/segmentation_run.hpp"
#include "core/segmentation/whole_brain_model.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace gliolens;
using namespace gliolens::segmentation;

namespace {

// A brain (a box of varying intensity) with a brighter blob in T1c and FLAIR: the tumour the voxel-wise network sees.
std::vector<Volume> synthetic_case(const Index3& dims, double k_spacing_mm) {
  std::vector<Volume> volumes;
  for (const char* name : {"t1", "t1c", "t2", "flair"}) {
    Volume v;
    v.grid.dims = dims;
    v.grid.affine(2, 2) = k_spacing_mm;
    v.voxels.assign(v.grid.voxel_count(), 0.0f);
    v.name = name;
    volumes.push_back(std::move(v));
  }
  for (std::int64_t k = 2; k < dims[2] - 2; ++k)
    for (std::int64_t j = 2; j < dims[1] - 2; ++j)
      for (std::int64_t i = 2; i < dims[0] - 2; ++i) {
        const std::size_t at = volumes[0].grid.index(i, j, k);
        const double z_mm = static_cast<double>(k) * k_spacing_mm;
        const bool blob = (i - 11) * (i - 11) + (j - 12) * (j - 12) + (z_mm - 13) * (z_mm - 13) < 16;
        const bool core = (i - 11) * (i - 11) + (j - 12) * (j - 12) + (z_mm - 13) * (z_mm - 13) < 5;
        volumes[0].voxels[at] = 100.0f + static_cast<float>(i + j);
        volumes[1].voxels[at] = 100.0f + static_cast<float>(j) + (core ? 400.0f : 0.0f);
        volumes[2].voxels[at] = 80.0f + static_cast<float>(k);
        volumes[3].voxels[at] = 90.0f + static_cast<float>(i) + (blob ? 300.0f : 0.0f);
      }
  return volumes;
}

// Logits that depend on each voxel's own inputs (as the Node tests' "network"): WT from FLAIR, TC and ET from T1c.
std::vector<float> voxelwise_network(const NetworkInput& input) {
  const std::size_t n = voxel_count(input.grid);
  std::vector<float> logits(3 * n);
  for (std::size_t v = 0; v < n; ++v) {
    const float t1c = input.tensor[n + v], flair = input.tensor[3 * n + v];
    logits[v] = flair - 1.0f;
    logits[n + v] = t1c - 1.5f;
    logits[2 * n + v] = t1c - 2.0f;
  }
  return logits;
}

std::string manifest_text(bool two_stage, int min_component_voxels = 0) {
  std::string text = R"({"format": "gliolens-segmentation-manifest/1", "name": "synthetic", "version": "1",
    "model": {"file": "first.onnx"}, "input": {"spatial_multiple": 4},
    "preprocessing": {"source_spacing_mm": [1, 1, 1], "window_source_voxels_ijk": [16, 16, 16], "resample": {"spacing_mm": [2, 2, 2]}},
    "postprocess": {"min_component_voxels": )" + std::to_string(min_component_voxels) + "}";
  if (two_stage) text += R"(, "refine": {"model": {"file": "second.onnx"}, "box": {"margin_voxels": 2, "multiple": 8}})";
  return text + "}";
}

std::vector<const Volume*> pointers(const std::vector<Volume>& volumes) { return {&volumes[0], &volumes[1], &volumes[2], &volumes[3]}; }

std::size_t tumour_voxels(const Volume& labels) {
  return static_cast<std::size_t>(std::count_if(labels.voxels.begin(), labels.voxels.end(), [](float v) { return v != 0.0f; }));
}

}  // namespace

TEST_CASE("a segmentation run gives what the stage functions give, one stage and two, on 1 and 2 mm slices", "[segmentation][run]") {
  for (const double k_spacing : {1.0, 2.0}) {
    INFO("k spacing " << k_spacing);
    const auto volumes = synthetic_case({24, 24, k_spacing == 1.0 ? 24 : 12}, k_spacing);
    for (const bool two_stage : {false, true}) {
      INFO((two_stage ? "two stages" : "one stage"));
      const SegmentationManifest manifest = parse_segmentation_manifest(manifest_text(two_stage), "synthetic.json");

      // The stage functions, as the WASM binding called them one by one before.
      const NetworkInput input = prepare_whole_brain_input(pointers(volumes), manifest.spec);
      std::vector<std::uint8_t> expected = whole_brain_labels(voxelwise_network(input), input, manifest.spec);
      NetworkInput refine_input;
      if (two_stage) {
        refine_input = prepare_refine_input(pointers(volumes), expected, manifest.spec, manifest.refine->spec);
        REQUIRE(!refine_input.tensor.empty());
        apply_refinement(expected, voxelwise_network(refine_input), refine_input, manifest.spec, manifest.refine->spec);
      }
      const Volume expected_volume = labels_on_output_grid(expected, input);
      REQUIRE(tumour_voxels(expected_volume) > 0);

      SegmentationRun run(manifest, pointers(volumes));
      CHECK(run.two_stage() == two_stage);
      CHECK(run.first_input().tensor == input.tensor);
      CHECK(run.first_input().grid == Index3{8, 8, 8});
      CHECK(run.first_window() == Index3{8, 8, 8});
      CHECK(run.warnings() == input.warnings);
      run.set_first_output(voxelwise_network(input));
      CHECK(run.first_input().tensor.empty());  // released once used
      if (two_stage) {
        const NetworkInput& boxed = run.refine_input();
        CHECK(boxed.tensor == refine_input.tensor);
        CHECK(boxed.grid == refine_input.grid);
        CHECK(boxed.window_start == refine_input.window_start);
        CHECK(run.refine_window() == boxed.grid);
        run.set_refine_output(voxelwise_network(boxed));
      }
      const Volume labels = run.finish();
      CHECK(labels.grid.dims == volumes[0].grid.dims);
      CHECK(labels.voxels == expected_volume.voxels);
    }
  }
}

TEST_CASE("a segmentation run: no tumour, kept small components, and calls out of order", "[segmentation][run]") {
  const auto volumes = synthetic_case({24, 24, 24}, 1.0);
  SECTION("no tumour: the second stage has nothing to box and the labels are empty") {
    SegmentationRun run(parse_segmentation_manifest(manifest_text(true), "m.json"), pointers(volumes));
    run.set_first_output(std::vector<float>(3 * voxel_count(run.first_input().grid), -5.0f));
    CHECK(run.refine_input().tensor.empty());
    CHECK(run.refine_input().grid == Index3{0, 0, 0});
    CHECK(tumour_voxels(run.finish()) == 0);
  }
  SECTION("keep_small_components skips the manifest's clean-up") {
    const auto manifest = parse_segmentation_manifest(manifest_text(false, 100000), "m.json");
    const auto labels = [&](RunOptions options) {
      SegmentationRun run(manifest, pointers(volumes), options);
      run.set_first_output(voxelwise_network(run.first_input()));
      return run.finish();
    };
    SegmentationRun plain_run(parse_segmentation_manifest(manifest_text(false), "m.json"), pointers(volumes));
    plain_run.set_first_output(voxelwise_network(plain_run.first_input()));
    CHECK(labels({.keep_small_components = true}).voxels == plain_run.finish().voxels);
    CHECK(tumour_voxels(labels({})) <= tumour_voxels(plain_run.finish()));
  }
  SECTION("out of order") {
    SegmentationRun run(parse_segmentation_manifest(manifest_text(true), "m.json"), pointers(volumes));
    CHECK_THROWS_AS(run.finish(), InvalidInputError);
    CHECK_THROWS_AS(run.refine_input(), InvalidInputError);
    CHECK_THROWS_WITH(run.set_first_output(std::vector<float>(7)), Catch::Contains("network output has 7 values"));
  }
  SECTION("the window of a manifest whose patch does not divide is refused naming the key") {
    std::string text = manifest_text(false);
    text.insert(text.size() - 1, R"(, "inference": {"patch_voxels_ijk": [6, 8, 8]})");
    SegmentationRun run(parse_segmentation_manifest(text, "m.json"), pointers(volumes));
    CHECK_THROWS_WITH(run.first_window(), "m.json: inference.patch_voxels_ijk [6,8,8] (within the 8x8x8 grid) must be multiples of input.spatial_multiple (4)");
  }
}
