// Grey level distance zone matrix features (IBSI 1, section 3.9). Not in PyRadiomics.
#include "core/radiomics/texture.hpp"
#include "core/radiomics/zones.hpp"

namespace gliolens::radiomics {

void gldzm_features(const RoiImage& roi, const Settings& s, FeatureSink& out) {
  // Distances to the edge of the morphological ROI (IBSI: the mask before resegmentation).
  const auto dist2 = edge_distance(roi, roi.morph, true);
  const auto dist3 = edge_distance(roi, roi.morph, false);
  auto build = [&](int slice, const std::array<int, 3>&) {
    TexMat t;
    const auto zones = find_zones(roi, slice, slice < 0 ? &dist3 : &dist2);
    int maxd = 1;
    for (const auto& z : zones) maxd = std::max(maxd, z.distance);
    t.m = Eigen::MatrixXd::Zero(roi.ng, maxd);
    for (const auto& z : zones) {
      t.m(z.level - 1, z.distance - 1) += 1;
      t.nv += z.size;
    }
    return t;
  };
  const auto agg = aggregate_slices(roi, texture_plan(s), build, size_zone_vector, 17);
  const std::vector<NamedTag> names{
      {"SmallDistanceEmphasis", "0GBI"},                   // sum d / j^2 / N_s
      {"LargeDistanceEmphasis", "MB4I"},                   // sum d j^2 / N_s
      {"LowGrayLevelZoneEmphasis", "S1RA"},                // sum d / i^2 / N_s
      {"HighGrayLevelZoneEmphasis", "K26C"},               // sum d i^2 / N_s
      {"SmallDistanceLowGrayLevelEmphasis", "RUVG"},       // sum d / (i^2 j^2) / N_s
      {"SmallDistanceHighGrayLevelEmphasis", "DKNJ"},      // sum d i^2 / j^2 / N_s
      {"LargeDistanceLowGrayLevelEmphasis", "A7WM"},       // sum d j^2 / i^2 / N_s
      {"LargeDistanceHighGrayLevelEmphasis", "KLTH"},      // sum d i^2 j^2 / N_s
      {"GrayLevelNonUniformity", "VFT7"},                  // sum_i d_i.^2 / N_s
      {"GrayLevelNonUniformityNormalized", "7HP3"},        // sum_i d_i.^2 / N_s^2
      {"ZoneDistanceNonUniformity", "V294"},               // sum_j d_.j^2 / N_s
      {"ZoneDistanceNonUniformityNormalized", "IATH"},     // sum_j d_.j^2 / N_s^2
      {"ZonePercentage", "VIWW"},                          // N_s / N_v
      {"GrayLevelVariance", "QK93"},                       // sum (i - mu)^2 p
      {"ZoneDistanceVariance", "7WT1"},                    // sum (j - mu)^2 p
      {"ZoneDistanceEntropy", "GBDU"},                     // -sum p log2 p
      {"", ""}};
  emit(out, agg, names, "no zones in the ROI");
}

}  // namespace gliolens::radiomics
