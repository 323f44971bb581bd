// Grey level co-occurrence matrix features (IBSI 1, section 3.6; PyRadiomics "glcm").
// Symmetric matrices at distance 1 (Chebyshev); each over the grey levels that pair in it (1..Ng).
#include "core/radiomics/maximal_correlation.hpp"
#include "core/radiomics/texture.hpp"

#include <algorithm>
#include <span>
#include <vector>

namespace gliolens::radiomics {
namespace {

// The matrix of one slice (or the volume) along d, over the occupied levels that pair along d there (t.index):
// a slice holds few of the ROI's levels, and a dense matrix per slice and direction made the cost and memory
// follow the ROI's levels rather than the slice's. The rows left out are exact zeros.
TexMat cooccurrence(const RoiImage& roi, const OccupiedLevels& occ, int slice, const std::array<int, 3>& d) {
  const std::ptrdiff_t off = roi.offset(d[0], d[1], d[2]);  // the neighbour is in the box (interior voxels)
  const int* lv = roi.levels.data();
  const int* row = occ.row.data();
  std::vector<int> local(occ.level.size(), -1);  // local[r]: row of occupied row r in t.m (-1: no pair here)
  roi.for_each_level_voxel(slice, [&](std::size_t n, int a) {
    const int b = lv[n + off];
    if (b == 0) return;
    local[static_cast<std::size_t>(row[a])] = 0;
    local[static_cast<std::size_t>(row[b])] = 0;
  });
  TexMat t;
  for (std::size_t r = 0; r < local.size(); ++r)
    if (local[r] == 0) {
      local[r] = static_cast<int>(t.index.size());
      t.index.push_back(static_cast<int>(r));
    }
  const auto m = static_cast<Eigen::Index>(t.index.size());
  t.m = Eigen::MatrixXd::Zero(m, m);
  roi.for_each_level_voxel(slice, [&](std::size_t n, int a) {
    t.nv += 1;
    const int b = lv[n + off];
    if (b == 0) return;
    const int i = local[static_cast<std::size_t>(row[a])], j = local[static_cast<std::size_t>(row[b])];
    t.m(i, j) += 1;
    t.m(j, i) += 1;
  });
  return t;
}

enum Glcm {
  kJointMax, kJointAvg, kJointVar, kJointEnt, kDiffAvg, kDiffVar, kDiffEnt, kSumAvg, kSumVar, kSumEnt, kEnergy,
  kContrast, kDissim, kId, kIdn, kIdm, kIdmn, kInvVar, kCorr, kAutocorr, kClusterTend, kClusterShade, kClusterProm,
  kImc1, kImc2, kMcc, kCount
};

FeatureVector glcm_vector(const TexMat& t, std::span<const int> occupied_level, int ng_norm, bool py) {
  const Eigen::MatrixXd p_roi = t.m / t.m.sum();
  const Eigen::VectorXd px_roi = p_roi.rowwise().sum(), py_roi = p_roi.colwise().sum().transpose();
  // The loops below run over the levels this matrix holds; rows of exact zeros, if any, are left out (no sum changes).
  std::vector<Eigen::Index> rows;
  std::vector<int> row_level;
  for (Eigen::Index i = 0; i < p_roi.rows(); ++i)
    if (px_roi[i] > 0 || py_roi[i] > 0) {
      rows.push_back(i);
      row_level.push_back(occupied_level[static_cast<std::size_t>(t.index[static_cast<std::size_t>(i)])]);
    }
  const bool every_row = static_cast<Eigen::Index>(rows.size()) == p_roi.rows();  // the usual case: no copy
  const Eigen::MatrixXd p_subset = every_row ? Eigen::MatrixXd() : Eigen::MatrixXd(p_roi(rows, rows));
  const Eigen::MatrixXd& p = every_row ? p_roi : p_subset;
  const Eigen::VectorXd px = px_roi(rows), py_ = py_roi(rows);
  const Eigen::Index n = p.rows();
  FeatureVector f(kCount, 0.0);
  const auto g = [&](Eigen::Index i) { return static_cast<double>(row_level[static_cast<std::size_t>(i)]); };
  double mux = 0, muy = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    mux += g(i) * px[i];
    muy += g(i) * py_[i];
  }
  double sx = 0, sy = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    sx += sq(g(i) - mux) * px[i];
    sy += sq(g(i) - muy) * py_[i];
  }
  std::vector<double> pdiff(static_cast<std::size_t>(ng_norm), 0.0), psum(static_cast<std::size_t>(2 * ng_norm + 1), 0.0);
  double hx = 0, hy = 0, hxy = 0, hxy1 = 0, hxy2 = 0;
  const double N = ng_norm;
  for (Eigen::Index i = 0; i < n; ++i) {
    hx -= px[i] > 0 ? px[i] * std::log2(px[i]) : 0;
    hy -= py_[i] > 0 ? py_[i] * std::log2(py_[i]) : 0;
    for (Eigen::Index j = 0; j < n; ++j) {
      const double v = p(i, j);
      const double gi = g(i), gj = g(j);
      if (v == 0) continue;
      const double pxy = px[i] * py_[j];
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
      psum[static_cast<std::size_t>(gi + gj)] += v;
      hxy1 -= v * std::log2(pxy);
    }
  }
  hxy = f[kJointEnt];
  // HXY2 = -sum_ij px(i) py(j) log2(px(i) py(j)) = HX sum(py) + HY sum(px): one pass over the levels, not their
  // square (the sums are 1 up to rounding; terms with px(i) py(j) = 0 add nothing to either form).
  hxy2 = hx * py_.sum() + hy * px.sum();
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) f[kJointVar] += sq(g(i) - f[kJointAvg]) * p(i, j);
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
  f[kMcc] = maximal_correlation_coefficient(p, px, py_, py ? std::numeric_limits<double>::epsilon() : 0.0);
  return f;
}

}  // namespace

void glcm_features(const RoiImage& roi, const Settings& s, FeatureSink& out) {
  const bool py = s.mode == Mode::pyradiomics;
  const OccupiedLevels occ = occupied_levels(roi);
  const auto agg = aggregate_directional(
      roi, texture_plan(s), [&](int slice, const std::array<int, 3>& d) { return cooccurrence(roi, occ, slice, d); },
      [&](const TexMat& t) { return glcm_vector(t, occ.level, roi.ng, py); }, kCount);
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
