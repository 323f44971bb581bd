// Resampling one volume onto another volume's grid through the two affines (world millimetres),
// for inputs that were not acquired on one grid (e.g. a FLAIR at 1x1x3 mm beside a 1 mm T1).
#pragma once
#include "core/imaging/resample.hpp"
#include "core/volume.hpp"

namespace gliolens {

// `moving` sampled at the world position of every voxel of `reference`. Positions more than half a
// voxel outside `moving` take `outside` (background); inside, the resample module's interpolators
// (edge-clamped). The result has the reference's grid (affine, qform, sform) and `moving`'s name.
// Throws InvalidInputError on an empty volume or a singular affine.
[[nodiscard]] Volume resample_to_grid(const Volume& moving, const Grid& reference, Interpolator interpolator,
                                      float outside = 0.0f);

}  // namespace gliolens
