#include "core/imaging/labels.hpp"

#include "core/errors.hpp"

#include <cmath>
#include <map>

namespace gliolens {

std::vector<LabelVolume> label_volumes(const Volume& segmentation) {
  std::map<int, std::size_t> counts;
  for (float v : segmentation.voxels) {
    if (v == 0.0f) continue;
    if (v != std::round(v) || v < 0.0f || v > 65535.0f) {
      throw InvalidInputError(segmentation.name + ": not a label image (voxel value " + std::to_string(v) + ")");
    }
    ++counts[static_cast<int>(v)];
  }
  const double ml_per_voxel = segmentation.grid.voxel_volume_mm3() / 1000.0;
  std::vector<LabelVolume> out;
  for (const auto& [label, n] : counts) out.push_back({label, n, static_cast<double>(n) * ml_per_voxel});
  return out;
}

}  // namespace gliolens
