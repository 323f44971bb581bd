// Zones (connected voxels of one grey level) for GLSZM and GLDZM.
#pragma once
#include "core/radiomics/internal.hpp"

#include <vector>

namespace gliolens::radiomics {

struct Zone {
  int level = 0;
  int size = 0;
  int distance = 0;  // smallest distance to the ROI edge among its voxels (GLDZM)
};

// Zones of slice `slice` (8-connected) or of the whole volume (slice < 0; 26-connected).
// `distance` (optional, same layout as roi.levels) gives per-voxel edge distances.
std::vector<Zone> find_zones(const RoiImage& roi, int slice, const std::vector<int>* distance);

// Distance of each ROI voxel to the ROI edge in 4-connected (2-D, per slice) or 6-connected (3-D) steps;
// voxels next to the outside have distance 1. Built on `mask` (roi layout).
std::vector<int> edge_distance(const RoiImage& roi, const std::vector<std::uint8_t>& mask, bool two_d);

}  // namespace gliolens::radiomics
