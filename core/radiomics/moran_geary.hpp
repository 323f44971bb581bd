// The inverse-distance-weighted pair sums behind Moran's I and Geary's C (IBSI 1, 3.1.24-25): over all ordered
// pairs i != j of mask voxels, with w_ij = 1 / |p_i - p_j| (mm). Two exact methods: the direct O(N^2) pair loop,
// and convolutions with the kernel w over the mask's bounding box by zero-padded 3-D FFT (O(P log P), P the padded
// grid): on the regular grid every such sum is a dot product with a convolution,
//   sum w_ij = m.(w*m),  sum w_ij y_i y_j = y.(w*y),  sum w_ij (x_i - x_j)^2 = 2 (y^2 m).(w*m) - 2 y.(w*y),
// with m the mask indicator and y = (x - mean) m (x_i - x_j = y_i - y_j inside the mask).
#pragma once
#include "core/common/fft.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gliolens::radiomics {

struct AutocorrelationSums {
  std::size_t n = 0;       // mask voxels
  double mean = 0;         // of their values
  double weights = 0;      // sum_{i != j} w_ij
  double moran = 0;        // sum_{i != j} w_ij (x_i - mean)(x_j - mean)
  double geary = 0;        // sum_{i != j} w_ij (x_i - x_j)^2
  double deviation = 0;    // sum_i (x_i - mean)^2
  std::string method;      // "direct" or "fft"
};

enum class AutocorrelationMethod { automatic, direct, fft };

// The inverse-distance kernel's spectrum of the last few boxes: a region is extracted in each modality of a case
// (the same box and spacing), which saves one of the FFT method's three transforms. Owned by an ExtractionCache.
class KernelCache {
public:
  // The spectrum for a box of `n` voxels padded to `P` with voxel size `spacing`; `buf` is scratch of P points.
  std::shared_ptr<const std::vector<double>> get(const fft::Dims& n, const fft::Dims& P,
                                                 const std::array<double, 3>& spacing, std::vector<fft::Complex>& buf);
  void clear() { entries_.clear(); }

private:
  static constexpr std::size_t kCapacity = 5;  // ET, TC, WT, NCR, ED
  struct Entry {
    fft::Dims n;
    std::array<double, 3> spacing;
    std::shared_ptr<const std::vector<double>> spectrum;
  };
  std::list<Entry> entries_;
};

// The points of the zero-padded FFT grid for a mask whose bounding box is `box` voxels (2 box - 1 per axis,
// rounded up to a length with prime factors 2, 3, 5). The FFT method holds 17 bytes per point.
[[nodiscard]] std::size_t autocorrelation_fft_points(const std::array<int, 3>& box);

// The sums over the voxels of `mask` (nonzero) of a grid of `dims` (x fastest) with `spacing` (mm); `values` has
// the grid's size. `automatic`: the cheaper method, the FFT only when its grid has at most `max_fft_points` points.
// Empty when no method is allowed: FFT grid too large and more voxels than the direct loop takes in reasonable time
// (`why` says so). `kernels`, when given, keeps the kernel's spectrum for the next call on the same box.
[[nodiscard]] std::optional<AutocorrelationSums> inverse_distance_sums(const std::array<int, 3>& dims,
                                                                       const std::array<double, 3>& spacing,
                                                                       std::span<const std::uint8_t> mask,
                                                                       std::span<const double> values,
                                                                       AutocorrelationMethod method,
                                                                       std::size_t max_fft_points, std::string* why = nullptr,
                                                                       KernelCache* kernels = nullptr);

}  // namespace gliolens::radiomics
