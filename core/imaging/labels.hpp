// Per-label volumes of a segmentation.
#pragma once
#include "core/volume.hpp"

#include <vector>

namespace gliolens {

struct LabelVolume {
  int label = 0;
  std::size_t voxels = 0;
  double millilitres = 0.0;
};

// Every non-zero label present, ascending. Throws InvalidInputError on non-integer labels.
[[nodiscard]] std::vector<LabelVolume> label_volumes(const Volume& segmentation);

}  // namespace gliolens
