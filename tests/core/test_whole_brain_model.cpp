#include "core/errors.hpp"
#include "core/imaging/reorient.hpp"
#include "core/imaging/same_grid.hpp"
#include "core/io/nifti.hpp"
#include "core/segmentation/whole_brain_model.hpp"
#include "core/common/json.hpp"
#include "shared_data.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace gliolens;
using namespace gliolens::segmentation;
namespace fs = std::filesystem;

namespace {
Volume constant_volume(const Index3& dims, float value, const std::string& name) {
  Volume v;
  v.grid.dims = dims;
  v.voxels.assign(v.grid.voxel_count(), value);
  v.name = name;
  return v;
}
}  // namespace

TEST_CASE("whole-brain input matches the model's Python preprocessing on real cases", "[segmentation][model]") {
  const fs::path reference = fs::path(GLIOLENS_SOURCE_DIR) / "models/glioma_seg/reference/preprocess_expected.json";
  const fs::path data = gliolens::testing::shared_data_dir() / "brats2018";
  REQUIRE(fs::exists(reference));
  if (gliolens::testing::skipped_without(data)) return;
  std::ifstream in(reference);
  std::stringstream text;
  text << in.rdbuf();
  const auto expected = parse_json(text.str());
  for (const auto& [case_id, facts] : expected.at("cases").as_object()) {
    std::vector<Volume> volumes;
    for (const char* m : {"t1", "t1ce", "t2", "flair"}) {
      volumes.push_back(read_nifti((data / case_id / (case_id + "_" + m + ".nii.gz")).string()).volume);
    }
    const std::vector<const Volume*> pointers{&volumes[0], &volumes[1], &volumes[2], &volumes[3]};
    const NetworkInput input = prepare_whole_brain_input(pointers, WholeBrainSpec{});
    INFO(case_id);
    CHECK(input.warnings.empty());  // skull-stripped, as the model expects
    REQUIRE(input.grid == Index3{80, 96, 80});
    const auto& start = facts.at("window_start_ijk").as_array();
    for (int a = 0; a < 3; ++a) CHECK(input.window_start[a] == static_cast<std::int64_t>(start[a].as_number()));
    const std::size_t n = 80 * 96 * 80;
    for (int c = 0; c < 4; ++c) {
      double sum = 0, sum_sq = 0;
      for (std::size_t i = 0; i < n; ++i) {
        sum += input.tensor[c * n + i];
        sum_sq += double(input.tensor[c * n + i]) * input.tensor[c * n + i];
      }
      CHECK(sum == Approx(facts.at("input_channel_sum").as_array()[c].as_number()).margin(0.05));
      CHECK(sum_sq == Approx(facts.at("input_channel_sumsq").as_array()[c].as_number()).epsilon(1e-5));
    }
    for (const auto& probe : facts.at("input_probes_c_k_j_i").as_array()) {
      const auto& idx = probe.at("index").as_array();
      const auto c = static_cast<std::size_t>(idx[0].as_number()), k = static_cast<std::size_t>(idx[1].as_number()),
                 j = static_cast<std::size_t>(idx[2].as_number()), i = static_cast<std::size_t>(idx[3].as_number());
      CHECK(input.tensor[c * n + i + 80 * (j + 96 * k)] == Approx(probe.at("value").as_number()).margin(1e-5));
    }
  }
}

TEST_CASE("an input unlike skull-stripped brains is segmented with warnings that name the file and say why", "[segmentation][model]") {
  WholeBrainSpec spec;
  spec.window_voxels = {8, 8, 8};
  const Index3 dims{12, 10, 9};
  const auto brain = [&](std::int64_t from_i, std::int64_t to_i, const std::string& name) {
    Volume v = constant_volume(dims, 0.0f, name);
    for (std::int64_t k = 2; k < 7; ++k)
      for (std::int64_t j = 2; j < 8; ++j)
        for (std::int64_t i = from_i; i < to_i; ++i) v.voxels[v.grid.index(i, j, k)] = static_cast<float>(i + j + k);
    return v;
  };
  const auto prepared = [&](const std::vector<Volume>& volumes, const WholeBrainSpec& with) {
    const std::vector<const Volume*> pointers{&volumes[0], &volumes[1], &volumes[2], &volumes[3]};
    return prepare_whole_brain_input(pointers, with);
  };
  std::vector<Volume> volumes{brain(3, 9, "t1.nii"), brain(3, 9, "t1c.nii"), brain(3, 9, "t2.nii"), brain(3, 9, "flair.nii")};
  CHECK(prepared(volumes, spec).warnings.empty());  // 6 x 6 x 5 voxels, inside the window

  // The FLAIR's non-zero region is 12 voxels long in i, the window 8: still prepared, with the reason labels may be missing.
  volumes[3] = brain(0, 12, "flair.nii");
  auto warnings = prepared(volumes, spec).warnings;
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "flair.nii: its non-zero region spans 12 x 6 x 5 mm, more than the model's window of 8 x 8 x 8 mm: "
                       "what lies outside the window is not segmented; the model expects skull-stripped brains with a zero "
                       "background, as in BraTS");

  // Each modality fits, but shifted against each other they do not.
  volumes = {brain(0, 6, "t1.nii"), brain(6, 12, "t1c.nii"), brain(0, 6, "t2.nii"), brain(6, 12, "flair.nii")};
  warnings = prepared(volumes, spec).warnings;
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].rfind("t1.nii with the other modalities: their non-zero region spans 12 x 6 x 5 mm", 0) == 0);

  // A head with its skull, or a noisy background: 3,375 mL non-zero in the T1 against the BraTS brains' 1,315-1,729 mL.
  const Index3 head{150, 150, 150};
  Volume t1 = constant_volume(head, 0.0f, "head_t1.nii");
  for (std::size_t i = 0; i < t1.voxels.size(); ++i) t1.voxels[i] = static_cast<float>(1 + i % 7);
  Volume other = constant_volume(head, 0.0f, "brain.nii");  // k < 50: 1,125 mL
  for (std::size_t i = 0; i < other.voxels.size() / 3; ++i) other.voxels[i] = static_cast<float>(1 + i % 5);
  volumes = {t1, other, other, other};
  warnings = prepared(volumes, WholeBrainSpec{}).warnings;
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "head_t1.nii: its non-zero region holds 3375 mL, far more than a skull-stripped brain (1315-1729 mL "
                       "in the BraTS cases): the model expects skull-stripped brains with a zero background, as in BraTS; "
                       "check the labels");
}

TEST_CASE("modalities stored along other axes reach the network in the model's orientation, and the labels go back",
          "[segmentation][model]") {
  WholeBrainSpec spec;
  spec.window_voxels = {8, 8, 8};
  spec.orientation = "LPS";
  Volume lps = constant_volume({12, 10, 9}, 0.0f, "t1.nii");
  lps.grid.affine(0, 0) = -1;  // BraTS's voxel axes: i towards the left, j towards the back, k up
  lps.grid.affine(1, 1) = -1;
  for (std::int64_t k = 2; k < 7; ++k)
    for (std::int64_t j = 2; j < 8; ++j)
      for (std::int64_t i = 3; i < 9; ++i) lps.voxels[lps.grid.index(i, j, k)] = static_cast<float>(i + 2 * j + 3 * k);
  const auto input_of = [&](const Volume& v, const WholeBrainSpec& with) {
    const std::vector<Volume> volumes(4, v);
    const std::vector<const Volume*> pointers{&volumes[0], &volumes[1], &volumes[2], &volumes[3]};
    return prepare_whole_brain_input(pointers, with);
  };
  const NetworkInput expected = input_of(lps, spec);
  for (const char* stored : {"LPS", "RAS", "ASL", "SPR", "ILA"}) {
    INFO(stored);
    const Volume other = reorient(lps, stored);
    const NetworkInput input = input_of(other, spec);
    CHECK(input.tensor == expected.tensor);  // voxels moved, never interpolated: equal to the bit
    CHECK(input.window_start == expected.window_start);
    CHECK(same_grid(input.source_grid, lps.grid));
    CHECK(input.output_grid.dims == other.grid.dims);
    // Labels made on the working grid come back on the stored grid: the expected ones moved into its axes.
    std::vector<std::uint8_t> labels(lps.grid.voxel_count(), 0);
    for (std::size_t v = 0; v < labels.size(); ++v) labels[v] = static_cast<std::uint8_t>(lps.voxels[v] > 20.0f ? 4 : lps.voxels[v] > 0.0f ? 2 : 0);
    CHECK(labels_on_output_grid(labels, input).voxels == reorient(labels_on_output_grid(labels, expected), stored).voxels);
    CHECK(same_grid(working_grid(other.grid, spec), lps.grid));
  }
  spec.orientation = "LPX";
  CHECK_THROWS_WITH(input_of(lps, spec), "the model's preprocessing: orientation \"LPX\": letters must be R/L, A/P, S/I");
  // Without an orientation in the manifest the modalities' own axes are used, as before.
  CHECK(input_of(reorient(lps, "ASL"), WholeBrainSpec{.window_voxels = {8, 8, 8}}).tensor != expected.tensor);
}

TEST_CASE("region logits become nested BraTS labels on the source grid", "[segmentation][model]") {
  WholeBrainSpec spec;
  spec.window_voxels = {8, 8, 8};
  const Index3 dims{12, 10, 9};
  Volume brain = constant_volume(dims, 0.0f, "t1");
  for (std::int64_t k = 2; k < 7; ++k)
    for (std::int64_t j = 2; j < 8; ++j)
      for (std::int64_t i = 3; i < 9; ++i) brain.voxels[brain.grid.index(i, j, k)] = static_cast<float>(i + j + k);
  std::vector<Volume> volumes(4, brain);
  const std::vector<const Volume*> pointers{&volumes[0], &volumes[1], &volumes[2], &volumes[3]};
  const NetworkInput input = prepare_whole_brain_input(pointers, spec);
  CHECK(input.grid == Index3{4, 4, 4});
  CHECK(input.window_start == Index3{2, 1, 0});  // centre (6, 5, 4) minus half the window

  // WT everywhere, TC in the network grid's first i-column half, ET nowhere.
  std::vector<float> logits(3 * 64, -10.0f);
  for (std::size_t v = 0; v < 64; ++v) {
    logits[v] = 10.0f;
    if (v % 4 < 2) logits[64 + v] = 10.0f;
  }
  const Volume labels = labels_from_region_logits(logits, input, spec);
  CHECK(labels.grid.dims == dims);
  CHECK(labels.voxels[labels.grid.index(3, 3, 3)] == 1.0f);   // window i = 1 -> network u = 0: TC
  CHECK(labels.voxels[labels.grid.index(9, 3, 3)] == 2.0f);   // window i = 7 -> network u = 3: WT only
  CHECK(labels.voxels[labels.grid.index(0, 3, 3)] == 0.0f);   // outside the window
  CHECK(labels.voxels[labels.grid.index(11, 9, 8)] == 0.0f);
  CHECK_THROWS_AS(labels_from_region_logits(std::vector<float>(10), input, spec), InvalidInputError);
  // Labels handed back from JavaScript (firstStageLabels) must cover the working grid.
  CHECK_THROWS_WITH(labels_on_output_grid(std::vector<std::uint8_t>(10), input), Catch::Contains("10 voxels"));
}

TEST_CASE("modalities on different grids or empty brains are refused by name", "[segmentation][model]") {
  Volume a = constant_volume({4, 4, 4}, 1.0f, "a_t1.nii.gz"), b = constant_volume({4, 4, 5}, 1.0f, "b_t2.nii.gz");
  const std::vector<const Volume*> mismatched{&a, &a, &b, &a};
  CHECK_THROWS_WITH(prepare_whole_brain_input(mismatched, {}), Catch::Contains("b_t2.nii.gz") && Catch::Contains("same voxel grid"));
  Volume empty = constant_volume({4, 4, 4}, 0.0f, "empty_t1.nii.gz");
  const std::vector<const Volume*> empties{&empty, &empty, &empty, &empty};
  CHECK_THROWS_WITH(prepare_whole_brain_input(empties, {}), Catch::Contains("empty"));
}

TEST_CASE("three modalities and flat images are refused by name", "[segmentation][model]") {
  Volume flat = constant_volume({4, 4, 4}, 1.0f, "flat_t1.nii.gz");
  const std::vector<const Volume*> three{&flat, &flat, &flat};
  CHECK_THROWS_WITH(prepare_whole_brain_input(three, {}), Catch::Contains("four modalities"));
  const std::vector<const Volume*> flats{&flat, &flat, &flat, &flat};
  CHECK_THROWS_WITH(prepare_whole_brain_input(flats, {}), Catch::Contains("flat_t1.nii.gz") && Catch::Contains("constant intensity"));
}

TEST_CASE("modalities with other voxel sizes are resampled to the model's, and the labels come back on their grid", "[segmentation][model]") {
  Volume coarse = constant_volume({6, 6, 4}, 0.0f, "coarse_t1.nii.gz");
  coarse.grid.affine(2, 2) = 3.0;  // 1 x 1 x 3 mm voxels, as in many clinical scans
  coarse.grid.affine(0, 3) = -40.0;
  for (std::size_t i = 0; i < coarse.voxels.size(); ++i) coarse.voxels[i] = static_cast<float>(1 + i % 7);
  const std::vector<const Volume*> coarses{&coarse, &coarse, &coarse, &coarse};
  const WholeBrainSpec spec;
  const NetworkInput input = prepare_whole_brain_input(coarses, spec);
  CHECK(input.source_grid.dims == std::array<std::int64_t, 3>{6, 6, 12});
  CHECK(input.source_grid.spacing()[2] == Approx(1.0));
  CHECK(input.output_grid.affine.isApprox(coarse.grid.affine));
  CHECK(working_grid(coarse.grid, spec).affine.isApprox(input.source_grid.affine));  // what finish_segmentation rebuilds
  // Every network voxel says tumour core: every brain voxel of the input grid comes back labelled 1.
  const std::size_t n = static_cast<std::size_t>(input.grid[0] * input.grid[1] * input.grid[2]);
  std::vector<float> logits(3 * n, 5.0f);
  std::fill(logits.begin() + static_cast<std::ptrdiff_t>(2 * n), logits.end(), -5.0f);
  const Volume labels = labels_from_region_logits(logits, input, spec);
  CHECK(labels.grid.dims == coarse.grid.dims);
  CHECK(labels.grid.affine.isApprox(coarse.grid.affine));
  CHECK(std::all_of(labels.voxels.begin(), labels.voxels.end(), [](float v) { return v == 1.0f; }));
}

TEST_CASE("mirroring twice is the identity", "[segmentation][model]") {
  std::vector<float> t(2 * 3 * 4 * 5);
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(i);
  const auto original = t;
  mirror(t, 2, {3, 4, 5}, 0);
  CHECK(t[0] == 2.0f);
  mirror(t, 2, {3, 4, 5}, 0);
  CHECK(t == original);
}
