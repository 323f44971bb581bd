// Tumour descriptors from a BraTS segmentation (core/descriptors): synthetic segmentations with known answers, and
// one real TCGA mask against the engine's own shape features and the cohort table's voxel counts.
#include <catch2/catch.hpp>

#include "core/descriptors/sri24_landmarks.hpp"
#include "core/descriptors/tumour_descriptors.hpp"
#include "core/errors.hpp"
#include "core/io/nifti.hpp"
#include "core/radiomics/radiomics.hpp"
#include "shared_data.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace {
using namespace gliolens;
using descriptors::Descriptor;

// A 60 x 60 x 40 grid, 1 mm, in SRI24 space as BraTS has it (x = -i, y decreasing with j), placed so that voxel
// i = 29 lies on the midline (x = -119 mm).
Volume sri24_patch() {
  Volume v;
  v.grid.dims = {60, 60, 40};
  Eigen::Matrix4d a = Eigen::Matrix4d::Identity();
  a(0, 0) = -1;
  a(0, 3) = -90;
  a(1, 1) = -1;
  a(1, 3) = 150;
  a(2, 3) = 50;
  v.grid.affine = v.grid.qform = v.grid.sform = a;
  v.voxels.assign(v.grid.voxel_count(), 0.0f);
  v.name = "synthetic.nii.gz";
  return v;
}

void fill_box(Volume& v, std::array<std::int64_t, 3> lo, std::array<std::int64_t, 3> hi, float label) {
  for (std::int64_t k = lo[2]; k <= hi[2]; ++k)
    for (std::int64_t j = lo[1]; j <= hi[1]; ++j)
      for (std::int64_t i = lo[0]; i <= hi[0]; ++i) v.voxels[v.grid.index(i, j, k)] = label;
}

std::map<std::string, Descriptor> by_name(const std::vector<Descriptor>& list) {
  std::map<std::string, Descriptor> m;
  for (const auto& d : list) m.emplace(d.name, d);
  return m;
}

double value(const std::map<std::string, Descriptor>& m, const std::string& name) {
  const auto it = m.find(name);
  REQUIRE(it != m.end());
  INFO(name << ": " << it->second.reason);
  REQUIRE(it->second.value.has_value());
  return *it->second.value;
}

std::vector<radiomics::Feature> engine_shape(const Volume& seg, const std::vector<int>& labels) {
  radiomics::Settings s = radiomics::pyradiomics_defaults();
  s.families = {"shape"};
  return radiomics::extract_features(seg, seg, labels, s);
}

}  // namespace

TEST_CASE("tumour descriptors: volumes, proportions and one component", "[descriptors]") {
  Volume seg = sri24_patch();
  fill_box(seg, {10, 10, 10}, {19, 19, 19}, 2);  // WT 10^3 = 1000 voxels = 1 mL
  fill_box(seg, {12, 12, 12}, {14, 17, 17}, 1);  // NCR 3 x 6 x 6 = 108
  fill_box(seg, {15, 12, 12}, {17, 17, 17}, 4);  // ET 108; TC 216, ED 784
  const auto list = descriptors::tumour_descriptors(seg);
  const auto d = by_name(list);
  CHECK(list.size() == d.size());  // names unique
  CHECK(value(d, "WT_original_shape_VoxelVolume") == 1000.0);
  CHECK(value(d, "TC_original_shape_VoxelVolume") == 216.0);
  CHECK(value(d, "ET_original_shape_VoxelVolume") == 108.0);
  CHECK(value(d, "NCR_original_shape_VoxelVolume") == 108.0);
  CHECK(value(d, "ED_original_shape_VoxelVolume") == 784.0);
  CHECK(value(d, "ET_over_TC") == 0.5);
  CHECK(value(d, "NCR_over_TC") == 0.5);
  CHECK(value(d, "ED_over_WT") == Approx(0.784).epsilon(1e-12));
  CHECK(value(d, "TC_over_WT") == Approx(0.216).epsilon(1e-12));
  CHECK(value(d, "WT_components_min_1mL") == 1.0);  // exactly 1 mL counts
  CHECK(value(d, "WT_multifocal") == 0.0);
  CHECK(value(d, "WT_largest_component_share") == 1.0);
  // every region's shape features are the engine's, PyRadiomics' names prefixed by the region
  const std::map<std::string, std::vector<int>> regions{{"WT", {1, 2, 4}}, {"TC", {1, 4}}, {"ET", {4}}, {"NCR", {1}},
                                                         {"ED", {2}}};
  for (const auto& [region, labels] : regions)
    for (const auto& f : engine_shape(seg, labels)) {
      INFO(region << "_" << f.name);
      REQUIRE(d.count(region + "_" + f.name) == 1);
      CHECK(d.at(region + "_" + f.name).value == f.value);
    }
  CHECK(d.count("WT_original_shape_Sphericity") == 1);
  CHECK(d.count("WT_original_shape_Maximum3DDiameter") == 1);
}

TEST_CASE("tumour descriptors: two components of at least 1 mL are multifocal, a smaller third does not count",
          "[descriptors]") {
  Volume seg = sri24_patch();
  fill_box(seg, {2, 2, 2}, {12, 12, 12}, 2);     // 11^3 = 1331
  fill_box(seg, {30, 30, 20}, {40, 40, 30}, 4);  // 1331, apart
  fill_box(seg, {50, 50, 2}, {51, 51, 3}, 1);    // 8 voxels, diagonal neighbours of nothing
  const auto d = by_name(descriptors::tumour_descriptors(seg));
  CHECK(value(d, "WT_components_min_1mL") == 2.0);
  CHECK(value(d, "WT_multifocal") == 1.0);
  CHECK(value(d, "WT_largest_component_share") == Approx(1331.0 / 2670.0).epsilon(1e-12));

  // 26-connectivity: two cubes touching at one corner are one component
  Volume corner = sri24_patch();
  fill_box(corner, {2, 2, 2}, {12, 12, 12}, 2);
  fill_box(corner, {13, 13, 13}, {23, 23, 23}, 2);
  const auto c = by_name(descriptors::tumour_descriptors(corner));
  CHECK(value(c, "WT_components_min_1mL") == 1.0);
  CHECK(value(c, "WT_largest_component_share") == 1.0);
}

TEST_CASE("tumour descriptors: location against the SRI24 midline and ventricles", "[descriptors]") {
  SECTION("a blob left of the midline") {
    Volume seg = sri24_patch();
    fill_box(seg, {45, 20, 10}, {53, 28, 18}, 2);  // i 45..53: x -135..-143, centroid (-139, 126, 64)
    const auto d = by_name(descriptors::tumour_descriptors(seg));
    CHECK(value(d, "WT_centroid_x_mm") == Approx(-139.0).margin(1e-9));
    CHECK(value(d, "WT_centroid_y_mm") == Approx(126.0).margin(1e-9));
    CHECK(value(d, "WT_centroid_z_mm") == Approx(64.0).margin(1e-9));
    CHECK(value(d, "WT_hemisphere_left") == 1.0);
    CHECK(value(d, "WT_crosses_midline") == 0.0);
    CHECK(value(d, "WT_contralateral_extent_mm") == 0.0);
    CHECK(value(d, "WT_centroid_midline_distance_mm") == Approx(20.0).margin(1e-9));
    const auto& v = descriptors::sri24_ventricles_centre_mm;
    CHECK(value(d, "WT_centroid_ventricles_distance_mm") ==
          Approx(std::hypot(-139.0 - v[0], 126.0 - v[1], 64.0 - v[2])).margin(1e-9));
  }
  SECTION("a blob right of the midline") {
    Volume seg = sri24_patch();
    fill_box(seg, {5, 20, 10}, {9, 24, 14}, 4);  // x -95..-99
    const auto d = by_name(descriptors::tumour_descriptors(seg));
    CHECK(value(d, "WT_hemisphere_left") == 0.0);
    CHECK(value(d, "WT_centroid_midline_distance_mm") == Approx(22.0).margin(1e-9));
  }
  SECTION("a blob across the midline, centred on it") {
    Volume seg = sri24_patch();
    fill_box(seg, {25, 20, 10}, {33, 28, 18}, 1);  // x -115..-123: 4 mm either side
    const auto d = by_name(descriptors::tumour_descriptors(seg));
    CHECK(value(d, "WT_crosses_midline") == 1.0);
    CHECK(value(d, "WT_contralateral_extent_mm") == Approx(4.0).margin(1e-9));
    CHECK(value(d, "WT_centroid_midline_distance_mm") == Approx(0.0).margin(1e-9));
    CHECK_FALSE(d.at("WT_hemisphere_left").value.has_value());
    CHECK(d.at("WT_hemisphere_left").reason == "the centroid lies on the midline");
  }
  SECTION("within the 2 mm margin does not cross") {
    Volume seg = sri24_patch();
    fill_box(seg, {27, 20, 10}, {31, 28, 18}, 2);  // x -117..-121: 2 mm either side, not beyond
    CHECK(value(by_name(descriptors::tumour_descriptors(seg)), "WT_crosses_midline") == 0.0);
  }
  SECTION("a left tumour reaching 6 mm past the midline") {
    Volume seg = sri24_patch();
    fill_box(seg, {23, 20, 10}, {53, 28, 18}, 2);  // x -113..-143: centroid -128, 6 mm right of the midline at most
    const auto d = by_name(descriptors::tumour_descriptors(seg));
    CHECK(value(d, "WT_hemisphere_left") == 1.0);
    CHECK(value(d, "WT_crosses_midline") == 1.0);
    CHECK(value(d, "WT_contralateral_extent_mm") == Approx(6.0).margin(1e-9));
  }
  SECTION("a grid outside SRI24 space gives no location, and says why") {
    Volume seg = sri24_patch();
    seg.grid.affine = seg.grid.qform = seg.grid.sform = Eigen::Matrix4d::Identity();  // x 0..59 mm
    fill_box(seg, {25, 20, 10}, {33, 28, 18}, 2);
    const auto d = by_name(descriptors::tumour_descriptors(seg));
    for (const char* name : {"WT_centroid_x_mm", "WT_hemisphere_left", "WT_crosses_midline",
                             "WT_centroid_ventricles_distance_mm"}) {
      INFO(name);
      CHECK_FALSE(d.at(name).value.has_value());
      CHECK_THAT(d.at(name).reason, Catch::Contains("not in SRI24 space"));
    }
    CHECK(value(d, "WT_original_shape_VoxelVolume") == 729.0);  // the rest is still there
  }
}

TEST_CASE("tumour descriptors: an absent region's features have no value and say why", "[descriptors]") {
  Volume seg = sri24_patch();
  fill_box(seg, {10, 10, 10}, {19, 19, 19}, 2);
  fill_box(seg, {12, 12, 12}, {15, 15, 15}, 1);  // no ET
  const auto list = descriptors::tumour_descriptors(seg);
  const auto d = by_name(list);
  Volume all_labels = seg;
  fill_box(all_labels, {16, 16, 16}, {17, 17, 17}, 4);
  CHECK(list.size() == descriptors::tumour_descriptors(all_labels).size());  // the same names, whatever is absent
  CHECK_FALSE(d.at("ET_original_shape_Sphericity").value.has_value());
  CHECK(d.at("ET_original_shape_Sphericity").reason == "no ET voxel in the segmentation");
  CHECK(value(d, "ET_over_TC") == 0.0);
  CHECK(value(d, "NCR_over_TC") == 1.0);

  Volume oedema_only = sri24_patch();
  fill_box(oedema_only, {10, 10, 10}, {19, 19, 19}, 2);
  const auto e = by_name(descriptors::tumour_descriptors(oedema_only));
  CHECK_FALSE(e.at("ET_over_TC").value.has_value());
  CHECK(e.at("ET_over_TC").reason == "no TC voxel: the proportion is undefined");
  CHECK(value(e, "TC_over_WT") == 0.0);
  CHECK(value(e, "ED_over_WT") == 1.0);
}

TEST_CASE("tumour descriptors: a segmentation without tumour or with other labels is refused", "[descriptors]") {
  Volume empty = sri24_patch();
  CHECK_THROWS_MATCHES(descriptors::tumour_descriptors(empty), InvalidInputError,
                       Catch::Message("synthetic.nii.gz: no tumour in the segmentation (no voxel labelled 1, 2 or 4)"));
  Volume three = sri24_patch();
  fill_box(three, {10, 10, 10}, {12, 12, 12}, 2);
  three.voxels[three.grid.index(11, 11, 11)] = 3;
  CHECK_THROWS_MATCHES(descriptors::tumour_descriptors(three), InvalidInputError,
                       Catch::Message("synthetic.nii.gz: voxel value 3 is not a BraTS label (0 background, 1 "
                                      "necrosis/non-enhancing core, 2 oedema, 4 enhancing tumour)"));
  Volume fraction = sri24_patch();
  fraction.voxels[0] = 0.5f;
  CHECK_THROWS_AS(descriptors::tumour_descriptors(fraction), InvalidInputError);
}

namespace {

// The row of `id` in the TCGA cohort table (no quoted fields there), by column name.
std::map<std::string, std::string> clinical_row(const std::filesystem::path& table, const std::string& id) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);
  const auto split = [](const std::string& text) {
    std::vector<std::string> fields;
    std::stringstream ss(text);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
    return fields;
  };
  const auto header = split(line);
  while (std::getline(in, line)) {
    const auto fields = split(line);
    if (fields.empty() || fields[0] != id) continue;
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < header.size() && c < fields.size(); ++c) row[header[c]] = fields[c];
    return row;
  }
  return {};
}

}  // namespace

TEST_CASE("tumour descriptors of a real TCGA mask: the engine's shape features, the table's voxel counts",
          "[descriptors][shared_data]") {
  const auto tcga = gliolens::testing::shared_data_dir() / "radiogenomics" / "tcga";
  const auto mask_path = tcga / "masks" / "TCGA-02-0006.nii.gz";
  if (gliolens::testing::skipped_without(mask_path) || gliolens::testing::skipped_without(tcga / "clinical.csv"))
    return;
  const Volume seg = read_nifti(mask_path.string()).volume;
  radiomics::ExtractionCache cache;
  const auto d = by_name(descriptors::tumour_descriptors(seg, &cache));
  const std::map<std::string, std::vector<int>> regions{{"WT", {1, 2, 4}}, {"TC", {1, 4}}, {"ET", {4}}, {"NCR", {1}},
                                                         {"ED", {2}}};
  for (const auto& [region, labels] : regions)
    for (const auto& f : engine_shape(seg, labels)) {
      INFO(region << "_" << f.name);
      REQUIRE(f.value.has_value());
      CHECK(value(d, region + "_" + f.name) == *f.value);
    }
  // Bakas et al.'s VOLUME_* columns are voxel counts (1 mm voxels; NET = label 1)
  const auto row = clinical_row(tcga / "clinical.csv", "TCGA-02-0006");
  REQUIRE(!row.empty());
  const double voxel_mm3 = seg.grid.voxel_volume_mm3();
  for (const auto& [region, column] : std::map<std::string, std::string>{
           {"ET", "VOLUME_ET"}, {"NCR", "VOLUME_NET"}, {"ED", "VOLUME_ED"}, {"TC", "VOLUME_TC"}, {"WT", "VOLUME_WT"}}) {
    INFO(region);
    CHECK(value(d, region + "_original_shape_VoxelVolume") / voxel_mm3 == std::stod(row.at(column)));
  }
  CHECK(value(d, "ET_over_TC") == Approx(1662.0 / 2046.0).epsilon(1e-12));
  CHECK(value(d, "TC_over_WT") == Approx(std::stod(row.at("VOLUME_TC_OVER_WT"))).epsilon(1e-6));
}
