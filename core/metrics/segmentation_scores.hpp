// Overlap and boundary agreement between a predicted and an expert segmentation, as BraTS scores
// them: Dice and the 95th-percentile Hausdorff distance for whole tumour, tumour core and enhancing
// tumour.
#pragma once
#include "core/volume.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gliolens::metrics {

struct RegionScore {
  std::string region;             // "WT", "TC", "ET"
  double dice = 0.0;              // 1 when both are empty
  std::optional<double> hd95_mm;  // empty when exactly one of the two is empty (undefined)
  std::size_t predicted_voxels = 0;
  std::size_t truth_voxels = 0;
};

// Dice of two binary masks on one grid.
[[nodiscard]] double dice(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// 95th percentile of the surface distances from each mask to the other, pooled (as MedPy's hd95);
// 0 when both are empty, empty optional when only one is.
[[nodiscard]] std::optional<double> hausdorff95(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b,
                                                const std::array<std::int64_t, 3>& dims, const std::array<double, 3>& spacing_mm);

// WT = {1,2,4}, TC = {1,4}, ET = {4}. Throws InvalidInputError when the grids differ.
[[nodiscard]] std::vector<RegionScore> score_brats(const Volume& predicted, const Volume& truth);

}  // namespace gliolens::metrics
