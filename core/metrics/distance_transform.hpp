// Exact Euclidean distance transform on an anisotropic voxel grid (Felzenszwalb & Huttenlocher's
// separable lower-envelope algorithm), in millimetres.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace gliolens::metrics {

// For every voxel, the distance (mm) to the nearest voxel where `feature` is non-zero.
// Where there is no feature voxel at all, every distance is +infinity.
[[nodiscard]] std::vector<double> distance_to_features(std::span<const std::uint8_t> feature,
                                                       const std::array<std::int64_t, 3>& dims,
                                                       const std::array<double, 3>& spacing_mm);

}  // namespace gliolens::metrics
