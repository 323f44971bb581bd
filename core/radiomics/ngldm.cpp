// Neighbouring grey level dependence matrix features (IBSI 1, section 3.11) = PyRadiomics "gldm"
// with alpha 0 and distance 1. Dependence j = 1 + number of neighbours (Chebyshev 1) in the ROI with
// the same grey level.
#include "core/radiomics/texture.hpp"

namespace gliolens::radiomics {
namespace {

TexMat dependence(const RoiImage& roi, int slice) {
  TexMat t;
  t.m = Eigen::MatrixXd::Zero(roi.ng, slice < 0 ? 27 : 9);
  const std::vector<std::ptrdiff_t> nb = roi.neighbour_offsets(slice < 0);  // all in the box (interior voxels)
  const int* lv = roi.levels.data();
  roi.for_each_level_voxel(slice, [&](std::size_t n, int a) {
    int cnt = 0;
    for (const std::ptrdiff_t o : nb) cnt += lv[n + o] == a;
    t.m(a - 1, cnt) += 1;
    t.nv += 1;
  });
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
