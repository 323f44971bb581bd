#include "core/registration/apply.hpp"

#include "core/errors.hpp"
#include "core/imaging/regrid.hpp"

#include <cmath>

namespace gliolens::registration {

Volume resample_through(const Volume& moving, const Grid& reference, const Eigen::Matrix4d& fixed_to_moving,
                        Interpolator interpolator, float outside) {
  const double det = fixed_to_moving.block<3, 3>(0, 0).determinant();
  if (!std::isfinite(det) || std::abs(det) < 1e-9) {
    throw InvalidInputError("registration: the transform for '" + moving.name + "' is singular");
  }
  // Moving the image's world position by T^-1 and regridding samples it at T(x): one interpolation, no copy of a grid.
  Volume placed;
  placed.grid = moving.grid;
  const Eigen::Matrix4d inverse = fixed_to_moving.inverse();
  placed.grid.affine = inverse * moving.grid.affine;
  placed.grid.qform = inverse * moving.grid.qform;
  placed.grid.sform = inverse * moving.grid.sform;
  placed.name = moving.name;
  placed.source_datatype = moving.source_datatype;
  // A copy of the voxels: resample_to_grid takes the geometry from the volume it samples.
  placed.voxels = moving.voxels;
  return resample_to_grid(placed, reference, interpolator, outside);
}

}  // namespace gliolens::registration
