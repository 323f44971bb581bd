// Cropping to the bounding box of a mask (with a margin) and pasting a cropped result back, so that
// heavy steps (segmentation, features) run on the brain only and their output lands in the input's
// own grid.
#pragma once
#include "core/volume.hpp"

#include <array>
#include <cstdint>
#include <span>

namespace gliolens {

// Voxel index box, inclusive lower and exclusive upper corner.
struct Box {
  std::array<std::int64_t, 3> lo{0, 0, 0};
  std::array<std::int64_t, 3> hi{0, 0, 0};
  [[nodiscard]] std::array<std::int64_t, 3> size() const { return {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}; }
  [[nodiscard]] bool empty() const { return hi[0] <= lo[0] || hi[1] <= lo[1] || hi[2] <= lo[2]; }
};

// The smallest box holding every non-zero voxel of `mask`, grown by `margin` voxels per side and
// clipped to the grid. An all-zero mask gives an empty box.
[[nodiscard]] Box bounding_box(const Volume& mask, std::int64_t margin = 0);
// The same for a byte mask on a grid of `dims` (x fastest).
[[nodiscard]] Box bounding_box(std::span<const std::uint8_t> mask, const std::array<std::int64_t, 3>& dims, std::int64_t margin = 0);

// The part of `volume` inside `box`; the affine (and qform/sform) move so that world positions hold.
// Throws InvalidInputError if the box is empty or leaves the grid.
[[nodiscard]] Volume crop(const Volume& volume, const Box& box);

// Writes `part` (a crop of `into`'s grid by `box`) back into `into`. Throws InvalidInputError when
// the sizes do not match the box.
void paste(const Volume& part, const Box& box, Volume& into);

}  // namespace gliolens
