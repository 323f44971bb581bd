// Grey level run length matrix features (IBSI 1, section 3.7; PyRadiomics "glrlm").
#include "core/radiomics/texture.hpp"

namespace gliolens::radiomics {
namespace {

TexMat runs(const RoiImage& roi, int slice, const std::array<int, 3>& d) {
  TexMat t;
  const int maxlen = std::max({roi.dims[0], roi.dims[1], roi.dims[2]});
  t.m = Eigen::MatrixXd::Zero(roi.ng, maxlen);
  const std::ptrdiff_t off = roi.offset(d[0], d[1], d[2]);  // a run ends at the latest on a face (level 0)
  const int* lv = roi.levels.data();
  roi.for_each_level_voxel(slice, [&](std::size_t n, int a) {
    t.nv += 1;
    // start of a run: the previous voxel along d differs
    if (lv[n - off] == a) return;
    int len = 1;
    for (std::size_t m = n + off; lv[m] == a; m += off) ++len;
    t.m(a - 1, len - 1) += 1;
  });
  return t;
}

}  // namespace

void glrlm_features(const RoiImage& roi, const Settings& s, FeatureSink& out) {
  const auto agg = aggregate_directional(
      roi, texture_plan(s), [&](int slice, const std::array<int, 3>& d) { return runs(roi, slice, d); },
      size_zone_vector, 17);
  // order: se, le, lge, hge, slge, shge, llge, lhge, glnu, glnun, snu, snun, perc, glv, sv, entropy, energy
  const std::vector<NamedTag> names{
      {"ShortRunEmphasis", "22OV"},                  // sum r / j^2 / N_s
      {"LongRunEmphasis", "W4KF"},                   // sum r j^2 / N_s
      {"LowGrayLevelRunEmphasis", "V3SW"},           // sum r / i^2 / N_s
      {"HighGrayLevelRunEmphasis", "G3QZ"},          // sum r i^2 / N_s
      {"ShortRunLowGrayLevelEmphasis", "HTZT"},      // sum r / (i^2 j^2) / N_s
      {"ShortRunHighGrayLevelEmphasis", "GD3A"},     // sum r i^2 / j^2 / N_s
      {"LongRunLowGrayLevelEmphasis", "IVPO"},       // sum r j^2 / i^2 / N_s
      {"LongRunHighGrayLevelEmphasis", "3KUM"},      // sum r i^2 j^2 / N_s
      {"GrayLevelNonUniformity", "R5YN"},            // sum_i r_i.^2 / N_s
      {"GrayLevelNonUniformityNormalized", "OVBL"},  // sum_i r_i.^2 / N_s^2
      {"RunLengthNonUniformity", "W92Y"},            // sum_j r_.j^2 / N_s
      {"RunLengthNonUniformityNormalized", "IC23"},  // sum_j r_.j^2 / N_s^2
      {"RunPercentage", "9ZK5"},                     // N_s / N_v
      {"GrayLevelVariance", "8CE5"},                 // sum (i - mu)^2 p
      {"RunVariance", "SXLW"},                       // sum (j - mu)^2 p
      {"RunEntropy", "HJ9O"},                        // -sum p log2 p
      {"", ""}};
  emit(out, agg, names, "no runs in the ROI");
}

}  // namespace gliolens::radiomics
