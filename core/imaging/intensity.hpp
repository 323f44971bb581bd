// Intensity preprocessing for MRI, whose units are arbitrary: a brain mask, z-scores within it,
// and percentile clipping of outliers.
#pragma once
#include "core/volume.hpp"

#include <span>
#include <vector>

namespace gliolens {

enum class MaskMethod { nonzero, otsu };

// 1 where the voxel belongs to the brain, else 0, on the volume's grid. nonzero: any voxel != 0
// (skull-stripped data such as BraTS); otsu: above Otsu's threshold over a 256-bin histogram.
[[nodiscard]] Volume brain_mask(const Volume& volume, MaskMethod method = MaskMethod::nonzero);

// Otsu's threshold (maximum between-class variance) of `values` over `bins` equal bins.
[[nodiscard]] double otsu_threshold(std::span<const float> values, int bins = 256);

// The q-quantile (0..1) of `values`, linear between the order statistics around (n - 1) q as numpy.quantile's
// default. Reorders `values`; throws NumericalError when it is empty.
[[nodiscard]] double quantile(std::vector<float>& values, double q);

// The q-th percentile (0..100, linear interpolation between order statistics as numpy's default)
// of the voxels where `mask` is non-zero (all voxels when mask is null).
[[nodiscard]] double percentile(const Volume& volume, double q, const Volume* mask = nullptr);

// (v - mean) / sd over the mask; voxels outside the mask become 0. Throws NumericalError when the
// mask is empty or the masked voxels are constant, InvalidInputError when grids differ.
[[nodiscard]] Volume zscore(const Volume& volume, const Volume& mask);

// Clamps voxels to [percentile(lower), percentile(upper)] computed within the mask (all if null).
[[nodiscard]] Volume clip_percentiles(const Volume& volume, double lower, double upper, const Volume* mask = nullptr);

}  // namespace gliolens
