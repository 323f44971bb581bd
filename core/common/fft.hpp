// Discrete Fourier transforms of 3-D complex grids (x fastest), over Eigen's mixed-radix FFT (kissfft, in
// Eigen's unsupported modules: header-only, no further dependency). Used for exact convolution sums on the
// regular grid (radiomics: Moran's I and Geary's C).
#pragma once
#include <array>
#include <complex>
#include <cstddef>
#include <vector>

namespace gliolens::fft {

using Complex = std::complex<double>;
using Dims = std::array<std::size_t, 3>;

// The smallest n' >= n whose only prime factors are 2, 3 and 5 (the fast lengths of the mixed-radix FFT).
[[nodiscard]] std::size_t good_size(std::size_t n);

// In-place forward DFT X(f) = sum_n x(n) exp(-2 pi i f.n / N) of `data` (dims[0] * dims[1] * dims[2], x fastest).
// `nonzero`: x(n) is known to be zero outside the box [0, nonzero[d]) of each axis, so lines that are all zero are
// not transformed (their transform is zero). Pass `dims` when nothing is known.
void forward_3d(std::vector<Complex>& data, const Dims& dims, const Dims& nonzero);

// In-place inverse DFT, scaled by 1/N (inverse_3d(forward_3d(x)) == x). `wanted`: only the outputs in the box
// [0, wanted[d]) are needed; the others are left with unspecified values.
void inverse_3d(std::vector<Complex>& data, const Dims& dims, const Dims& wanted);

}  // namespace gliolens::fft
