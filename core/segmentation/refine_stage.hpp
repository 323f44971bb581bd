// The second stage of a cascade: the first stage's tumour, boxed with a margin, is segmented again on the
// working grid itself (1 mm for BraTS) by a refine network, whose labels replace the first stage's inside
// the box. The first stage finds the tumour on a coarse grid; the second draws its sub-regions finely.
#pragma once
#include "core/imaging/crop.hpp"
#include "core/segmentation/whole_brain_model.hpp"

#include <array>
#include <cstdint>
#include <span>

namespace gliolens::segmentation {

struct RefineSpec {
  std::int64_t margin_voxels = 12;                    // grown on every side of the first stage's tumour
  std::int64_t multiple = 8;                          // each box axis a multiple of this (a U-Net halves it per level)
  std::array<float, 3> thresholds{0.5f, 0.5f, 0.5f};  // WT, TC, ET on the refine network's sigmoids
};

// The box the refine network sees: the bounding box of the non-zero labels grown by the margin and clipped to
// the volume, then each axis grown to a multiple of `multiple` (the smaller half of the extra before, the rest
// after, so the box may reach outside the volume). Empty when there is no tumour.
[[nodiscard]] Box refine_box(std::span<const std::uint8_t> labels, const Index3& dims, const RefineSpec& refine);

// The refine network's input: the modalities z-scored as for the first stage (on the working grid, over the
// whole brain), cut to the refine box at full resolution, [C][k][j][i], zeros outside the volume.
// `first_stage_labels` are on the working grid (whole_brain_labels). No tumour: an empty grid and tensor.
[[nodiscard]] NetworkInput prepare_refine_input(std::span<const Volume* const> modalities,
                                                std::span<const std::uint8_t> first_stage_labels,
                                                const WholeBrainSpec& spec, const RefineSpec& refine);
// The same from the modalities the first stage already put on the working grid (resampled once per cascade).
[[nodiscard]] NetworkInput prepare_refine_input(const WorkingModalities& working, std::span<const std::uint8_t> first_stage_labels,
                                                const RefineSpec& refine);

// Inside the box (its part within the volume) the refine network's labels (region logits [3][box]) replace
// `labels` (on the working grid); outside it they stay. Then the manifest's post-processing again.
void apply_refinement(std::span<std::uint8_t> labels, std::span<const float> logits, const NetworkInput& refine_input,
                      const WholeBrainSpec& spec, const RefineSpec& refine);

}  // namespace gliolens::segmentation
