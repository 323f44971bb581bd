// MCC through the symmetric similarity Q ~ M^2, M = D^-1/2 P D^-1/2, whose eigenvalues +-1 are known exactly from P's
// graph, so only the largest of the rest is sought, by Lanczos: cost ~ (matrix-vector products) x (a few dozen)
// instead of a dense eigensolve's ~m^3 per matrix (801 levels x 13 directions: most of a whole extraction).
#include "core/radiomics/maximal_correlation.hpp"

#include <Eigen/SparseCore>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace gliolens::radiomics {
namespace {

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

// A start vector with no special structure (a fixed linear congruential sequence: the result must not vary between
// runs), so that it has a component along every eigenvector.
Eigen::VectorXd start_vector(Eigen::Index m) {
  Eigen::VectorXd v(m);
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  for (Eigen::Index i = 0; i < m; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    v[i] = static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5;
  }
  return v;
}

}  // namespace

EigenPair largest_magnitude_eigenpair_off(const Eigen::SparseMatrix<double>& a, const Eigen::MatrixXd& known) {
  const Eigen::Index m = a.rows();
  const Eigen::Index dim = m - known.cols();  // the complement's dimension
  if (dim <= 0) return {0.0, Eigen::VectorXd::Zero(m)};
  const auto project_out = [&](Eigen::VectorXd& w, const Eigen::MatrixXd& basis, Eigen::Index columns) {
    for (int pass = 0; pass < 2; ++pass)  // twice is enough (Kahan-Parlett)
      w.noalias() -= basis.leftCols(columns) * (basis.leftCols(columns).transpose() * w);
  };
  Eigen::MatrixXd q(m, std::min<Eigen::Index>(dim, 64));
  std::vector<double> alpha, beta;
  Eigen::VectorXd w = start_vector(m);
  project_out(w, known, known.cols());
  q.col(0) = w.normalized();
  EigenPair largest{0.0, Eigen::VectorXd()};
  for (Eigen::Index k = 0; k < dim; ++k) {
    w.noalias() = a * q.col(k);
    alpha.push_back(q.col(k).dot(w));
    project_out(w, known, known.cols());
    project_out(w, q, k + 1);
    const double b = w.norm();
    const bool last = b <= 1e-13 || k + 1 == dim;
    if (!last && (k + 1) % 8 != 0) {  // the convergence check costs a small eigensolve: every 8th step
      beta.push_back(b);
      if (k + 1 >= q.cols()) q.conservativeResize(Eigen::NoChange, std::min<Eigen::Index>(dim, 2 * q.cols()));
      q.col(k + 1) = w / b;
      continue;
    }
    // The Ritz values so far: eigenvalues of the tridiagonal T_k; the one of largest modulus and its residual
    // b * |last component of its eigenvector of T_k|.
    const auto n = static_cast<Eigen::Index>(alpha.size());
    Eigen::VectorXd diag = Eigen::Map<const Eigen::VectorXd>(alpha.data(), n);
    Eigen::VectorXd sub = Eigen::Map<const Eigen::VectorXd>(beta.data(), n - 1);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> t;
    t.computeFromTridiagonal(diag, sub, Eigen::ComputeEigenvectors);
    const Eigen::Index top = std::abs(t.eigenvalues()[0]) > std::abs(t.eigenvalues()[n - 1]) ? 0 : n - 1;
    const double residual = b * std::abs(t.eigenvectors()(n - 1, top));
    // Converged, or the Krylov space is invariant (its Ritz values are eigenvalues; a start vector with a component
    // along every eigenvector makes it the whole complement), or the complement is exhausted.
    if (residual <= 1e-13 || last) {
      largest = {t.eigenvalues()[top], q.leftCols(n) * t.eigenvectors().col(top)};
      break;
    }
    beta.push_back(b);
    if (k + 1 >= q.cols()) q.conservativeResize(Eigen::NoChange, std::min<Eigen::Index>(dim, 2 * q.cols()));
    q.col(k + 1) = w / b;
  }
  return largest;
}

double maximal_correlation_coefficient(const Eigen::MatrixXd& p, const Eigen::VectorXd& px, const Eigen::VectorXd& py,
                                       double eps) {
  std::vector<Eigen::Index> present;
  for (Eigen::Index i = 0; i < px.size(); ++i)
    if (px[i] > 0) present.push_back(i);
  const auto m = static_cast<Eigen::Index>(present.size());
  if (m < 2) return 1.0;
  // Every level of a GLCM built over the levels that pair in it is present: no copy then (matrices of ~5 MB each).
  const bool all_present = m == px.size();
  const Eigen::MatrixXd pp_subset = all_present ? Eigen::MatrixXd() : Eigen::MatrixXd(p(present, present));
  const Eigen::MatrixXd& pp = all_present ? p : pp_subset;
  std::vector<double> ev;
  if (pp == pp.transpose()) {
    // Symmetric matrix (px = py = d): Q = D^-1 P D^-1 P is similar to S = M^2 with M = D^-1/2 P D^-1/2
    // symmetric (Q = D^-1/2 S D^1/2), so Q's eigenvalues are the squares of M's. M's eigenvalues +-1 and their
    // eigenvectors V come from P's graph; the second largest of Q is 1 where V has two columns or more (or, with
    // eps, one of the values eps splits that 1 into), else the square of M's largest |eigenvalue| off V.
    const Eigen::VectorXd d = px(present);
    const Eigen::VectorXd r = d.cwiseSqrt().cwiseInverse();
    // M is as sparse as the GLCM (neighbouring voxels have close levels): Lanczos multiplies by it a few dozen times.
    // With eps, E's sparse factor P o W (below) has the same pattern.
    std::vector<Eigen::Triplet<double>> m_entries, pw_entries;
    for (Eigen::Index k = 0; k < m; ++k)
      for (Eigen::Index i = 0; i < m; ++i)
        if (pp(i, k) != 0) {
          m_entries.emplace_back(i, k, r[i] * pp(i, k) * r[k]);
          if (eps > 0) {
            const double a = d[i] * d[k];
            pw_entries.emplace_back(i, k, pp(i, k) * (eps / (a * (a + eps))));
          }
        }
    Eigen::SparseMatrix<double> mm(m, m), pw(m, m);
    mm.setFromTriplets(m_entries.begin(), m_entries.end());
    pw.setFromTriplets(pw_entries.begin(), pw_entries.end());
    // PyRadiomics' eps: Q_eps = Q - E, E = (P o W) P^T with W(i, k) = eps / (a (a + eps)), a = d(i) d(k) (exact:
    // 1/(a + eps) = 1/a - eps/(a (a + eps))). W(i, k) <= eps / p(i, k)^2 where p(i, k) > 0, so E is not small where
    // rare levels pair (hundreds of levels: MCC moves by up to ~1e-5). It moves an eigenvalue by first order on Q's
    // left and right eigenvectors X = D^-1/2 U, Y = D^1/2 U (U: M's; Y^T X = I): by the eigenvalues of -Y^T E X.
    const auto shift = [&](const Eigen::MatrixXd& u) -> Eigen::MatrixXd {
      const Eigen::MatrixXd x = r.asDiagonal() * u;
      const Eigen::MatrixXd y = d.cwiseSqrt().asDiagonal() * u;
      return -(y.transpose() * (pw * (pp.transpose() * x)));
    };
    const Eigen::MatrixXd v = unit_modulus_eigenvectors(pp, d);
    const EigenPair rest = largest_magnitude_eigenpair_off(mm, v);
    const bool one_is_simple = v.cols() < 2;
    // The eigenvalue 1 stays the largest; the second is M's largest |eigenvalue| off V, squared and shifted, where 1
    // is simple; where it is repeated (a GLCM with several connected components, or a bipartite one), it is 1, or
    // with eps one of the values 1 splits into (quasi-degenerate first order over V: eigenvalues of I - Y^T E X).
    // Against numpy.linalg.eigvals of PyRadiomics' Q (801 levels, 13 directions): 5e-15.
    ev.push_back(rest.value * rest.value + (eps > 0 && one_is_simple && rest.vector.size() ? shift(rest.vector)(0, 0) : 0.0));
    if (!one_is_simple && eps > 0) {
      const Eigen::MatrixXd projected = Eigen::MatrixXd::Identity(v.cols(), v.cols()) + shift(v);
      const Eigen::EigenSolver<Eigen::MatrixXd> split(projected, false);
      for (Eigen::Index i = 0; i < split.eigenvalues().size(); ++i) ev.push_back(split.eigenvalues()[i].real());
    } else {
      ev.insert(ev.end(), static_cast<std::size_t>(v.cols()), 1.0);
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

}  // namespace gliolens::radiomics
