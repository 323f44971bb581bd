// GLCM's maximal correlation coefficient: the Lanczos eigenvalue off the known +-1 eigenvectors against a dense
// solver, and MCC against its definition (the second largest eigenvalue of Q, by a general eigensolver) on
// GLCM-like matrices: one connected component, several, and a bipartite one.
#include <catch2/catch.hpp>

#include "core/radiomics/maximal_correlation.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using gliolens::radiomics::largest_magnitude_eigenpair_off;
using gliolens::radiomics::maximal_correlation_coefficient;

namespace {

// A symmetric co-occurrence-like matrix: counts concentrated near the diagonal (neighbouring voxels have close
// levels), rows that each hold at least one pair, normalised to sum 1.
Eigen::MatrixXd glcm_like(int levels, int band, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> count(0, 9);
  Eigen::MatrixXd p = Eigen::MatrixXd::Zero(levels, levels);
  for (int i = 0; i < levels; ++i)
    for (int j = i; j < std::min(levels, i + band + 1); ++j) {
      const double c = j == i + 1 ? 1 + count(rng) : count(rng) * (count(rng) > 5);
      p(i, j) += c;
      p(j, i) += i == j ? 0 : c;
    }
  return p / p.sum();
}

Eigen::MatrixXd block_diagonal(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(a.rows() + b.rows(), a.cols() + b.cols());
  out.topLeftCorner(a.rows(), a.cols()) = a;
  out.bottomRightCorner(b.rows(), b.cols()) = b;
  return out / out.sum();
}

// MCC by its definition: Q(i, j) = sum_k p(i, k) p(j, k) / (px(i) py(k)), a general eigensolver, the second
// largest real part.
double mcc_by_definition(const Eigen::MatrixXd& p) {
  const Eigen::VectorXd px = p.rowwise().sum();
  Eigen::MatrixXd q = Eigen::MatrixXd::Zero(p.rows(), p.cols());
  for (Eigen::Index i = 0; i < p.rows(); ++i)
    for (Eigen::Index j = 0; j < p.rows(); ++j)
      for (Eigen::Index k = 0; k < p.rows(); ++k) q(i, j) += p(i, k) * p(j, k) / (px[i] * px[k]);
  const Eigen::EigenSolver<Eigen::MatrixXd> es(q, false);
  std::vector<double> ev;
  for (Eigen::Index i = 0; i < es.eigenvalues().size(); ++i) ev.push_back(es.eigenvalues()[i].real());
  std::sort(ev.begin(), ev.end());
  return std::sqrt(std::max(0.0, ev[ev.size() - 2]));
}

}  // namespace

TEST_CASE("Lanczos finds the largest |eigenvalue| off a known invariant subspace", "[radiomics][glcm][mcc]") {
  for (const int n : {5, 40, 300}) {
    const Eigen::MatrixXd p = glcm_like(n, 6, 7u + static_cast<unsigned>(n));
    const Eigen::VectorXd d = p.rowwise().sum();
    const Eigen::VectorXd r = d.cwiseSqrt().cwiseInverse();
    const Eigen::MatrixXd m = r.asDiagonal() * p * r.asDiagonal();
    const Eigen::MatrixXd known = d.cwiseSqrt().normalized();  // eigenvector of eigenvalue 1
    const auto pair = largest_magnitude_eigenpair_off(m.sparseView(), known);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> dense(m, Eigen::EigenvaluesOnly);
    // Dense: the eigenvalue 1 is the largest; the answer is the larger modulus of the next one and the smallest.
    const auto& ev = dense.eigenvalues();
    const double expected = std::max(std::abs(ev[0]), std::abs(ev[ev.size() - 2]));
    INFO("levels " << n);
    CHECK(std::abs(std::abs(pair.value) - expected) < 1e-12);
    CHECK((m * pair.vector - pair.value * pair.vector).norm() < 1e-10);
    CHECK(std::abs(known.col(0).dot(pair.vector)) < 1e-10);
  }
}

TEST_CASE("MCC equals its definition on GLCM-like matrices", "[radiomics][glcm][mcc]") {
  const Eigen::MatrixXd connected = glcm_like(60, 5, 3u);
  const Eigen::MatrixXd two_components = block_diagonal(glcm_like(20, 4, 5u), glcm_like(25, 4, 6u));
  Eigen::MatrixXd bipartite = Eigen::MatrixXd::Zero(30, 30);  // pairs only between even and odd levels
  for (int i = 0; i + 1 < 30; ++i) bipartite(i, i + 1) = bipartite(i + 1, i) = 1 + (i * 7) % 5;
  bipartite /= bipartite.sum();
  for (const auto& [name, p] : {std::pair{"one component", connected}, std::pair{"two components", two_components},
                                std::pair{"bipartite", bipartite}}) {
    const Eigen::VectorXd px = p.rowwise().sum();
    INFO(name);
    CHECK(std::abs(maximal_correlation_coefficient(p, px, px, 0.0) - mcc_by_definition(p)) < 1e-9);
  }
  // Several components or a bipartite graph: the eigenvalue 1 is repeated, so MCC is 1 by the definition.
  CHECK(mcc_by_definition(two_components) == Approx(1.0).epsilon(1e-9));
}
