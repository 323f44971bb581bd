#include "core/common/json.hpp"
#include "core/errors.hpp"
#include "core/segmentation/manifest.hpp"
#include "tests/core/json_edit.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

using namespace gliolens;
using namespace gliolens::segmentation;
namespace fs = std::filesystem;
using gliolens::test::put;

namespace {

std::string shipped_manifest_text() {
  std::ifstream in(fs::path(GLIOLENS_SOURCE_DIR) / "models/glioma_seg/manifest.json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A small two-stage manifest with every key the code reads set away from its default.
Json two_stage_manifest() {
  return parse_json(R"({
    "format": "gliolens-segmentation-manifest/1", "name": "tiny", "version": "1.2.3",
    "model": {"file": "first.onnx", "sha256": "bc0072bb903bb29c1e96b1722381ac470c2e3af4d8ac746fc1c9f586505e2d24"},
    "input": {"channels": ["T1", "T1c", "T2", "FLAIR"], "spatial_multiple": 4, "shape": [1, 4, 12, 10, 8]},
    "preprocessing": {"orientation": "RAS", "source_spacing_mm": [1.5, 1.5, 1.5], "window_source_voxels_ijk": [24, 30, 36],
                      "resample": {"method": "block_mean", "spacing_mm": [4.5, 4.5, 4.5]}, "network_grid_ijk": [8, 10, 12],
                      "normalization": {"type": "zscore", "region": "brain_mask", "std_ddof": 0, "outside_mask_value": 0}},
    "output": {"activation": "sigmoid", "thresholds": {"WT": 0.4, "TC": 0.3, "ET": 0.6},
               "channels": [{"index": 0, "region": "WT", "labels": [1, 2, 4]}, {"index": 1, "region": "TC", "labels": [1, 4]},
                            {"index": 2, "region": "ET", "labels": [4]}]},
    "inference": {"patch_voxels_ijk": [8, 8, 8], "overlap": 0.25},
    "postprocess": {"min_component_voxels": 100, "min_enhancing_voxels": 7},
    "refine": {"model": {"file": "second.onnx"}, "input": {"spatial_multiple": 16},
               "box": {"margin_voxels": 5, "multiple": 16},
               "output": {"channels": ["WT", "TC", "ET"], "thresholds": {"WT": 0.2, "TC": 0.25, "ET": 0.35}},
               "inference": {"patch_voxels_ijk": [32, 32, 48]}, "parity": {"reference_dir": "reference/refine"}},
    "training": {"train_cases": ["a"], "held_out_cases": ["b"], "iterations": 3, "wall_minutes": 1.5},
    "validation": {"held_out": {"per_case": {"b": {"WT": {"dice": 0.9, "hd95_mm": 3}, "TC": {"dice": 0.8, "hd95_mm": null},
                                                   "ET": {"dice": 0.7, "hd95_mm": 4}}},
                                "mean": {"WT": {"dice": 0.9}, "TC": {"dice": 0.8}, "ET": {"dice": 0.7}}}},
    "parity": {"reference_dir": "reference"}
  })");
}

// `change` edits a copy of the two-stage manifest; the reader must refuse it with a message containing `expected`.
void refuses(const std::function<void(Json&)>& change, const std::string& expected) {
  Json manifest = two_stage_manifest();
  change(manifest);
  INFO(manifest.dump());
  CHECK_THROWS_WITH(parse_segmentation_manifest(manifest.dump(), "mine.json"), Catch::Contains(expected));
}

}  // namespace

TEST_CASE("the shipped manifest reads into the settings the segmentation code runs on", "[segmentation][manifest]") {
  const SegmentationManifest m = parse_segmentation_manifest(shipped_manifest_text(), "manifest.json");
  CHECK(m.name == "glioma_seg_2mm");
  CHECK(m.model_file == "glioma_seg_2mm_v5.onnx");
  CHECK(m.spec.window_voxels == Index3{160, 192, 160});
  CHECK(m.spec.block == 2);
  CHECK(m.spec.source_spacing_mm == 1.0);
  CHECK(m.spec.orientation == "LPS");
  CHECK(m.spec.thresholds == std::array<float, 3>{0.5f, 0.5f, 0.5f});
  CHECK(m.spec.min_component_voxels == 5000);
  CHECK(m.spec.min_enhancing_voxels == 0);
  CHECK(!m.inference.patch_voxels);
  CHECK(m.inference.spatial_multiple == 8);
  REQUIRE(m.refine);
  CHECK(m.refine->model_file == "glioma_refine_1mm_v10.onnx");
  CHECK(m.refine->spec.margin_voxels == 12);
  CHECK(m.refine->spec.multiple == 8);
  CHECK(m.refine->inference.spatial_multiple == 8);
  CHECK(shipped_manifest_text().find("/tmp/") == std::string::npos);  // no machine paths
}

TEST_CASE("every key the code reads comes through, away from its default", "[segmentation][manifest]") {
  const SegmentationManifest m = parse_segmentation_manifest(two_stage_manifest().dump(), "mine.json");
  CHECK(m.source == "mine.json");
  CHECK(m.version == "1.2.3");
  CHECK(m.model_file == "first.onnx");
  CHECK(m.spec.orientation == "RAS");
  CHECK(m.spec.source_spacing_mm == 1.5);
  CHECK(m.spec.window_voxels == Index3{24, 30, 36});
  CHECK(m.spec.block == 3);
  CHECK(m.spec.thresholds == std::array<float, 3>{0.4f, 0.3f, 0.6f});
  CHECK(m.spec.min_component_voxels == 100);
  CHECK(m.spec.min_enhancing_voxels == 7);
  CHECK(m.inference.patch_voxels == Index3{8, 8, 8});
  CHECK(m.inference.overlap == 0.25);
  CHECK(m.inference.spatial_multiple == 4);
  REQUIRE(m.refine);
  CHECK(m.refine->model_file == "second.onnx");
  CHECK(m.refine->spec.margin_voxels == 5);
  CHECK(m.refine->spec.multiple == 16);
  CHECK(m.refine->spec.thresholds == std::array<float, 3>{0.2f, 0.25f, 0.35f});
  CHECK(m.refine->inference.patch_voxels == Index3{32, 32, 48});
  CHECK(m.refine->inference.overlap == 0.5);
  CHECK(m.refine->inference.spatial_multiple == 16);
}

TEST_CASE("a manifest with only what it must have gets the defaults", "[segmentation][manifest]") {
  const auto m = parse_segmentation_manifest(R"({"format": "gliolens-segmentation-manifest/1", "name": "n", "version": "1",
                                                 "model": {"file": "m.onnx"}})", "m.json");
  const WholeBrainSpec defaults;
  CHECK(m.spec.window_voxels == defaults.window_voxels);
  CHECK(m.spec.block == defaults.block);
  CHECK(m.spec.orientation.empty());
  CHECK(m.spec.thresholds == defaults.thresholds);
  CHECK(m.spec.min_component_voxels == 0);
  CHECK(!m.inference.patch_voxels);
  CHECK(m.inference.spatial_multiple == 1);
  CHECK(!m.refine);
}

TEST_CASE("text that is not a manifest is refused naming the file", "[segmentation][manifest]") {
  CHECK_THROWS_AS(parse_segmentation_manifest(R"({"format": "gliolens-segmentation-manifest/1",)", "a/manifest.json"), FormatError);
  CHECK_THROWS_WITH(parse_segmentation_manifest(R"({"format": )", "a/manifest.json"), Catch::StartsWith("a/manifest.json: not valid JSON ("));
  CHECK_THROWS_WITH(parse_segmentation_manifest(R"({"format": "something-else/2"})", "m.json"),
                    "m.json: not a Gliolens segmentation manifest (format \"something-else/2\")");
  CHECK_THROWS_WITH(parse_segmentation_manifest("[1, 2]", "m.json"), "m.json: not a Gliolens segmentation manifest (format \"missing\")");
}

TEST_CASE("keys the code does not know and values it does not implement are refused, naming the key", "[segmentation][manifest]") {
  refuses([](Json& m) { put(m, {"preprocessing", "normalization", "type"}, "minmax"); },
          "mine.json: preprocessing.normalization.type \"minmax\" is not supported (only \"zscore\")");
  refuses([](Json& m) { put(m, {"preprocessing", "normalization", "region"}, "whole_image"); },
          "preprocessing.normalization.region \"whole_image\" is not supported (only \"brain_mask\")");
  refuses([](Json& m) { put(m, {"preprocessing", "normalization", "std_ddof"}, 1); }, "preprocessing.normalization.std_ddof 1 is not supported (only 0)");
  refuses([](Json& m) { put(m, {"preprocessing", "normalisation"}, Json::Object{}); },
          "mine.json: preprocessing.normalisation is not a key of gliolens-segmentation-manifest/1");
  refuses([](Json& m) { put(m, {"refine", "box", "margin"}, 3); }, "mine.json: refine.box.margin is not a key");
  refuses([](Json& m) { put(m, {"comment"}, "x"); }, "mine.json: comment is not a key");
  refuses([](Json& m) { put(m, {"training", "hyperparameters"}, Json::Object{}); }, "training.hyperparameters is not a key");
  refuses([](Json& m) { put(m, {"preprocessing", "resample", "method"}, "trilinear"); },
          "preprocessing.resample.method \"trilinear\" is not supported (only \"block_mean\")");
  refuses([](Json& m) { put(m, {"preprocessing", "resample", "spacing_mm"}, Json::Array{4.0, 4.0, 4.0}); },
          "preprocessing.resample.spacing_mm must be a whole multiple of preprocessing.source_spacing_mm");
  refuses([](Json& m) { put(m, {"preprocessing", "source_spacing_mm"}, Json::Array{1.0, 1.0, 3.0}); },
          "preprocessing.source_spacing_mm [1,1,3] is not supported (only isotropic voxels");
  refuses([](Json& m) { put(m, {"preprocessing", "window_source_voxels_ijk"}, Json::Array{24, 30, 35}); },
          "preprocessing.window_source_voxels_ijk must be a multiple of the block size (3");
  refuses([](Json& m) { put(m, {"preprocessing", "network_grid_ijk"}, Json::Array{8, 10}); }, "preprocessing.network_grid_ijk must be three positive whole numbers");
  refuses([](Json& m) { put(m, {"preprocessing", "orientation"}, "LPL"); }, "preprocessing.orientation \"LPL\" is not an orientation");
  refuses([](Json& m) { put(m, {"output", "activation"}, "softmax"); }, "output.activation \"softmax\" is not supported (only \"sigmoid\")");
  refuses([](Json& m) { put(m, {"output", "channels"}, Json::Array{"WT", "ET", "TC"}); }, "output.channels must be the regions WT, TC, ET in this order");
  refuses([](Json& m) { put(m, {"output", "thresholds", "ET"}, 1.5); }, "output.thresholds.ET must be a probability between 0 and 1");
  refuses([](Json& m) { put(m, {"output", "thresholds"}, Json::Object{{"WT", 0.5}, {"TC", 0.5}}); }, "output.thresholds.ET must be a probability between 0 and 1 (exclusive) and is missing");
  refuses([](Json& m) { put(m, {"input", "channels"}, Json::Array{"FLAIR", "T1", "T1c", "T2"}); }, "input.channels must be [\"T1\", \"T1c\", \"T2\", \"FLAIR\"]");
  refuses([](Json& m) { put(m, {"input", "dtype"}, "float16"); }, "input.dtype \"float16\" is not supported (only \"float32\")");
  refuses([](Json& m) { put(m, {"input", "shape"}, Json::Array{1, 4, 80, 96}); }, "input.shape must be five positive whole numbers [1, C, k, j, i], not [1,4,80,96]");
  refuses([](Json& m) { put(m, {"input", "spatial_multiple"}, 0); }, "input.spatial_multiple must be a whole number >= 1, not 0");
  refuses([](Json& m) { put(m, {"inference", "patch_voxels_ijk"}, Json::Array{40, 48}); },
          "mine.json: inference.patch_voxels_ijk must be three positive whole numbers, not [40,48]");
  refuses([](Json& m) { put(m, {"refine", "inference", "patch_voxels_ijk"}, Json::Array{40, 48, 0.5}); },
          "refine.inference.patch_voxels_ijk must be three positive whole numbers, not [40,48,0.5]");
  refuses([](Json& m) { put(m, {"inference", "overlap"}, 1); }, "inference.overlap: window overlap must be in [0, 1), not 1");
  refuses([](Json& m) { put(m, {"postprocess", "min_component_voxels"}, -1); }, "postprocess.min_component_voxels must be a whole number >= 0");
  refuses([](Json& m) { put(m, {"refine", "box", "multiple"}, 0); }, "refine.box.multiple must be a whole number >= 1");
  refuses([](Json& m) { put(m, {"model", "file"}, "/tmp/first.onnx"); }, "model.file must be a file name in the model folder");
  refuses([](Json& m) { put(m, {"refine", "model"}, Json::Object{{"sha256", "ab"}}); }, "mine.json: refine.model.file is missing");
  refuses([](Json& m) { put(m, {"model", "sha256"}, "xyz"); }, "model.sha256 must be 64 hexadecimal digits");
  refuses([](Json& m) { put(m, {"parity", "reference_dir"}, "/tmp/h5seg/reference"); }, "parity.reference_dir must be a path inside the model folder");
  refuses([](Json& m) { put(m, {"name"}, 3); }, "mine.json: name must be a string, not 3");
  refuses([](Json& m) { put(m, {"version"}, ""); }, "mine.json: version is missing");
  refuses([](Json& m) { put(m, {"validation", "held_out", "mean", "ET", "dice"}, 7); }, "validation.held_out.mean.ET.dice must be a Dice between 0 and 1");
  refuses([](Json& m) { put(m, {"validation", "held_out", "per_case", "b", "TC", "dce"}, 0.5); }, "validation.held_out.per_case.b.TC.dce is not a key");
  refuses([](Json& m) { put(m, {"preprocessing"}, "LPS"); }, "mine.json: preprocessing must be an object");
}

TEST_CASE("a network's window is the manifest's patch within the grid, in multiples of its spatial_multiple", "[segmentation][manifest]") {
  InferenceSpec inference;
  CHECK(inference_window(inference, {80, 96, 80}, "m.json") == Index3{80, 96, 80});
  inference.patch_voxels = Index3{40, 48, 100};
  inference.spatial_multiple = 8;
  CHECK(inference_window(inference, {80, 96, 80}, "m.json") == Index3{40, 48, 80});
  inference.patch_voxels = Index3{44, 48, 40};
  CHECK_THROWS_WITH(inference_window(inference, {80, 96, 80}, "manifest"),
                    "manifest: inference.patch_voxels_ijk [44,48,40] (within the 80x96x80 grid) must be multiples of input.spatial_multiple (8)");
  inference.patch_voxels = Index3{30, 32, 32};
  CHECK_THROWS_WITH(inference_window(inference, {40, 40, 40}, "m.json", "refine."),
                    "m.json: refine.inference.patch_voxels_ijk [30,32,32] (within the 40x40x40 grid) must be multiples of refine.input.spatial_multiple (8)");
}

TEST_CASE("the shapes and network grid written for people are not held against another spacing", "[segmentation][manifest]") {
  // As the Node tests do: the shipped manifest at a full-resolution network grid, its descriptive shapes left as they were.
  Json manifest = parse_json(shipped_manifest_text());
  put(manifest, {"preprocessing", "resample", "spacing_mm"}, Json::Array{1.0, 1.0, 1.0});
  const auto m = parse_segmentation_manifest(manifest.dump(), "full_resolution.json");
  CHECK(m.spec.block == 1);
}
