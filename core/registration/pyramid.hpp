// One level of a multi-resolution pyramid: the image smoothed by a Gaussian and resampled to a coarser voxel
// spacing, each axis on its own, so that a 1 x 1 x 5 mm series is coarsened in-plane only.
#pragma once
#include "core/volume.hpp"

namespace gliolens::registration {

// `image` at `spacing_mm` per axis (an axis already at least that coarse is left as it is), on the grid resample()
// gives (IBSI's centre-aligned one, world position kept): each new voxel is the mean of the old ones around it under
// a Gaussian of sigma = spacing_mm / 2 (sampled kernel, edge values extended), axis by axis.
[[nodiscard]] Volume pyramid_level(const Volume& image, double spacing_mm);

// Whether pyramid_level(image, spacing_mm) differs from `image` (else the image itself serves as the level).
[[nodiscard]] bool pyramid_coarsens(const Grid& grid, double spacing_mm);

// The same for a 0/1 mask: nearest-neighbour, no smoothing.
[[nodiscard]] Volume pyramid_level_mask(const Volume& mask, double spacing_mm);

}  // namespace gliolens::registration
