// Whether volumes share one voxel grid (dims equal, affines equal within a tolerance), so that
// voxel i of one is voxel i of the other.
#pragma once
#include "core/volume.hpp"

#include <span>
#include <string>

namespace gliolens {

struct GridTolerance {
  double millimetres = 1e-3;  // largest allowed world distance between corresponding voxel corners
};

// "" when `a` and `b` share a grid, else what differs (for messages).
[[nodiscard]] std::string grid_difference(const Grid& a, const Grid& b, const GridTolerance& tolerance = {});

[[nodiscard]] inline bool same_grid(const Grid& a, const Grid& b, const GridTolerance& tolerance = {}) {
  return grid_difference(a, b, tolerance).empty();
}

// Throws InvalidInputError naming the first volume whose grid differs from the first one's.
void require_same_grid(std::span<const Volume* const> volumes, const GridTolerance& tolerance = {});

}  // namespace gliolens
