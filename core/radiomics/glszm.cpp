// Grey level size zone matrix features (IBSI 1, section 3.8; PyRadiomics "glszm").
#include "core/radiomics/texture.hpp"
#include "core/radiomics/zones.hpp"

namespace gliolens::radiomics {

void glszm_features(const RoiImage& roi, const Settings& s, FeatureSink& out) {
  auto build = [&](int slice, const std::array<int, 3>&) {
    TexMat t;
    const auto zones = find_zones(roi, slice, nullptr);
    int maxsize = 1;
    for (const auto& z : zones) maxsize = std::max(maxsize, z.size);
    t.m = Eigen::MatrixXd::Zero(roi.ng, maxsize);
    for (const auto& z : zones) {
      t.m(z.level - 1, z.size - 1) += 1;
      t.nv += z.size;
    }
    return t;
  };
  const auto agg = aggregate_slices(roi, texture_plan(s), build, size_zone_vector, 17);
  const std::vector<NamedTag> names{
      {"SmallAreaEmphasis", "5QRC"},                  // sum s / j^2 / N_s
      {"LargeAreaEmphasis", "48P8"},                  // sum s j^2 / N_s
      {"LowGrayLevelZoneEmphasis", "XMSY"},           // sum s / i^2 / N_s
      {"HighGrayLevelZoneEmphasis", "5GN9"},          // sum s i^2 / N_s
      {"SmallAreaLowGrayLevelEmphasis", "5RAI"},      // sum s / (i^2 j^2) / N_s
      {"SmallAreaHighGrayLevelEmphasis", "HW1V"},     // sum s i^2 / j^2 / N_s
      {"LargeAreaLowGrayLevelEmphasis", "YH51"},      // sum s j^2 / i^2 / N_s
      {"LargeAreaHighGrayLevelEmphasis", "J17V"},     // sum s i^2 j^2 / N_s
      {"GrayLevelNonUniformity", "JNSA"},             // sum_i s_i.^2 / N_s
      {"GrayLevelNonUniformityNormalized", "Y1RO"},   // sum_i s_i.^2 / N_s^2
      {"SizeZoneNonUniformity", "4JP3"},              // sum_j s_.j^2 / N_s
      {"SizeZoneNonUniformityNormalized", "VB3A"},    // sum_j s_.j^2 / N_s^2
      {"ZonePercentage", "P30P"},                     // N_s / N_v
      {"GrayLevelVariance", "BYLV"},                  // sum (i - mu)^2 p
      {"ZoneVariance", "3NSA"},                       // sum (j - mu)^2 p
      {"ZoneEntropy", "GU8N"},                        // -sum p log2 p
      {"", ""}};
  emit(out, agg, names, "no zones in the ROI");
}

}  // namespace gliolens::radiomics
