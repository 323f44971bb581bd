// Reorientation by axis permutation and flips only: voxel values are moved, never interpolated, so
// going to RAS+ and back gives the original voxels and affine exactly.
#pragma once
#include "core/volume.hpp"

#include <array>
#include <string>

namespace gliolens {

// Where each new voxel axis comes from: new axis a reads old axis `source[a]`, reversed if `flip[a]`.
struct AxisMapping {
  std::array<int, 3> source{0, 1, 2};
  std::array<bool, 3> flip{false, false, false};
  [[nodiscard]] bool identity() const {
    return source == std::array<int, 3>{0, 1, 2} && flip == std::array<bool, 3>{false, false, false};
  }
};

// The mapping that turns a volume of orientation `from` (e.g. "LPS") into `to` (e.g. "RAS").
// Throws InvalidInputError on codes that are not a permutation of one letter from each of L/R, A/P, S/I.
[[nodiscard]] AxisMapping axis_mapping(const std::string& from, const std::string& to);

// The grid a mapping gives: dims permuted; affine, qform and sform follow (world unchanged).
[[nodiscard]] Grid apply_axis_mapping(const Grid& grid, const AxisMapping& mapping);
// Applies a mapping: voxels permuted and flipped onto the mapped grid.
[[nodiscard]] Volume apply_axis_mapping(const Volume& volume, const AxisMapping& mapping);

// The volume with voxel axes along `code` ("RAS" by default), from its affine's orientation.
[[nodiscard]] Volume reorient(const Volume& volume, const std::string& code = "RAS");

}  // namespace gliolens
