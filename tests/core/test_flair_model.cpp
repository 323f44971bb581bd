// The FLAIR-only network's manifest reader and its input/output maths (core/segmentation/flair_model.cpp) against
// the specification, models/flair_seg/training/preprocess.py: its parity reference where the shared data is, and
// synthetic volumes that need none.
#include "core/common/json.hpp"
#include "core/errors.hpp"
#include "core/io/nifti.hpp"
#include "core/segmentation/flair_model.hpp"
#include "core/segmentation/manifest.hpp"
#include "tests/core/json_edit.hpp"
#include "tests/core/shared_data.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

using namespace gliolens;
using namespace gliolens::segmentation;
namespace fs = std::filesystem;
using gliolens::test::put;

namespace {

std::string text_of(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const fs::path kModelDir = fs::path(GLIOLENS_SOURCE_DIR) / "models/flair_seg";

// A FLAIR manifest with every key the code reads set away from its default.
Json flair_manifest() {
  return parse_json(R"({
    "format": "gliolens-flair-manifest/1", "name": "fl", "version": "3.1", "task": "t", "intended_use": "u",
    "model": {"file": "fl.onnx", "precision": "fp32", "opset": 17, "ops": ["Conv"], "parameters": 10},
    "input": {"name": "flair", "dtype": "float32", "channels": ["FLAIR"], "layout": "slices", "spatial_multiple": 8},
    "preprocessing": {"orientation": "RAS", "slice_axis": "k", "window_pixels": [64, 48], "shrink_window_to_nonzero": true, "spacing_mm": [1.5, 2.5],
                      "interpolation": "linear", "intensity": {"type": "divide_by_quantile", "quantile": 0.95, "region": "nonzero"},
                      "skip_empty_slices": false},
    "inference": {"slices_per_run": 4},
    "output": {"name": "logits", "activation": "sigmoid", "threshold": 0.4, "label": 2, "region": "abnormal"},
    "postprocess": {"min_component_mm3": 12.5},
    "training": {"folds": 5, "anything": {"nested": [1, 2]}},
    "validation": {"cross_validated": {"mean_dice": 0.86, "per_fold": [0.8, 0.9]}},
    "parity": {"script": "training/reference.py", "reference": "reference/preprocess_expected.json", "tolerance": 1e-5}
  })");
}

void refuses(const std::function<void(Json&)>& change, const std::string& expected) {
  Json manifest = flair_manifest();
  change(manifest);
  INFO(manifest.dump());
  CHECK_THROWS_WITH(parse_flair_manifest(manifest.dump(), "fl.json"), Catch::Contains(expected));
}

// A volume of `dims` on `affine`, filled by `value(i, j, k)`.
Volume volume(const Index3& dims, const Eigen::Matrix4d& affine, const std::function<float(std::int64_t, std::int64_t, std::int64_t)>& value) {
  Volume v;
  v.name = "flair.nii.gz";
  v.grid.dims = dims;
  v.grid.affine = v.grid.qform = v.grid.sform = affine;
  v.grid.qform_code = v.grid.sform_code = 1;
  v.voxels.resize(v.grid.voxel_count());
  for (std::int64_t k = 0; k < dims[2]; ++k)
    for (std::int64_t j = 0; j < dims[1]; ++j)
      for (std::int64_t i = 0; i < dims[0]; ++i) v.voxels[v.grid.index(i, j, k)] = value(i, j, k);
  return v;
}

// A stand-in network: a high logit where the input is bright (the scaled cube is 1, the background 0.1).
std::vector<float> bright_is_abnormal(const FlairInput& input) {
  std::vector<float> logits(input.tensor.size());
  for (std::size_t n = 0; n < logits.size(); ++n) logits[n] = input.tensor[n] > 0.5f ? 6.0f : -6.0f;
  return logits;
}

std::size_t count_nonzero(const Volume& v) {
  return static_cast<std::size_t>(std::count_if(v.voxels.begin(), v.voxels.end(), [](float x) { return x != 0.0f; }));
}

}  // namespace

TEST_CASE("the FLAIR model's manifest reads into the settings its code runs on", "[segmentation][manifest][flair]") {
  if (!fs::exists(kModelDir / "manifest.json")) {
    WARN("GLIOLENS-TEST-SKIPPED: models/flair_seg/manifest.json is absent");
    return;
  }
  const FlairManifest m = parse_flair_manifest(text_of(kModelDir / "manifest.json"), "manifest.json");
  CHECK(m.model_file == "flair_abnormality_2d.onnx");
  CHECK(m.spec.orientation == "LPS");
  CHECK(m.spec.window_pixels == std::array<std::int64_t, 2>{128, 128});
  CHECK(m.spec.spacing_mm == std::array<double, 2>{2.0, 2.0});
  CHECK(m.spec.quantile == 0.99);
  CHECK(m.spec.skip_empty_slices);
  CHECK(m.spec.spatial_multiple == 16);
  CHECK(m.spec.threshold == 0.5f);
  CHECK(m.spec.label == 1);
}

TEST_CASE("every FLAIR-manifest key the code reads comes through, away from its default", "[segmentation][manifest][flair]") {
  const FlairManifest m = parse_flair_manifest(flair_manifest().dump(), "fl.json");
  CHECK(m.source == "fl.json");
  CHECK(m.name == "fl");
  CHECK(m.version == "3.1");
  CHECK(m.model_file == "fl.onnx");
  CHECK(m.region == "abnormal");
  CHECK(m.spec.orientation == "RAS");
  CHECK(m.spec.window_pixels == std::array<std::int64_t, 2>{64, 48});
  CHECK(m.spec.shrink_window_to_nonzero);
  CHECK(m.spec.spacing_mm == std::array<double, 2>{1.5, 2.5});
  CHECK(m.spec.quantile == 0.95);
  CHECK_FALSE(m.spec.skip_empty_slices);
  CHECK(m.spec.spatial_multiple == 8);
  CHECK(m.spec.slices_per_run == 4);
  CHECK(m.spec.threshold == 0.4f);
  CHECK(m.spec.label == 2);
  CHECK(m.spec.min_component_mm3 == 12.5);
}

TEST_CASE("a FLAIR manifest is refused naming the file and the key", "[segmentation][manifest][flair]") {
  refuses([](Json& m) { put(m, {"preprocessing", "windows_pixels"}, parse_json("[128, 128]")); },
          "fl.json: preprocessing.windows_pixels is not a key of gliolens-flair-manifest/1");
  refuses([](Json& m) { put(m, {"preprocessing", "slice_axis"}, Json("j")); }, "preprocessing.slice_axis \"j\" is not supported (only \"k\")");
  refuses([](Json& m) { put(m, {"preprocessing", "orientation"}, Json("LPX")); }, "preprocessing.orientation \"LPX\" is not an orientation");
  refuses([](Json& m) { put(m, {"preprocessing", "interpolation"}, Json("nearest")); }, "preprocessing.interpolation \"nearest\" is not supported (only \"linear\")");
  refuses([](Json& m) { put(m, {"preprocessing", "window_pixels"}, parse_json("[128]")); }, "preprocessing.window_pixels must be two positive whole numbers");
  refuses([](Json& m) { put(m, {"preprocessing", "window_pixels"}, parse_json("[60, 64]")); },
          "preprocessing.window_pixels [60, 64] must be multiples of input.spatial_multiple (8)");
  refuses([](Json& m) { put(m, {"preprocessing", "spacing_mm"}, parse_json("[2, 0]")); }, "preprocessing.spacing_mm must be two positive numbers");
  refuses([](Json& m) { put(m, {"preprocessing", "intensity", "type"}, Json("zscore")); },
          "preprocessing.intensity.type \"zscore\" is not supported (only \"divide_by_quantile\")");
  refuses([](Json& m) { put(m, {"preprocessing", "intensity", "region"}, Json("brain_mask")); },
          "preprocessing.intensity.region \"brain_mask\" is not supported (only \"nonzero\")");
  refuses([](Json& m) { put(m, {"preprocessing", "intensity", "quantile"}, Json(99.0)); }, "preprocessing.intensity.quantile must lie in (0, 1]");
  refuses([](Json& m) { put(m, {"preprocessing", "skip_empty_slices"}, Json("yes")); }, "preprocessing.skip_empty_slices must be true or false");
  refuses([](Json& m) { put(m, {"preprocessing", "shrink_window_to_nonzero"}, Json(1.0)); }, "preprocessing.shrink_window_to_nonzero must be true or false");
  refuses([](Json& m) { put(m, {"input", "channels"}, parse_json("[\"T2\"]")); }, "input.channels must be [\"FLAIR\"]");
  refuses([](Json& m) { put(m, {"input", "layout"}, Json("volume")); }, "input.layout \"volume\" is not supported (only \"slices\")");
  refuses([](Json& m) { put(m, {"input", "dtype"}, Json("float16")); }, "input.dtype \"float16\" is not supported (only \"float32\")");
  refuses([](Json& m) { put(m, {"inference", "slices_per_run"}, Json(0.0)); }, "inference.slices_per_run must be a whole number >= 1");
  refuses([](Json& m) { put(m, {"output", "activation"}, Json("softmax")); }, "output.activation \"softmax\" is not supported (only \"sigmoid\")");
  refuses([](Json& m) { put(m, {"output", "threshold"}, Json(1.0)); }, "output.threshold must lie between 0 and 1");
  refuses([](Json& m) { put(m, {"output", "label"}, Json(256.0)); }, "output.label must be a label from 1 to 255");
  refuses([](Json& m) { put(m, {"output", "region"}, Json(1.0)); }, "output.region must be a string");
  refuses([](Json& m) { put(m, {"postprocess", "min_component_mm3"}, Json(-1.0)); }, "postprocess.min_component_mm3 must be a volume >= 0");
  refuses([](Json& m) { put(m, {"postprocess", "min_component_voxels"}, Json(10.0)); }, "postprocess.min_component_voxels is not a key of gliolens-flair-manifest/1");
  refuses([](Json& m) { put(m, {"training"}, Json(3.0)); }, "fl.json: training must be an object");
  refuses([](Json& m) { put(m, {"validation"}, Json("good")); }, "fl.json: validation must be an object");
  refuses([](Json& m) { put(m, {"parity", "script"}, Json("/home/x/reference.py")); }, "parity.script must be a path inside the model folder");
  refuses([](Json& m) { put(m, {"parity", "tolerance"}, parse_json("[1]")); }, "parity.tolerance must be a string or a number");
  refuses([](Json& m) { put(m, {"model", "file"}, Json("../fl.onnx")); }, "model.file must be a file name in the model folder");
  refuses([](Json& m) { put(m, {"model", "precision"}, Json("fp16")); }, "model.precision \"fp16\" is not supported (only \"fp32\")");
  refuses([](Json& m) { put(m, {"name"}, Json("")); }, "fl.json: name is missing");
  CHECK_THROWS_WITH(parse_flair_manifest(R"({"format": "gliolens-segmentation-manifest/1"})", "fl.json"),
                    Catch::Contains("fl.json: not a Gliolens FLAIR model manifest"));
  CHECK_THROWS_WITH(parse_flair_manifest("{", "fl.json"), Catch::Contains("fl.json: not valid JSON"));
}

TEST_CASE("the window sits on the non-zero voxels' box in pixels of the model's size", "[segmentation][flair]") {
  // The reference's window_positions: centre + (n - (W - 1) / 2) x pixel / voxel.
  const auto p = window_positions(10.0, 0.5, 4, 2.0);
  CHECK(p == std::vector<double>{4.0, 8.0, 12.0, 16.0});
}

TEST_CASE("the FLAIR mask comes back on the input's own grid, oblique or stored in any axis order", "[segmentation][flair]") {
  FlairSpec spec;  // LPS, 128 x 128 pixels of 2 mm, q99, empty slices skipped
  // 2 mm voxels: a window pixel is one voxel and the window positions fall on voxel centres, so the stand-in
  // network's mask is exactly the bright cube wherever the voxel axes point. The cube is off-centre: a flip that did
  // not come back would move it.
  const auto cube = [](std::int64_t i, std::int64_t j, std::int64_t k) { return i >= 5 && i < 15 && j >= 8 && j < 20 && k >= 2 && k < 5; };
  const Index3 dims{48, 40, 8};
  const auto fill = [&](std::int64_t i, std::int64_t j, std::int64_t k) { return k == 7 ? 0.0f : cube(i, j, k) ? 10.0f : 1.0f; };

  Eigen::Matrix4d oblique = Eigen::Matrix4d::Identity();  // RAS, turned 20 degrees about the scanner's z
  const double angle = 20.0 * std::acos(-1.0) / 180.0;
  oblique.block<3, 3>(0, 0) = Eigen::AngleAxisd(angle, Eigen::Vector3d::UnitZ()).toRotationMatrix() * 2.0;
  oblique.block<3, 1>(0, 3) = Eigen::Vector3d(-40.5, 12.25, 7.0);
  Eigen::Matrix4d sagittal = Eigen::Matrix4d::Zero();  // voxel axes P, I, R (a sagittal acquisition)
  sagittal(1, 0) = -2.0;
  sagittal(2, 1) = -2.0;
  sagittal(0, 2) = 2.0;
  sagittal(3, 3) = 1.0;

  for (const auto& [what, affine] : {std::pair{"oblique RAS", oblique}, std::pair{"sagittal PIR", sagittal}}) {
    INFO(what);
    const Volume flair = volume(dims, affine, fill);
    const FlairInput input = prepare_flair_input(flair, spec);
    CHECK(input.scale == 10.0);  // the cube holds 2.3 % of the non-zero voxels
    CHECK(input.width == 128);
    CHECK(input.height == 128);
    CHECK(input.tensor.size() == input.slices.size() * 128 * 128);
    const Volume mask = flair_mask_from_logits(flair, input, bright_is_abnormal(input), spec);
    CHECK(mask.grid.dims == flair.grid.dims);
    CHECK(mask.grid.affine == flair.grid.affine);
    CHECK(mask.grid.qform == flair.grid.qform);
    CHECK(mask.grid.sform == flair.grid.sform);
    CHECK(mask.source_datatype == "UINT8");
    std::size_t wrong = 0;
    for (std::int64_t k = 0; k < dims[2]; ++k)
      for (std::int64_t j = 0; j < dims[1]; ++j)
        for (std::int64_t i = 0; i < dims[0]; ++i) wrong += (mask.at(i, j, k) == 1.0f) != cube(i, j, k);
    CHECK(wrong == 0);
    CHECK(count_nonzero(mask) == 10 * 12 * 3);
  }
  // A window shrunk to the non-zero box: 48 x 40 voxels of 2 mm are 48 x 40 pixels, rounded up to 48 x 48; its pixels
  // still fall on voxel centres, so the mask is the cube again.
  spec.shrink_window_to_nonzero = true;
  {
    const Volume flair = volume(dims, oblique, fill);
    const FlairInput input = prepare_flair_input(flair, spec);
    CHECK(input.width == 48);
    CHECK(input.height == 48);
    CHECK(input.tensor.size() == input.slices.size() * 48 * 48);
    const Volume mask = flair_mask_from_logits(flair, input, bright_is_abnormal(input), spec);
    CHECK(mask.grid.affine == flair.grid.affine);
    std::size_t wrong = 0;
    for (std::int64_t k = 0; k < dims[2]; ++k)
      for (std::int64_t j = 0; j < dims[1]; ++j)
        for (std::int64_t i = 0; i < dims[0]; ++i) wrong += (mask.at(i, j, k) == 1.0f) != cube(i, j, k);
    CHECK(wrong == 0);
    spec.window_pixels = {32, 128};  // never beyond the largest window
    const FlairInput capped = prepare_flair_input(flair, spec);
    CHECK(capped.width == 32);
    CHECK(capped.height == 48);
    spec = FlairSpec{};
  }
  // The RAS volume's empty slice (k = 7) is its top axial slice: not run. The sagittal one has none empty along LPS k.
  const FlairInput axial = prepare_flair_input(volume(dims, oblique, fill), spec);
  CHECK(axial.slices == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6});
  spec.skip_empty_slices = false;
  CHECK(prepare_flair_input(volume(dims, oblique, fill), spec).slices.size() == 8);
}

TEST_CASE("components under postprocess.min_component_mm3 go, the largest stays", "[segmentation][flair]") {
  FlairSpec spec;
  Eigen::Matrix4d affine = Eigen::Matrix4d::Identity();
  affine.diagonal() << 2.0, 2.0, 3.0, 1.0;  // 12 mm^3 voxels
  // A 3x3x2 blob (18 voxels = 216 mm^3) and a 2x2x1 one (4 voxels = 48 mm^3), apart: 2 % of the voxels, so the q99 is theirs.
  const auto bright = [](std::int64_t i, std::int64_t j, std::int64_t k) {
    return (i >= 4 && i < 7 && j >= 4 && j < 7 && k >= 1 && k < 3) || (i >= 12 && i < 14 && j >= 12 && j < 14 && k == 1);
  };
  const Volume flair = volume({16, 16, 4}, affine, [&](std::int64_t i, std::int64_t j, std::int64_t k) { return bright(i, j, k) ? 10.0f : 1.0f; });
  const FlairInput input = prepare_flair_input(flair, spec);
  CHECK(count_nonzero(flair_mask_from_logits(flair, input, bright_is_abnormal(input), spec)) == 22);
  spec.min_component_mm3 = 48.0;  // the small one is exactly 48 mm^3: not smaller, kept
  CHECK(count_nonzero(flair_mask_from_logits(flair, input, bright_is_abnormal(input), spec)) == 22);
  spec.min_component_mm3 = 48.5;
  CHECK(count_nonzero(flair_mask_from_logits(flair, input, bright_is_abnormal(input), spec)) == 18);
  spec.min_component_mm3 = 1e6;  // the largest is never cleared
  CHECK(count_nonzero(flair_mask_from_logits(flair, input, bright_is_abnormal(input), spec)) == 18);
  spec.label = 3;
  const Volume labelled = flair_mask_from_logits(flair, input, bright_is_abnormal(input), spec);
  CHECK(*std::max_element(labelled.voxels.begin(), labelled.voxels.end()) == 3.0f);
}

TEST_CASE("a FLAIR it cannot segment is refused naming the file", "[segmentation][flair]") {
  const FlairSpec spec;
  const Eigen::Matrix4d identity = Eigen::Matrix4d::Identity();
  CHECK_THROWS_WITH(prepare_flair_input(volume({8, 8, 3}, identity, [](auto, auto, auto) { return 0.0f; }), spec),
                    Catch::Contains("flair.nii.gz: the volume is empty (no non-zero voxel)"));
  CHECK_THROWS_WITH(prepare_flair_input(volume({8, 8, 3}, identity, [](auto, auto, auto) { return -5.0f; }), spec),
                    Catch::Contains("flair.nii.gz: no contrast to segment"));
  CHECK_THROWS_WITH(prepare_flair_input(volume({0, 8, 3}, identity, [](auto, auto, auto) { return 1.0f; }), spec),
                    Catch::Contains("flair.nii.gz: the volume is empty"));
  Volume two_volumes = volume({8, 8, 3}, identity, [](auto, auto, auto) { return 1.0f; });
  two_volumes.voxels.resize(two_volumes.voxels.size() * 2, 1.0f);
  CHECK_THROWS_WITH(prepare_flair_input(two_volumes, spec), Catch::Contains("flair.nii.gz: the FLAIR model needs one 3-D volume"));
  const Volume flair = volume({8, 8, 3}, identity, [](auto i, auto, auto) { return static_cast<float>(i + 1); });
  const FlairInput input = prepare_flair_input(flair, spec);
  CHECK_THROWS_WITH(flair_mask_from_logits(flair, input, std::vector<float>(10, 0.0f), spec),
                    Catch::Contains("flair.nii.gz: the FLAIR network gave 10 values for 3 slices of 128 x 128 pixels"));
}

TEST_CASE("the core's FLAIR input and mask match the reference implementation (preprocess.py)", "[segmentation][flair][parity]") {
  // The reference training/reference.py wrote into the model folder, or another ($GLIOLENS_FLAIR_REFERENCE: one just
  // regenerated after a change of preprocess.py, before it replaces the folder's).
  const char* other = std::getenv("GLIOLENS_FLAIR_REFERENCE");
  const fs::path reference_path = other && *other ? fs::path(other) : kModelDir / "reference/preprocess_expected.json";
  if (!fs::exists(reference_path)) {
    WARN("GLIOLENS-TEST-SKIPPED: " << reference_path.string() << " is absent");
    return;
  }
  const Json reference = parse_json(text_of(reference_path));
  for (const Json& c : reference.at("cases").as_array()) {
    // A reference with the window's size was written with the window shrunk to the non-zero box; one without, with
    // the largest window.
    FlairSpec spec;
    spec.shrink_window_to_nonzero = c.find("window_ij") != nullptr;
    const fs::path file = testing::shared_data_dir() / c.at("file").as_string();
    if (testing::skipped_without(file)) continue;
    const std::string id = c.at("case").as_string();
    INFO(id);
    const Volume flair = read_nifti(file.string()).volume;
    const FlairInput input = prepare_flair_input(flair, spec);

    const auto expected_dims = numbers_from_json(c.at("dims_lps"), "dims_lps");
    const auto expected_spacing = numbers_from_json(c.at("spacing_lps"), "spacing_lps");
    for (int a = 0; a < 3; ++a) {
      CHECK(static_cast<double>(input.oriented.dims[a]) == expected_dims[static_cast<std::size_t>(a)]);
      CHECK(input.oriented.spacing()[a] == Approx(expected_spacing[static_cast<std::size_t>(a)]).epsilon(1e-6));
    }
    if (spec.shrink_window_to_nonzero) {
      const auto window = numbers_from_json(c.at("window_ij"), "window_ij");
      CHECK(static_cast<double>(input.width) == window[0]);
      CHECK(static_cast<double>(input.height) == window[1]);
    }
    const auto centre = numbers_from_json(c.at("centre_ij"), "centre_ij");
    CHECK(input.centre[0] == centre[0]);
    CHECK(input.centre[1] == centre[1]);
    CHECK(input.scale == Approx(c.at("scale").as_number()).epsilon(1e-9));
    const auto kept = numbers_from_json(c.at("kept_slices"), "kept_slices");
    REQUIRE(input.slices.size() == kept.size());
    for (std::size_t s = 0; s < kept.size(); ++s) CHECK(static_cast<double>(input.slices[s]) == kept[s]);

    // Per-slice sums and sums of squares within 1e-4 relative; the samples within 1e-5.
    const std::size_t pixels = static_cast<std::size_t>(input.width * input.height);
    const auto sums = numbers_from_json(c.at("slice_sum"), "slice_sum");
    const auto sums_sq = numbers_from_json(c.at("slice_sum_sq"), "slice_sum_sq");
    double worst_sum = 0;
    for (std::size_t s = 0; s < kept.size(); ++s) {
      double sum = 0, sum_sq = 0;
      for (std::size_t p = 0; p < pixels; ++p) {
        const double v = input.tensor[s * pixels + p];
        sum += v;
        sum_sq += v * v;
      }
      CHECK(sum == Approx(sums[s]).epsilon(1e-4));
      CHECK(sum_sq == Approx(sums_sq[s]).epsilon(1e-4));
      worst_sum = std::max(worst_sum, std::abs(sum - sums[s]) / std::max(1e-12, std::abs(sums[s])));
    }
    double worst_sample = 0;
    for (const Json& sample : c.at("samples").as_array()) {
      const auto svu = numbers_from_json(sample, "sample");
      const auto at = static_cast<std::size_t>(svu[0]) * pixels + static_cast<std::size_t>(svu[1]) * static_cast<std::size_t>(input.width) +
                      static_cast<std::size_t>(svu[2]);
      CHECK(input.tensor[at] == Approx(svu[3]).margin(1e-5));
      worst_sample = std::max(worst_sample, std::abs(input.tensor[at] - svu[3]));
    }

    // The reference's synthetic logits through the core's output path: the mask's voxels on each LPS slice.
    std::vector<float> logits(input.tensor.size());
    for (std::size_t s = 0; s < kept.size(); ++s)
      for (std::int64_t v = 0; v < input.height; ++v)
        for (std::int64_t u = 0; u < input.width; ++u) {
          logits[s * pixels + static_cast<std::size_t>(v * input.width + u)] = static_cast<float>(
              std::sin(static_cast<double>(u) / 7.0) + std::cos(static_cast<double>(v) / 5.0) + 0.1 * static_cast<double>(s) - 0.5);
        }
    const Volume mask = flair_mask_from_logits(flair, input, logits, spec);
    CHECK(mask.grid.dims == flair.grid.dims);
    CHECK(mask.grid.affine == flair.grid.affine);
    const Volume mask_lps = apply_axis_mapping(mask, input.to_model);
    const auto expected_counts = numbers_from_json(c.at("mask_voxels_per_slice_k_lps"), "mask_voxels_per_slice_k_lps");
    REQUIRE(expected_counts.size() == static_cast<std::size_t>(mask_lps.grid.dims[2]));
    const auto slice_voxels = static_cast<std::size_t>(mask_lps.grid.dims[0] * mask_lps.grid.dims[1]);
    double total_difference = 0;
    double worst_slice = 0;
    for (std::size_t k = 0; k < expected_counts.size(); ++k) {
      const auto first = mask_lps.voxels.begin() + static_cast<std::ptrdiff_t>(k * slice_voxels);
      const auto count = static_cast<double>(std::count(first, first + static_cast<std::ptrdiff_t>(slice_voxels), 1.0f));
      // Exact but for a voxel whose probability sits at the threshold within float rounding.
      CHECK(std::abs(count - expected_counts[k]) <= 3);
      total_difference += std::abs(count - expected_counts[k]);
      worst_slice = std::max(worst_slice, std::abs(count - expected_counts[k]));
    }
    WARN(id << ": window " << input.width << " x " << input.height << ", scale " << input.scale << " (reference " << c.at("scale").as_number() << "), worst slice-sum relative difference "
            << worst_sum << ", worst sample difference " << worst_sample << ", mask voxels differing " << total_difference
            << " in all (worst slice " << worst_slice << ")");
  }
}
