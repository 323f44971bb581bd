// Neighbourhood grey tone difference matrix features (IBSI 1, section 3.10; PyRadiomics "ngtdm").
// Neighbourhood: Chebyshev distance 1 (8 in-plane for 2-D, 26 for 3-D), neighbours inside the ROI only.
// A voxel without a neighbour in the ROI: IBSI leaves it out (its neighbourhood mean is undefined, so it is not
// in N_v,c); PyRadiomics counts it in n_i with a zero difference, and PyRadiomics mode follows PyRadiomics.
#include "core/radiomics/texture.hpp"

namespace gliolens::radiomics {
namespace {

// m(i, 0) = n_i (voxels of level i with neighbours; also those without when count_isolated),
// m(i, 1) = s_i = sum |i - mean of neighbours|.
TexMat ngtdm_matrix(const RoiImage& roi, int slice, bool count_isolated) {
  TexMat t;
  t.m = Eigen::MatrixXd::Zero(roi.ng, 2);
  const std::vector<std::ptrdiff_t> nb = roi.neighbour_offsets(slice < 0);  // all in the box (interior voxels)
  const int* lv = roi.levels.data();
  roi.for_each_level_voxel(slice, [&](std::size_t n, int a) {
    int sum = 0, cnt = 0;  // integers: exact whatever the order
    for (const std::ptrdiff_t o : nb) {
      const int l = lv[n + o];
      sum += l;
      cnt += l != 0;
    }
    if (cnt == 0 && !count_isolated) return;
    t.m(a - 1, 0) += 1;
    if (cnt != 0) t.m(a - 1, 1) += std::abs(a - static_cast<double>(sum) / cnt);
    t.nv += 1;
  });
  return t;
}

FeatureVector ngtdm_vector(const TexMat& t, bool py) {
  const double nvc = t.m.col(0).sum();
  const Eigen::Index n = t.m.rows();
  std::vector<double> p(static_cast<std::size_t>(n)), s(static_cast<std::size_t>(n));
  double psum = 0, ssum = 0, ngp = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    p[i] = t.m(i, 0) / nvc;
    s[i] = t.m(i, 1);
    psum += p[i] * s[i];
    ssum += s[i];
    if (p[i] > 0) ngp += 1;
  }
  double contrast = 0, busy_den = 0, complexity = 0, strength = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (p[i] == 0) continue;
    for (Eigen::Index j = 0; j < n; ++j) {
      if (p[j] == 0) continue;
      const double gi = static_cast<double>(i + 1), gj = static_cast<double>(j + 1);
      contrast += p[i] * p[j] * sq(gi - gj);
      busy_den += std::abs(gi * p[i] - gj * p[j]);
      complexity += std::abs(gi - gj) * (p[i] * s[i] + p[j] * s[j]) / (p[i] + p[j]);
      strength += (p[i] + p[j]) * sq(gi - gj);
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  FeatureVector f(5);
  f[0] = psum > 0 ? 1.0 / psum : (py ? 1e6 : nan);                                  // 1 / sum p_i s_i
  f[1] = ngp > 1 ? contrast / (ngp * (ngp - 1)) * ssum / nvc : 0.0;                 // contrast
  f[2] = busy_den > 0 ? psum / busy_den : 0.0;                                        // busyness
  f[3] = complexity / nvc;                                                            // complexity
  f[4] = ssum > 0 ? strength / ssum : 0.0;                                            // strength
  return f;
}

}  // namespace

void ngtdm_features(const RoiImage& roi, const Settings& s, FeatureSink& out) {
  const bool py = s.mode == Mode::pyradiomics;
  const auto agg = aggregate_slices(
      roi, texture_plan(s), [&](int slice, const std::array<int, 3>&) { return ngtdm_matrix(roi, slice, py); },
      [&](const TexMat& t) { return ngtdm_vector(t, py); }, 5);
  const std::vector<NamedTag> names{
      {"Coarseness", "QCDE"},  // 1 / sum p_i s_i
      {"Contrast", "65HE"},    // [sum p_i p_j (i-j)^2 / (Ng_p (Ng_p - 1))] [sum s_i / N_vc]
      {"Busyness", "NQ30"},    // sum p_i s_i / sum |i p_i - j p_j|
      {"Complexity", "HDEZ"},  // sum |i-j| (p_i s_i + p_j s_j) / (p_i + p_j) / N_vc
      {"Strength", "1X9X"}};   // sum (p_i + p_j)(i-j)^2 / sum s_i
  emit(out, agg, names, "coarseness is undefined when every voxel equals its neighbourhood mean");
}

}  // namespace gliolens::radiomics
