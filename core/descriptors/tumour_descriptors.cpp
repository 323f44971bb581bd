#include "core/descriptors/tumour_descriptors.hpp"

#include "core/common/number_text.hpp"
#include "core/descriptors/sri24_landmarks.hpp"
#include "core/errors.hpp"
#include "core/radiomics/radiomics.hpp"
#include "core/segmentation/postprocess.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

namespace gliolens::descriptors {
namespace {

struct Region {
  const char* name;
  std::vector<int> labels;
};

// Voxel counts of labels 1, 2 and 4, after checking that every voxel is a BraTS label.
struct LabelCounts {
  std::size_t ncr = 0, ed = 0, et = 0;
  [[nodiscard]] std::size_t tc() const { return ncr + et; }
  [[nodiscard]] std::size_t wt() const { return ncr + ed + et; }
};

LabelCounts count_labels(const Volume& segmentation) {
  if (segmentation.voxels.size() != segmentation.grid.voxel_count())
    throw InvalidInputError(segmentation.name + ": the segmentation's voxel data does not match its dimensions");
  LabelCounts counts;
  for (const float v : segmentation.voxels) {
    if (v == 0.0f) continue;
    if (v == 1.0f) ++counts.ncr;
    else if (v == 2.0f) ++counts.ed;
    else if (v == 4.0f) ++counts.et;
    else
      throw InvalidInputError(segmentation.name + ": voxel value " + (std::isfinite(v) ? format_double(v) : "NaN") +
                              " is not a BraTS label (0 background, 1 necrosis/non-enhancing core, 2 oedema, 4 "
                              "enhancing tumour)");
  }
  if (counts.wt() == 0)
    throw InvalidInputError(segmentation.name + ": no tumour in the segmentation (no voxel labelled 1, 2 or 4)");
  return counts;
}

Descriptor value_of(std::string name, double value) { return {std::move(name), value, {}}; }
Descriptor missing(std::string name, std::string reason) { return {std::move(name), std::nullopt, std::move(reason)}; }

void add_shape_features(const Volume& segmentation, const Region& region, std::size_t voxels,
                        radiomics::ExtractionCache* cache, std::vector<Descriptor>& out) {
  radiomics::Settings settings = radiomics::pyradiomics_defaults();
  settings.families = {"shape"};
  // Shape features read the mask alone: the segmentation serves as its own image.
  for (auto& f : radiomics::extract_features(segmentation, segmentation, region.labels, settings, cache)) {
    std::string name = std::string(region.name) + "_" + f.name;
    if (voxels == 0)
      out.push_back(missing(std::move(name), std::string("no ") + region.name + " voxel in the segmentation"));
    else
      out.push_back({std::move(name), f.value, f.reason});
  }
}

void add_proportion(const char* name, std::size_t part, std::size_t whole, const char* whole_name,
                    std::vector<Descriptor>& out) {
  if (whole == 0) out.push_back(missing(name, std::string("no ") + whole_name + " voxel: the proportion is undefined"));
  else out.push_back(value_of(name, static_cast<double>(part) / static_cast<double>(whole)));
}

std::vector<std::uint8_t> whole_tumour_mask(const Volume& segmentation) {
  std::vector<std::uint8_t> mask(segmentation.voxels.size());
  std::transform(segmentation.voxels.begin(), segmentation.voxels.end(), mask.begin(),
                 [](float v) { return static_cast<std::uint8_t>(v != 0.0f); });
  return mask;
}

void add_multifocality(const Volume& segmentation, std::span<const std::uint8_t> wt, std::vector<Descriptor>& out) {
  const auto components = segmentation::connected_components(wt, segmentation.grid.dims, 26);
  const double ml_per_voxel = segmentation.grid.voxel_volume_mm3() / 1000.0;
  std::size_t large = 0, total = 0, largest = 0;
  for (const std::size_t size : components.sizes) {
    // a relative tolerance so that exactly 1 mL of voxels (1000 at 1 mm) counts despite rounding of the spacing
    if (static_cast<double>(size) * ml_per_voxel >= min_component_ml * (1 - 1e-9)) ++large;
    total += size;
    largest = std::max(largest, size);
  }
  out.push_back(value_of("WT_components_min_1mL", static_cast<double>(large)));
  out.push_back(value_of("WT_multifocal", large >= 2 ? 1.0 : 0.0));
  out.push_back(value_of("WT_largest_component_share", static_cast<double>(largest) / static_cast<double>(total)));
}

// Whether the grid's voxel centres lie in SRI24's world box as BraTS distributes it (x -239..0, y 0..239, z 0..154
// mm); a segmentation in a scanner's space (brain about x = 0) does not.
std::optional<std::string> outside_sri24(const Grid& grid) {
  const std::array<double, 3> lo{-239.0, 0.0, 0.0}, hi{0.0, 239.0, 154.0};
  constexpr double tolerance_mm = 1.0;
  for (int corner = 0; corner < 8; ++corner) {
    const Eigen::Vector4d index((corner & 1) ? grid.dims[0] - 1 : 0, (corner & 2) ? grid.dims[1] - 1 : 0,
                                (corner & 4) ? grid.dims[2] - 1 : 0, 1.0);
    const Eigen::Vector4d world = grid.affine * index;
    for (int d = 0; d < 3; ++d)
      if (world[d] < lo[d] - tolerance_mm || world[d] > hi[d] + tolerance_mm)
        return "the segmentation is not in SRI24 space as BraTS distributes it (a voxel centre at " +
               format_double(std::round(world[0] * 10) / 10) + ", " + format_double(std::round(world[1] * 10) / 10) +
               ", " + format_double(std::round(world[2] * 10) / 10) + " mm lies outside x -239..0, y 0..239, z 0..154)";
  }
  return std::nullopt;
}

void add_location(const Volume& segmentation, std::span<const std::uint8_t> wt, std::vector<Descriptor>& out) {
  static constexpr std::array names{"WT_centroid_x_mm",  "WT_centroid_y_mm",
                                    "WT_centroid_z_mm",  "WT_hemisphere_left",
                                    "WT_crosses_midline", "WT_contralateral_extent_mm",
                                    "WT_centroid_midline_distance_mm", "WT_centroid_ventricles_distance_mm"};
  const Grid& grid = segmentation.grid;
  if (const auto problem = outside_sri24(grid)) {
    for (const char* name : names) out.push_back(missing(name, *problem));
    return;
  }
  // World x is affine in the voxel index, so its extremes and the centroid follow from sums over the indices.
  Eigen::Vector3d index_sum = Eigen::Vector3d::Zero();
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
  std::size_t count = 0;
  const Eigen::RowVector4d x_row = grid.affine.row(0);
  std::size_t n = 0;
  for (std::int64_t k = 0; k < grid.dims[2]; ++k)
    for (std::int64_t j = 0; j < grid.dims[1]; ++j)
      for (std::int64_t i = 0; i < grid.dims[0]; ++i, ++n) {
        if (!wt[n]) continue;
        const Eigen::Vector4d index(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k), 1.0);
        index_sum += index.head<3>();
        const double x = x_row * index;
        x_min = std::min(x_min, x);
        x_max = std::max(x_max, x);
        ++count;
      }
  const Eigen::Vector3d mean_index = index_sum / static_cast<double>(count);
  const Eigen::Vector3d centroid = (grid.affine * mean_index.homogeneous()).head<3>();
  out.push_back(value_of(names[0], centroid[0]));
  out.push_back(value_of(names[1], centroid[1]));
  out.push_back(value_of(names[2], centroid[2]));
  const double offset = centroid[0] - sri24_midline_x_mm;  // RAS: smaller x is the patient's left
  if (offset == 0.0) out.push_back(missing(names[3], "the centroid lies on the midline"));
  else out.push_back(value_of(names[3], offset < 0 ? 1.0 : 0.0));
  const bool crosses = x_min < sri24_midline_x_mm - midline_margin_mm && x_max > sri24_midline_x_mm + midline_margin_mm;
  out.push_back(value_of(names[4], crosses ? 1.0 : 0.0));
  // How far the tumour reaches past the midline, away from its centroid's side: a graded crossing, since a mass
  // shifts the patient's own midline off the atlas's by a few millimetres.
  const double reach_left = std::max(0.0, sri24_midline_x_mm - x_min), reach_right = std::max(0.0, x_max - sri24_midline_x_mm);
  out.push_back(value_of(names[5], offset < 0 ? reach_right : offset > 0 ? reach_left : std::min(reach_left, reach_right)));
  out.push_back(value_of(names[6], std::abs(offset)));
  const Eigen::Vector3d ventricles(sri24_ventricles_centre_mm[0], sri24_ventricles_centre_mm[1],
                                   sri24_ventricles_centre_mm[2]);
  out.push_back(value_of(names[7], (centroid - ventricles).norm()));
}

}  // namespace

std::vector<Descriptor> tumour_descriptors(const Volume& segmentation, radiomics::ExtractionCache* cache) {
  const LabelCounts counts = count_labels(segmentation);
  std::vector<Descriptor> out;
  const std::array<std::pair<Region, std::size_t>, 5> regions{{{{"WT", {1, 2, 4}}, counts.wt()},
                                                               {{"TC", {1, 4}}, counts.tc()},
                                                               {{"ET", {4}}, counts.et},
                                                               {{"NCR", {1}}, counts.ncr},
                                                               {{"ED", {2}}, counts.ed}}};
  for (const auto& [region, voxels] : regions) add_shape_features(segmentation, region, voxels, cache, out);
  add_proportion("ET_over_TC", counts.et, counts.tc(), "TC", out);
  add_proportion("NCR_over_TC", counts.ncr, counts.tc(), "TC", out);
  add_proportion("ED_over_WT", counts.ed, counts.wt(), "WT", out);
  add_proportion("TC_over_WT", counts.tc(), counts.wt(), "WT", out);
  const std::vector<std::uint8_t> wt = whole_tumour_mask(segmentation);
  add_multifocality(segmentation, wt, out);
  add_location(segmentation, wt, out);
  return out;
}

}  // namespace gliolens::descriptors
