// Turning network outputs into a BraTS label map, and cleaning it.
#pragma once
#include "core/segmentation/sliding_window.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace gliolens::segmentation {

struct Components {
  std::vector<std::int32_t> labels;   // 0 = background, 1..count = component ids
  std::vector<std::size_t> sizes;     // sizes[id - 1]
};

// Connected components of the non-zero voxels (connectivity 6 or 26).
[[nodiscard]] Components connected_components(std::span<const std::uint8_t> mask, const Index3& dims, int connectivity = 26);

// Clears components smaller than `min_voxels` except the largest, so that a small tumour is never erased
// whole, only its satellites; returns how many voxels were removed.
std::size_t remove_small_satellites(std::span<std::uint8_t> mask, const Index3& dims, std::size_t min_voxels,
                                    int connectivity = 26);

// One voxel's BraTS label from its nested region probabilities (WT, TC, ET), each against its own threshold:
// ET -> 4, else TC -> 1, else WT -> 2, else 0.
[[nodiscard]] std::uint8_t nested_label(const std::array<float, 3>& probabilities, const std::array<float, 3>& thresholds);

// Nested region probabilities (whole tumour, tumour core, enhancing tumour; each [volume]) to BraTS
// labels: WT only -> 2 (edema), TC without ET -> 1 (necrotic/non-enhancing core), ET -> 4.
[[nodiscard]] std::vector<std::uint8_t> regions_to_labels(std::span<const float> whole_tumour, std::span<const float> tumour_core,
                                                          std::span<const float> enhancing, float threshold = 0.5f);

// BraTS's enhancing-tumour rule: an ET region smaller than `min_voxels` is most often a false
// positive (many low-grade gliomas do not enhance), so it becomes necrotic/non-enhancing core.
// Returns true when the rule fired.
bool apply_enhancing_rule(std::span<std::uint8_t> labels, std::size_t min_voxels);

}  // namespace gliolens::segmentation
