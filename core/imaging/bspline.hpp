// Cubic B-spline interpolation pieces shared by resampling, regridding and the radiomics pipeline:
// the prefiltered coefficients of a volume (Unser 1993, mirror boundary, exact causal start after
// Thevenaz, Blu & Unser 2000), the cubic basis, and mirror-boundary indexing.
#pragma once
#include "core/volume.hpp"

#include <cstdint>
#include <vector>

namespace gliolens::bspline {

// Interpolation coefficients of `volume` (x fastest, as its voxels); computed once per volume.
[[nodiscard]] std::vector<double> coefficients(const Volume& volume);

// The centred cubic B-spline basis function beta3(x).
[[nodiscard]] double basis(double x);

// Index i reflected into [0, n) (mirror boundary without repeating the edge sample).
[[nodiscard]] std::int64_t mirror_index(std::int64_t i, std::int64_t n);

}  // namespace gliolens::bspline
