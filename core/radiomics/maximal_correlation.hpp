// GLCM's maximal correlation coefficient (IBSI 1, 3.6.26; PyRadiomics' MCC), the one GLCM feature that needs an
// eigenvalue: at hundreds of grey levels a dense eigensolve per matrix cost more than every other feature together.
#pragma once
#include <Eigen/Dense>
#include <Eigen/SparseCore>

namespace gliolens::radiomics {

// MCC = sqrt of the second largest eigenvalue of Q(i, j) = sum_k p(i, k) p(j, k) / (px(i) py(k) + eps), over the
// levels with px > 0. eps = 0 is the definition; PyRadiomics mode passes numpy.spacing(1) as PyRadiomics does.
[[nodiscard]] double maximal_correlation_coefficient(const Eigen::MatrixXd& p, const Eigen::VectorXd& px,
                                                     const Eigen::VectorXd& py, double eps);

struct EigenPair {
  double value = 0;
  Eigen::VectorXd vector;  // unit length
};

// The eigenvalue of largest modulus and its eigenvector of the symmetric `a` on the orthogonal complement of the
// orthonormal columns of `known` (an invariant subspace of `a`), by Lanczos with full reorthogonalisation, converged until the Ritz value's
// residual is below 1e-13 (|error| <= residual for a symmetric matrix); exact (all of the complement's
// eigenvalues) where it runs to the complement's size. Exposed for its test against a dense solver.
[[nodiscard]] EigenPair largest_magnitude_eigenpair_off(const Eigen::SparseMatrix<double>& a,
                                                        const Eigen::MatrixXd& known);

}  // namespace gliolens::radiomics
