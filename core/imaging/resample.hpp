// Resampling onto a new voxel spacing with IBSI's centre-aligned grid (IBSI 1, section 2.4):
// the new grid has n' = ceil(n * s / s') voxels per axis and its centre coincides with the old grid's.
#pragma once
#include "core/volume.hpp"

#include <array>
#include <span>

namespace gliolens {

enum class Interpolator { nearest, linear, bspline };  // bspline: cubic B-spline (with prefilter)

// Resamples `volume` to `spacing` (mm per voxel axis; an entry <= 0 keeps that axis unchanged, so
// {2, 2, 0} is IBSI's 2-D in-plane resampling). Positions beyond the grid take the nearest edge value.
// The affine keeps the direction cosines. Throws InvalidInputError on an empty volume.
[[nodiscard]] Volume resample(const Volume& volume, const std::array<double, 3>& spacing, Interpolator interpolator);

// The same for a label image: voxels equal to `label` become 1 in a fuzzy mask that is interpolated with
// `interpolator` and thresholded at `threshold` (IBSI: linear, 0.5). Output voxels are 0 or 1.
[[nodiscard]] Volume resample_mask(const Volume& mask, int label, const std::array<double, 3>& spacing,
                                   Interpolator interpolator, double threshold = 0.5);

// The grid resample() produces for `grid` at `spacing`, without touching any voxel.
[[nodiscard]] Grid resampled_grid(const Grid& grid, const std::array<double, 3>& spacing);

// Samples `volume` at continuous voxel-index coordinates (x fastest), edge-clamped.
[[nodiscard]] double sample(const Volume& volume, const std::array<double, 3>& ijk, Interpolator interpolator);

}  // namespace gliolens
