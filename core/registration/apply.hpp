// Laying a moving image onto a reference grid through a registration's transform, in one resampling.
#pragma once
#include "core/imaging/resample.hpp"
#include "core/volume.hpp"

#include <Eigen/Dense>

namespace gliolens::registration {

// `moving` sampled at T(x) for the world position x of every voxel of `reference`, where `fixed_to_moving` is T
// (a registration result's matrix, world mm to world mm). Outside the moving image: `outside`. The result has the
// reference's grid. Throws InvalidInputError on an empty volume or a singular matrix.
[[nodiscard]] Volume resample_through(const Volume& moving, const Grid& reference, const Eigen::Matrix4d& fixed_to_moving,
                                      Interpolator interpolator, float outside = 0.0f);

}  // namespace gliolens::registration
