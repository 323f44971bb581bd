// Grey level co-occurrence matrix features (IBSI 1, section 3.6; PyRadiomics "glcm").
// Symmetric matrices at distance 1 (Chebyshev); each over the grey levels that pair in it (1..Ng).
#include "core/radiomics/texture.hpp"

#include <algorithm>
#include <span>
#include <vector>

namespace gliolens::radiomics {
namespace {

// The grey levels that occur in the ROI, in increasing order, and each level's row in the matrices (-1: absent):
// matrices are sized by the occupied levels, not by the range (a fixed bin width on raw MR gives ~1,000 levels
// of which many are empty). Dropping the empty rows changes no feature: their probabilities are exact zeros
// (PyRadiomics drops them too).
struct OccupiedLevels {
  std::vector<int> level;  // level[r]: grey level of row r
  std::vector<int> row;    // row[l]: row of grey level l (index 0 unused)
};

OccupiedLevels occupied_levels(const RoiImage& roi) {
  OccupiedLevels o;
  o.row.assign(static_cast<std::size_t>(roi.ng) + 1, -1);
  for (const int l : roi.levels)
    if (l > 0) o.row[static_cast<std::size_t>(l)] = 0;
  for (int l = 1; l <= roi.ng; ++l)
    if (o.row[static_cast<std::size_t>(l)] == 0) {
      o.row[static_cast<std::size_t>(l)] = static_cast<int>(o.level.size());
      o.level.push_back(l);
    }
  return o;
}

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

// The eigenvectors of M = D^-1/2 P D^-1/2 (P symmetric, d its row sums) for the eigenvalues +-1, exactly: M has
// eigenvalue 1 once per connected component of P's graph (vector sqrt(d) on the component) and -1 once per
// bipartite component (sqrt(d) with the sign of the side). Columns are unit vectors.
Eigen::MatrixXd unit_modulus_eigenvectors(const Eigen::MatrixXd& pp, const Eigen::VectorXd& d) {
  const Eigen::Index m = pp.rows();
  std::vector<int> component(static_cast<std::size_t>(m), -1), side(static_cast<std::size_t>(m), 0);
  std::vector<bool> bipartite;
  for (Eigen::Index s = 0; s < m; ++s) {
    if (component[s] >= 0) continue;
    const int c = static_cast<int>(bipartite.size());
    bipartite.push_back(true);
    std::vector<Eigen::Index> queue{s};
    component[s] = c;
    for (std::size_t q = 0; q < queue.size(); ++q) {
      const Eigen::Index i = queue[q];
      for (Eigen::Index j = 0; j < m; ++j) {
        if (pp(i, j) == 0) continue;
        if (component[j] < 0) {
          component[j] = c;
          side[j] = 1 - side[i];
          queue.push_back(j);
        } else if (side[j] == side[i]) {
          bipartite[c] = false;  // an odd cycle (a self pair included)
        }
      }
    }
  }
  std::vector<Eigen::VectorXd> columns;
  for (int c = 0; c < static_cast<int>(bipartite.size()); ++c)
    for (const bool alternate : {false, true}) {
      if (alternate && !bipartite[c]) continue;
      Eigen::VectorXd v = Eigen::VectorXd::Zero(m);
      for (Eigen::Index i = 0; i < m; ++i)
        if (component[i] == c) v[i] = std::sqrt(d[i]) * (alternate && side[i] ? -1.0 : 1.0);
      columns.push_back(v.normalized());
    }
  Eigen::MatrixXd out(m, static_cast<Eigen::Index>(columns.size()));
  for (std::size_t k = 0; k < columns.size(); ++k) out.col(static_cast<Eigen::Index>(k)) = columns[k];
  return out;
}

// Maximal correlation coefficient: sqrt of the second largest eigenvalue of
// Q(i, j) = sum_k p(i, k) p(j, k) / (px(i) py(k) + eps) over the levels with px, py > 0 (a level that has no pair
// along this direction has a zero row and column in Q: only an extra zero eigenvalue). eps = 0 is the definition;
// PyRadiomics adds eps = 2.2e-16 (numpy.spacing(1)) to the denominator, which moves MCC by up to ~2e-5 where rare
// grey levels make px(i) py(k) ~1e-13 (hundreds of levels), so PyRadiomics mode passes that eps.
double maximal_correlation_coefficient(const Eigen::MatrixXd& p, const Eigen::VectorXd& px, const Eigen::VectorXd& py,
                                       double eps) {
  std::vector<Eigen::Index> present;
  for (Eigen::Index i = 0; i < px.size(); ++i)
    if (px[i] > 0) present.push_back(i);
  const auto m = static_cast<Eigen::Index>(present.size());
  if (m < 2) return 1.0;
  const Eigen::MatrixXd pp = p(present, present);
  std::vector<double> ev;
  if (pp == pp.transpose()) {
    // Symmetric matrix (px = py = d): Q = D^-1 P D^-1 P is similar to S = M^2 with M = D^-1/2 P D^-1/2
    // symmetric (Q = D^-1/2 S D^1/2), so Q's eigenvalues are the squares of M's, from a symmetric solver.
    const Eigen::VectorXd d = px(present);
    const Eigen::VectorXd r = d.cwiseSqrt().cwiseInverse();
    const Eigen::MatrixXd mm = r.asDiagonal() * pp * r.asDiagonal();
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(mm, Eigen::EigenvaluesOnly);
    for (Eigen::Index i = 0; i < m; ++i) ev.push_back(sq(es.eigenvalues()[i]));
    const Eigen::MatrixXd v = eps > 0 ? unit_modulus_eigenvectors(pp, d) : Eigen::MatrixXd();
    if (v.cols() >= 2) {
      // PyRadiomics' eps: Q_eps = Q - E, E = (P o W) P^T with W(i, k) = eps / (a (a + eps)), a = d(i) d(k) (exact:
      // 1/(a + eps) = 1/a - eps/(a (a + eps))). E is tiny (W(i, k) <= eps / p(i, k)^2 where p(i, k) > 0) but splits
      // an eigenvalue 1 that is repeated (a GLCM with several connected components, or a bipartite one): the
      // second largest is then one of the split values, by quasi-degenerate first order on Q's left and right
      // eigenvectors X = D^-1/2 V, Y = D^1/2 V (Y^T X = I): eigenvalues of I - Y^T E X. Against numpy.linalg.eigvals
      // of PyRadiomics' Q (801 levels, 13 directions): 5e-15; where 1 is simple, eps moves MCC by ~1e-8 relative.
      std::sort(ev.begin(), ev.end());
      ev.resize(ev.size() - static_cast<std::size_t>(v.cols()));  // the solver's copies of the repeated 1
      Eigen::MatrixXd pw = Eigen::MatrixXd::Zero(m, m);
      for (Eigen::Index k = 0; k < m; ++k)
        for (Eigen::Index i = 0; i < m; ++i)
          if (pp(i, k) != 0) {
            const double a = d[i] * d[k];
            pw(i, k) = pp(i, k) * (eps / (a * (a + eps)));
          }
      const Eigen::MatrixXd x = r.asDiagonal() * v;
      const Eigen::MatrixXd y = d.cwiseSqrt().asDiagonal() * v;
      const Eigen::MatrixXd projected =
          Eigen::MatrixXd::Identity(v.cols(), v.cols()) - y.transpose() * (pw * (pp.transpose() * x));
      const Eigen::EigenSolver<Eigen::MatrixXd> split(projected, false);
      for (Eigen::Index i = 0; i < split.eigenvalues().size(); ++i) ev.push_back(split.eigenvalues()[i].real());
    }
  } else {
    Eigen::MatrixXd w = Eigen::MatrixXd::Zero(m, m);  // 1 / (px(i) py(k) + eps); 0 where py(k) = 0 (adds nothing)
    for (Eigen::Index k = 0; k < m; ++k)
      if (py[present[k]] > 0)
        for (Eigen::Index i = 0; i < m; ++i) w(i, k) = 1 / (px[present[i]] * py[present[k]] + eps);
    const Eigen::MatrixXd q = pp.cwiseProduct(w) * pp.transpose();
    const Eigen::EigenSolver<Eigen::MatrixXd> es(q, false);
    for (Eigen::Index i = 0; i < m; ++i) ev.push_back(es.eigenvalues()[i].real());
  }
  std::sort(ev.begin(), ev.end());
  return std::sqrt(std::max(0.0, ev[ev.size() - 2]));
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
  const Eigen::MatrixXd p = p_roi(rows, rows);
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
      psum[static_cast<std::size_t>(gi + gj)] += v;
      hxy1 -= v * std::log2(pxy);
    }
  }
  hxy = f[kJointEnt];
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
