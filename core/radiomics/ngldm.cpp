// Neighbouring grey level dependence matrix features (IBSI 1, section 3.11) = PyRadiomics "gldm"
// with alpha 0 and distance 1. Dependence j = 1 + number of neighbours (Chebyshev 1) in the ROI with
// the same grey level.
#include "core/radiomics/texture.hpp"

namespace gliolens::radiomics {
namespace {

TexMat dependence(const RoiImage& roi, int slice) {
  TexMat t;
  t.m = Eigen::MatrixXd::Zero(roi.ng, slice < 0 ? 27 : 9);
  // interior voxels only (the masks never touch the box's faces): every neighbour is in the box
  const int k0 = slice < 0 ? 1 : slice, k1 = slice < 0 ? roi.dims[2] - 1 : slice + 1;
  const std::vector<std::ptrdiff_t> nb = roi.neighbour_offsets(slice < 0);
  const int* lv = roi.levels.data();
  for (int k = k0; k < k1; ++k)
    for (int j = 1; j < roi.dims[1] - 1; ++j) {
      const std::size_t row = roi.idx(0, j, k);
      for (int i = 1; i < roi.dims[0] - 1; ++i) {
        const std::size_t n = row + static_cast<std::size_t>(i);
        const int a = lv[n];
        if (a == 0) continue;
        int cnt = 0;
        for (const std::ptrdiff_t o : nb) cnt += lv[n + o] == a;
        t.m(a - 1, cnt) += 1;
        t.nv += 1;
      }
    }
  return t;
}

}  // namespace

void ngldm_features(const RoiImage& roi, const Settings& s, FeatureSink& out) {
  const bool py = s.mode == Mode::pyradiomics;
  const auto agg = aggregate_slices(
      roi, texture_plan(s), [&](int slice, const std::array<int, 3>&) { return dependence(roi, slice); },
      size_zone_vector, 17);
  const std::vector<NamedTag> names{
      {"SmallDependenceEmphasis", "SODN"},                 // sum s / j^2 / N_s (low dependence emphasis)
      {"LargeDependenceEmphasis", "IMOQ"},                 // sum s j^2 / N_s
      {"LowGrayLevelEmphasis", "TL9H"},                    // sum s / i^2 / N_s
      {"HighGrayLevelEmphasis", "OAE7"},                   // sum s i^2 / N_s
      {"SmallDependenceLowGrayLevelEmphasis", "EQ3F"},     // sum s / (i^2 j^2) / N_s
      {"SmallDependenceHighGrayLevelEmphasis", "JA6D"},    // sum s i^2 / j^2 / N_s
      {"LargeDependenceLowGrayLevelEmphasis", "NBZI"},     // sum s j^2 / i^2 / N_s
      {"LargeDependenceHighGrayLevelEmphasis", "9QMG"},    // sum s i^2 j^2 / N_s
      {"GrayLevelNonUniformity", "FP8K"},                  // sum_i s_i.^2 / N_s
      {py ? "" : "GrayLevelNonUniformityNormalized", "5SPA"},  // sum_i s_i.^2 / N_s^2
      {"DependenceNonUniformity", "Z87G"},                 // sum_j s_.j^2 / N_s
      {"DependenceNonUniformityNormalized", "OKJI"},       // sum_j s_.j^2 / N_s^2
      {py ? "" : "DependencePercentage", "6XV8"},          // N_s / N_v
      {"GrayLevelVariance", "1PFV"},                       // sum (i - mu)^2 p
      {"DependenceVariance", "DNX2"},                      // sum (j - mu)^2 p
      {"DependenceEntropy", "FCBV"},                       // -sum p log2 p
      {py ? "" : "DependenceEnergy", "CAS9"}};             // sum p^2
  emit(out, agg, names, "no voxels in the ROI");
}

}  // namespace gliolens::radiomics
