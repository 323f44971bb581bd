// Grey level co-occurrence matrix features (IBSI 1, section 3.6; PyRadiomics "glcm").
// Symmetric matrices at distance 1 (Chebyshev); i, j are grey levels 1..Ng.
#include "core/radiomics/texture.hpp"

#include <algorithm>

namespace gliolens::radiomics {
namespace {

TexMat cooccurrence(const RoiImage& roi, int slice, const std::array<int, 3>& d) {
  TexMat t;
  t.m = Eigen::MatrixXd::Zero(roi.ng, roi.ng);
  const std::ptrdiff_t off = roi.offset(d[0], d[1], d[2]);  // the neighbour is in the box (interior voxels)
  const int* lv = roi.levels.data();
  roi.for_each_level_voxel(slice, [&](std::size_t n, int a) {
    t.nv += 1;
    const int b = lv[n + off];
    if (b == 0) return;
    t.m(a - 1, b - 1) += 1;
    t.m(b - 1, a - 1) += 1;
  });
  return t;
}

enum Glcm {
  kJointMax, kJointAvg, kJointVar, kJointEnt, kDiffAvg, kDiffVar, kDiffEnt, kSumAvg, kSumVar, kSumEnt, kEnergy,
  kContrast, kDissim, kId, kIdn, kIdm, kIdmn, kInvVar, kCorr, kAutocorr, kClusterTend, kClusterShade, kClusterProm,
  kImc1, kImc2, kMcc, kCount
};

FeatureVector glcm_vector(const TexMat& t, int ng_norm, bool py) {
  const Eigen::MatrixXd p = t.m / t.m.sum();
  const Eigen::Index n = p.rows();
  const Eigen::VectorXd px = p.rowwise().sum(), py_ = p.colwise().sum().transpose();
  FeatureVector f(kCount, 0.0);
  double mux = 0, muy = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    mux += (i + 1) * px[i];
    muy += (i + 1) * py_[i];
  }
  double sx = 0, sy = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    sx += sq(i + 1 - mux) * px[i];
    sy += sq(i + 1 - muy) * py_[i];
  }
  std::vector<double> pdiff(static_cast<std::size_t>(n), 0.0), psum(static_cast<std::size_t>(2 * n + 1), 0.0);
  double hx = 0, hy = 0, hxy = 0, hxy1 = 0, hxy2 = 0;
  const double N = ng_norm;
  for (Eigen::Index i = 0; i < n; ++i) {
    hx -= px[i] > 0 ? px[i] * std::log2(px[i]) : 0;
    hy -= py_[i] > 0 ? py_[i] * std::log2(py_[i]) : 0;
    for (Eigen::Index j = 0; j < n; ++j) {
      const double v = p(i, j);
      const double gi = static_cast<double>(i + 1), gj = static_cast<double>(j + 1);
      const double pxy = px[i] * py_[j];
      if (pxy > 0) hxy2 -= pxy * std::log2(pxy);
      if (v == 0) continue;
      const double k = std::abs(gi - gj);
      f[kJointMax] = std::max(f[kJointMax], v);
      f[kJointAvg] += gi * v;
      f[kJointEnt] -= v * std::log2(v);
      f[kEnergy] += v * v;
      f[kContrast] += k * k * v;
      f[kDissim] += k * v;
      f[kId] += v / (1 + k);
      f[kIdn] += v / (1 + k / N);
      f[kIdm] += v / (1 + k * k);
      f[kIdmn] += v / (1 + k * k / (N * N));
      if (k > 0) f[kInvVar] += v / (k * k);
      f[kAutocorr] += gi * gj * v;
      const double c = gi + gj - mux - muy;
      f[kClusterTend] += c * c * v;
      f[kClusterShade] += c * c * c * v;
      f[kClusterProm] += c * c * c * c * v;
      pdiff[static_cast<std::size_t>(k)] += v;
      psum[static_cast<std::size_t>(i + j + 2)] += v;
      hxy1 -= v * std::log2(pxy);
    }
  }
  hxy = f[kJointEnt];
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) f[kJointVar] += sq(i + 1 - f[kJointAvg]) * p(i, j);
  for (std::size_t k = 0; k < pdiff.size(); ++k) {
    f[kDiffAvg] += k * pdiff[k];
    if (pdiff[k] > 0) f[kDiffEnt] -= pdiff[k] * std::log2(pdiff[k]);
  }
  for (std::size_t k = 0; k < pdiff.size(); ++k) f[kDiffVar] += sq(k - f[kDiffAvg]) * pdiff[k];
  for (std::size_t k = 2; k < psum.size(); ++k) {
    f[kSumAvg] += k * psum[k];
    if (psum[k] > 0) f[kSumEnt] -= psum[k] * std::log2(psum[k]);
  }
  for (std::size_t k = 2; k < psum.size(); ++k) f[kSumVar] += sq(k - f[kSumAvg]) * psum[k];
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double sxy = std::sqrt(sx * sy);
  f[kCorr] = sxy > 0 ? (f[kAutocorr] - mux * muy) / sxy : (py ? 1.0 : nan);
  const double hmax = std::max(hx, hy);
  f[kImc1] = hmax > 0 ? (hxy - hxy1) / hmax : (py ? 0.0 : nan);
  f[kImc2] = std::sqrt(std::max(0.0, 1 - std::exp(-2 * (hxy2 - hxy))));
  // Maximal correlation coefficient: sqrt of the second largest eigenvalue of Q.
  std::vector<Eigen::Index> present;
  for (Eigen::Index i = 0; i < n; ++i)
    if (px[i] > 0) present.push_back(i);
  const auto m = static_cast<Eigen::Index>(present.size());
  if (m < 2) {
    f[kMcc] = 1.0;
  } else {
    Eigen::MatrixXd q = Eigen::MatrixXd::Zero(m, m);
    for (Eigen::Index a = 0; a < m; ++a)
      for (Eigen::Index b = 0; b < m; ++b) {
        double acc = 0;
        for (Eigen::Index c = 0; c < m; ++c) {
          const auto i = present[a], j = present[b], k = present[c];
          if (py_[k] > 0) acc += p(i, k) * p(j, k) / (px[i] * py_[k]);
        }
        q(a, b) = acc;
      }
    Eigen::EigenSolver<Eigen::MatrixXd> es(q, false);
    std::vector<double> ev;
    for (Eigen::Index i = 0; i < m; ++i) ev.push_back(es.eigenvalues()[i].real());
    std::sort(ev.begin(), ev.end());
    f[kMcc] = std::sqrt(std::max(0.0, ev[ev.size() - 2]));
  }
  return f;
}

}  // namespace

void glcm_features(const RoiImage& roi, const Settings& s, FeatureSink& out) {
  const bool py = s.mode == Mode::pyradiomics;
  const int ng = roi.ng;
  const auto agg = aggregate_directional(
      roi, texture_plan(s), [&](int slice, const std::array<int, 3>& d) { return cooccurrence(roi, slice, d); },
      [&](const TexMat& t) { return glcm_vector(t, ng, py); }, kCount);
  std::vector<NamedTag> names(kCount);
  names[kJointMax] = {"MaximumProbability", "GYBY"};    // max p(i,j)
  names[kJointAvg] = {"JointAverage", "60VM"};          // sum i p(i,j)
  names[kJointVar] = {"SumSquares", "UR99"};            // sum (i - mu)^2 p(i,j)
  names[kJointEnt] = {"JointEntropy", "TU9B"};          // -sum p log2 p
  names[kDiffAvg] = {"DifferenceAverage", "TF7R"};      // sum k p_{x-y}(k)
  names[kDiffVar] = {"DifferenceVariance", "D3YU"};     // sum (k - mu)^2 p_{x-y}(k)
  names[kDiffEnt] = {"DifferenceEntropy", "NTRS"};      // -sum p_{x-y} log2 p_{x-y}
  names[kSumAvg] = {"SumAverage", "ZGXS"};              // sum k p_{x+y}(k)
  names[kSumVar] = {py ? "" : "SumVariance", "OEEB"};   // sum (k - mu)^2 p_{x+y}(k)
  names[kSumEnt] = {"SumEntropy", "P6QZ"};              // -sum p_{x+y} log2 p_{x+y}
  names[kEnergy] = {"JointEnergy", "8ZQL"};             // sum p^2 (angular second moment)
  names[kContrast] = {"Contrast", "ACUI"};              // sum (i-j)^2 p
  names[kDissim] = {py ? "" : "Dissimilarity", "8S9J"}; // sum |i-j| p
  names[kId] = {"Id", "IB1Z"};                          // sum p / (1 + |i-j|)
  names[kIdn] = {"Idn", "NDRX"};                        // sum p / (1 + |i-j|/Ng)
  names[kIdm] = {"Idm", "WF0Z"};                        // sum p / (1 + (i-j)^2)
  names[kIdmn] = {"Idmn", "1QCO"};                      // sum p / (1 + (i-j)^2/Ng^2)
  names[kInvVar] = {"InverseVariance", "E8JP"};         // sum_{i!=j} p / (i-j)^2
  names[kCorr] = {"Correlation", "NI2N"};               // (sum ij p - mu_x mu_y) / (sigma_x sigma_y)
  names[kAutocorr] = {"Autocorrelation", "QWB0"};       // sum ij p
  names[kClusterTend] = {"ClusterTendency", "DG8W"};    // sum (i+j-mu_x-mu_y)^2 p
  names[kClusterShade] = {"ClusterShade", "7NFM"};      // sum (i+j-mu_x-mu_y)^3 p
  names[kClusterProm] = {"ClusterProminence", "AE86"};  // sum (i+j-mu_x-mu_y)^4 p
  names[kImc1] = {"Imc1", "R8DG"};                      // (HXY - HXY1) / max(HX, HY)
  names[kImc2] = {"Imc2", "JN9H"};                      // sqrt(1 - exp(-2 (HXY2 - HXY)))
  names[kMcc] = {"MCC", ""};                            // sqrt(second largest eigenvalue of Q)
  emit(out, agg, names, "no voxel pairs in the ROI (or constant intensities)");
}

}  // namespace gliolens::radiomics
