#include "core/common/json.hpp"
#include "core/errors.hpp"
#include "core/segmentation/brain_extraction.hpp"
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

std::string shipped_brain_manifest_text() {
  std::ifstream in(fs::path(GLIOLENS_SOURCE_DIR) / "models/mindgrab/manifest.json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A brain-extraction manifest with every key the code reads set away from its default.
Json brain_manifest() {
  return parse_json(R"({
    "format": "gliolens-brain-extraction-manifest/1", "name": "bx", "version": "2.0",
    "model": {"file": "bx.onnx", "precision": "fp32"},
    "input": {"axes": "kji", "dtype": "float32"},
    "conform": {"dims": [64, 48, 32], "spacing_mm": [2, 2, 2], "orientation": "RAS", "interpolation": "linear"},
    "scaling": {"type": "quantile", "lower_quantile": 0.05, "upper_quantile": 0.9, "clip": false},
    "crop": {"threshold_of_max": 0.25, "margin_voxels": 3},
    "output": {"activation": "softmax", "labels": ["background", "skull", "brain"], "brain_channel": 2},
    "postprocess": {"largest_component": false, "fill_holes": false},
    "validation": {"case": {"dice": 0.97, "reference": "a mask", "seconds": 12}},
    "parity": {"script": "convert.mjs", "test": "tests/node/x.test.mjs", "max_abs_logit_difference": 1e-5},
    "source": {"name": "n", "url": "u", "licence": "MIT", "paper": "p"}
  })");
}

void refuses(const std::function<void(Json&)>& change, const std::string& expected) {
  Json manifest = brain_manifest();
  change(manifest);
  INFO(manifest.dump());
  CHECK_THROWS_WITH(parse_brain_extraction_manifest(manifest.dump(), "bx.json"), Catch::Contains(expected));
}

// A 1 mm RAS volume of `dims` filled by `value(i, j, k)`.
Volume volume(const Index3& dims, const std::function<float(std::int64_t, std::int64_t, std::int64_t)>& value) {
  Volume v;
  v.name = "scan.nii.gz";
  v.grid.dims = dims;
  v.voxels.resize(v.grid.voxel_count());
  for (std::int64_t k = 0; k < dims[2]; ++k)
    for (std::int64_t j = 0; j < dims[1]; ++j)
      for (std::int64_t i = 0; i < dims[0]; ++i) v.voxels[v.grid.index(i, j, k)] = value(i, j, k);
  return v;
}

}  // namespace

TEST_CASE("the shipped MindGrab manifest reads into the brain-extraction settings", "[segmentation][manifest][brain]") {
  const BrainExtractionManifest m = parse_brain_extraction_manifest(shipped_brain_manifest_text(), "manifest.json");
  CHECK(m.name == "mindgrab");
  CHECK(m.model_file == "mindgrab.onnx");
  CHECK(m.spec.conform_dims == Index3{256, 256, 256});
  CHECK(m.spec.conform_spacing_mm == 1.0);
  CHECK(m.spec.conform_orientation == "LIA");
  CHECK(m.spec.lower_quantile == 0.02);
  CHECK(m.spec.upper_quantile == 0.98);
  CHECK(m.spec.clip);
  CHECK_FALSE(m.spec.crop);  // the whole cube, as brainchop-cli runs it
  CHECK(m.spec.tensor_axes == "ijk");
  CHECK(m.spec.output_channels == 2);
  CHECK(m.spec.brain_channel == 1);
  CHECK(m.spec.largest_component);
  CHECK(m.spec.fill_holes);
}

TEST_CASE("every brain-extraction key the code reads comes through, away from its default", "[segmentation][manifest][brain]") {
  const BrainExtractionManifest m = parse_brain_extraction_manifest(brain_manifest().dump(), "bx.json");
  CHECK(m.source == "bx.json");
  CHECK(m.version == "2.0");
  CHECK(m.model_file == "bx.onnx");
  CHECK(m.spec.tensor_axes == "kji");
  CHECK(m.spec.conform_dims == Index3{64, 48, 32});
  CHECK(m.spec.conform_spacing_mm == 2.0);
  CHECK(m.spec.conform_orientation == "RAS");
  CHECK(m.spec.lower_quantile == 0.05);
  CHECK(m.spec.upper_quantile == 0.9);
  CHECK_FALSE(m.spec.clip);
  CHECK(m.spec.crop);
  CHECK(m.spec.crop_threshold_of_max == 0.25);
  CHECK(m.spec.crop_margin_voxels == 3);
  CHECK(m.spec.output_channels == 3);
  CHECK(m.spec.brain_channel == 2);
  CHECK_FALSE(m.spec.largest_component);
  CHECK_FALSE(m.spec.fill_holes);
}

TEST_CASE("a brain-extraction manifest is refused naming the file and the key", "[segmentation][manifest][brain]") {
  refuses([](Json& m) { put(m, {"conform", "orientaton"}, Json("LIA")); }, "bx.json: conform.orientaton is not a key of gliolens-brain-extraction-manifest/1");
  refuses([](Json& m) { put(m, {"conform", "orientation"}, Json("LIX")); }, "conform.orientation \"LIX\" is not an orientation");
  refuses([](Json& m) { put(m, {"conform", "spacing_mm"}, parse_json("[1, 1, 2]")); }, "conform.spacing_mm [1,1,2] is not supported (only isotropic voxels");
  refuses([](Json& m) { put(m, {"conform", "interpolation"}, Json("nearest")); }, "conform.interpolation \"nearest\" is not supported (only \"linear\")");
  refuses([](Json& m) { put(m, {"scaling", "type"}, Json("minmax")); }, "scaling.type \"minmax\" is not supported (only \"quantile\")");
  refuses([](Json& m) { put(m, {"scaling", "upper_quantile"}, Json(1.5)); }, "scaling.upper_quantile must lie between 0 and 1");
  refuses([](Json& m) { put(m, {"scaling", "lower_quantile"}, Json(0.99)); }, "scaling.lower_quantile must be below scaling.upper_quantile");
  refuses([](Json& m) { put(m, {"crop", "threshold_of_max"}, Json(1.0)); }, "crop.threshold_of_max must be in [0, 1)");
  refuses([](Json& m) { put(m, {"crop", "margin_voxels"}, Json(-1.0)); }, "crop.margin_voxels must be a whole number >= 0");
  refuses([](Json& m) { put(m, {"input", "axes"}, Json("jik")); }, "input.axes \"jik\" is not supported");
  refuses([](Json& m) { put(m, {"output", "brain_channel"}, Json(3.0)); }, "output.brain_channel 3 is not one of the 3 channels");
  refuses([](Json& m) { put(m, {"output", "labels"}, parse_json("[\"brain\"]")); }, "output.labels must name at least two channels");
  refuses([](Json& m) { put(m, {"output", "activation"}, Json("sigmoid")); }, "output.activation \"sigmoid\" is not supported (only \"softmax\")");
  refuses([](Json& m) { put(m, {"postprocess", "fill_holes"}, Json("yes")); }, "postprocess.fill_holes must be true or false");
  refuses([](Json& m) { put(m, {"scaling", "clip"}, Json(1.0)); }, "scaling.clip must be true or false");
  refuses([](Json& m) { put(m, {"validation", "case", "dice"}, Json(1.2)); }, "validation.case.dice must be a Dice between 0 and 1");
  refuses([](Json& m) { put(m, {"model", "file"}, Json("../x.onnx")); }, "model.file must be a file name in the model folder");
  CHECK_THROWS_WITH(parse_brain_extraction_manifest(R"({"format": "gliolens-segmentation-manifest/1"})", "bx.json"),
                    Catch::Contains("bx.json: not a Gliolens brain extraction manifest"));
  // A segmentation manifest's reader still names its own format for an unknown key.
  CHECK_THROWS_WITH(parse_segmentation_manifest(R"({"format": "gliolens-segmentation-manifest/1", "name": "n", "version": "1",
                                                    "model": {"file": "m.onnx"}, "conform": {}})", "s.json"),
                    Catch::Contains("s.json: conform is not a key of gliolens-segmentation-manifest/1"));
}

TEST_CASE("the conformed grid is centred on the scan and oriented as asked", "[segmentation][brain]") {
  BrainExtractionSpec spec;
  Grid grid;
  grid.dims = {100, 80, 20};
  grid.affine.diagonal() << 0.9, 0.9, 5.5, 1;
  grid.affine.block<3, 1>(0, 3) << -40, -30, -50;
  const Grid c = conformed_grid(grid, spec);
  CHECK(c.dims == Index3{256, 256, 256});
  // LIA: i towards the left, j inferior, k anterior, 1 mm.
  CHECK(c.affine.block<3, 1>(0, 0).isApprox(Eigen::Vector3d(-1, 0, 0)));
  CHECK(c.affine.block<3, 1>(0, 1).isApprox(Eigen::Vector3d(0, 0, -1)));
  CHECK(c.affine.block<3, 1>(0, 2).isApprox(Eigen::Vector3d(0, 1, 0)));
  const Eigen::Vector4d scan_centre = grid.affine * Eigen::Vector4d(50, 40, 10, 1);
  const Eigen::Vector4d cube_centre = c.affine * Eigen::Vector4d(128, 128, 128, 1);
  CHECK((scan_centre - cube_centre).norm() < 1e-9);
}

TEST_CASE("brain extraction scales by quantiles, crops the head's box and maps the logits back", "[segmentation][brain]") {
  BrainExtractionSpec spec;
  spec.conform_dims = {40, 40, 40};
  spec.conform_orientation = "RAS";
  spec.lower_quantile = 0.05;
  spec.upper_quantile = 0.95;
  spec.clip = false;
  spec.crop = true;
  spec.crop_margin_voxels = 2;
  // A 40^3 RAS scan of 1 mm voxels (the conformed grid is the scan's own): a head (50) over three quarters of it with a
  // bright 10-voxel cube (100) inside. Quantiles 0.05 and 0.95: 0 and 50, so the head scales to 1 and the cube to 2;
  // the crop keeps what lies above half the maximum (the cube) and the margin.
  const auto cube = [](std::int64_t i, std::int64_t j, std::int64_t k) { return i >= 15 && i < 25 && j >= 12 && j < 22 && k >= 18 && k < 28; };
  const Volume scan = volume({40, 40, 40}, [&](auto i, auto j, auto k) { return cube(i, j, k) ? 100.0f : i < 30 ? 50.0f : 0.0f; });
  BrainExtractionSpec plain = spec;
  plain.fill_holes = false;
  const BrainExtractionInput prepared = prepare_brain_extraction(scan, plain);
  CHECK(prepared.box_start == Index3{13, 10, 16});
  CHECK(prepared.box_size == Index3{14, 14, 14});
  CHECK(prepared.tensor_dims == Index3{14, 14, 14});
  REQUIRE(prepared.tensor.size() == 14 * 14 * 14);
  CHECK(prepared.tensor.front() == Approx(1.0));                       // head at the box's corner
  CHECK(prepared.tensor[(7 * 14 + 7) * 14 + 7] == Approx(2.0));        // the cube at its centre
  // Logits that call the cube brain, in "ijk" order (k fastest).
  const auto n = voxel_count(prepared.box_size);
  std::vector<float> logits(2 * n, 0.0f);
  const Index3& b = prepared.box_size;
  for (std::int64_t i = 0; i < b[0]; ++i)
    for (std::int64_t j = 0; j < b[1]; ++j)
      for (std::int64_t k = 0; k < b[2]; ++k) {
        const bool brain = cube(i + prepared.box_start[0], j + prepared.box_start[1], k + prepared.box_start[2]);
        logits[n + static_cast<std::size_t>((i * b[1] + j) * b[2] + k)] = brain ? 5.0f : -5.0f;
      }
  const Volume& ones = scan;
  const Volume mask = brain_mask_from_logits(ones, prepared, logits, plain);
  std::size_t inside = 0;
  for (float v : mask.voxels) inside += v > 0 ? 1 : 0;
  CHECK(inside == 1000);
  CHECK(mask.at(20, 15, 20) == 1.0f);
  CHECK(mask.at(5, 5, 5) == 0.0f);
  CHECK_THROWS_WITH(brain_mask_from_logits(ones, prepared, std::vector<float>(n), plain), Catch::Contains("scan.nii.gz: the brain extraction network gave"));
  const Volume stripped = apply_brain_mask(ones, mask);
  CHECK(stripped.at(20, 15, 20) == 100.0f);
  CHECK(stripped.at(0, 0, 0) == 0.0f);
}

TEST_CASE("without a crop the network sees the whole cube, scaled and clipped", "[segmentation][brain]") {
  BrainExtractionSpec spec;  // quantiles 0.02 and 0.98, clipped, no crop
  spec.conform_dims = {20, 20, 20};
  spec.conform_orientation = "RAS";
  // A ramp along i: 0..19, 400 voxels each, and two outliers. numpy's quantiles over the 8000 voxels: 0.02 -> 0
  // (position 159.98), 0.98 -> 19 (position 7839.02); the outliers are clipped to 0 and 1.
  const Volume ramp = volume({20, 20, 20}, [](auto i, auto j, auto k) {
    if (i == 1 && j == 0 && k == 0) return -100.0f;
    if (i == 18 && j == 0 && k == 0) return 1000.0f;
    return static_cast<float>(i);
  });
  const BrainExtractionInput input = prepare_brain_extraction(ramp, spec);
  CHECK(input.box_start == Index3{0, 0, 0});
  CHECK(input.box_size == Index3{20, 20, 20});
  REQUIRE(input.tensor.size() == 8000);
  // "ijk" layout: i slowest.
  CHECK(input.tensor[10 * 400] == Approx(10.0 / 19.0));  // i = 10
  CHECK(input.tensor[1 * 400] == 0.0f);                  // the low outlier, clipped
  CHECK(input.tensor[1 * 400 + 1] == Approx(1.0 / 19.0));
  CHECK(input.tensor[18 * 400] == 1.0f);                 // the high outlier, clipped
}

TEST_CASE("a constant scan is refused naming it", "[segmentation][brain]") {
  BrainExtractionSpec spec;
  spec.conform_dims = {16, 16, 16};
  spec.conform_orientation = "RAS";
  const Volume flat = volume({16, 16, 16}, [](auto, auto, auto) { return 7.0f; });
  CHECK_THROWS_WITH(prepare_brain_extraction(flat, spec), Catch::Contains("scan.nii.gz: no contrast to extract a brain from"));
}

TEST_CASE("largest component and hole filling", "[segmentation][brain]") {
  const Index3 dims{12, 12, 12};
  std::vector<std::uint8_t> mask(voxel_count(dims), 0);
  const auto at = [&](std::int64_t i, std::int64_t j, std::int64_t k) -> std::uint8_t& { return mask[static_cast<std::size_t>(i + 12 * (j + 12 * k))]; };
  for (int k = 2; k < 9; ++k)
    for (int j = 2; j < 9; ++j)
      for (int i = 2; i < 9; ++i) at(i, j, k) = 1;
  at(5, 5, 5) = 0;   // a hole
  at(10, 10, 10) = 1;  // a speck
  keep_largest_component(mask, dims);
  CHECK(at(10, 10, 10) == 0);
  CHECK(at(5, 5, 5) == 0);
  fill_holes(mask, dims);
  CHECK(at(5, 5, 5) == 1);
  CHECK(at(0, 0, 0) == 0);
}
