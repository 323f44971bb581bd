#include "core/segmentation/refine_stage.hpp"

#include "core/errors.hpp"
#include "core/segmentation/postprocess.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace gliolens::segmentation {

Box refine_box(std::span<const std::uint8_t> labels, const Index3& dims, const RefineSpec& refine) {
  if (refine.multiple < 1 || refine.margin_voxels < 0) throw InvalidInputError("refine box: margin must be >= 0 and multiple >= 1");
  Box box = bounding_box(labels, dims, refine.margin_voxels);
  if (box.empty()) return Box{};
  for (int a = 0; a < 3; ++a) {
    const std::int64_t size = box.hi[a] - box.lo[a];
    const std::int64_t extra = (refine.multiple - size % refine.multiple) % refine.multiple;
    box.lo[a] -= extra / 2;
    box.hi[a] += extra - extra / 2;
  }
  return box;
}

NetworkInput prepare_refine_input(std::span<const Volume* const> given, std::span<const std::uint8_t> first_stage_labels,
                                  const WholeBrainSpec& spec, const RefineSpec& refine) {
  return prepare_refine_input(modalities_on_working_grid(given, spec), first_stage_labels, refine);
}

NetworkInput prepare_refine_input(const WorkingModalities& working, std::span<const std::uint8_t> first_stage_labels,
                                  const RefineSpec& refine) {
  const Grid& g = working.grid();
  if (first_stage_labels.size() != g.voxel_count()) {
    throw InvalidInputError("first-stage labels have " + std::to_string(first_stage_labels.size()) + " voxels, the working grid " +
                            std::to_string(g.voxel_count()));
  }
  NetworkInput input;
  input.channels = static_cast<int>(working.given.size());
  input.source_grid = g;
  input.output_grid = working.given[0]->grid;
  input.source_name = working.modality(0).name;
  const Box box = refine_box(first_stage_labels, g.dims, refine);
  if (box.empty()) return input;
  input.window_start = box.lo;
  input.grid = box.size();
  const std::size_t box_voxels = voxel_count(input.grid);
  input.tensor.assign(box_voxels * static_cast<std::size_t>(input.channels), 0.0f);
  for (int c = 0; c < input.channels; ++c) {
    // Only the box's voxels are needed: z-scoring the whole volume would allocate a copy of it per modality.
    const Volume& modality = working.modality(static_cast<std::size_t>(c));
    const BrainZScore z = brain_zscore(modality, working.brain);
    float* out = input.tensor.data() + static_cast<std::size_t>(c) * box_voxels;
    for (std::int64_t k = std::max<std::int64_t>(box.lo[2], 0); k < std::min(box.hi[2], g.dims[2]); ++k)
      for (std::int64_t j = std::max<std::int64_t>(box.lo[1], 0); j < std::min(box.hi[1], g.dims[1]); ++j)
        for (std::int64_t i = std::max<std::int64_t>(box.lo[0], 0); i < std::min(box.hi[0], g.dims[0]); ++i) {
          const std::size_t at = g.index(i, j, k);
          if (working.brain[at]) out[(i - box.lo[0]) + input.grid[0] * ((j - box.lo[1]) + input.grid[1] * (k - box.lo[2]))] = z(modality.voxels[at]);
        }
  }
  return input;
}

void apply_refinement(std::span<std::uint8_t> labels, std::span<const float> logits, const NetworkInput& refine_input,
                      const WholeBrainSpec& spec, const RefineSpec& refine) {
  const Grid& g = refine_input.source_grid;
  const Index3& box = refine_input.grid;
  const std::size_t box_voxels = voxel_count(box);
  if (labels.size() != g.voxel_count()) throw InvalidInputError("refinement: labels are not on the working grid");
  if (logits.size() != 3 * box_voxels) {
    throw InvalidInputError("refine network output has " + std::to_string(logits.size()) + " values, expected 3 x " +
                            std::to_string(box_voxels) + " (WT, TC, ET)");
  }
  const auto sigmoid = [](float x) { return 1.0f / (1.0f + std::exp(-x)); };
  const Index3& lo = refine_input.window_start;
  for (std::int64_t k = std::max<std::int64_t>(lo[2], 0); k < std::min(lo[2] + box[2], g.dims[2]); ++k)
    for (std::int64_t j = std::max<std::int64_t>(lo[1], 0); j < std::min(lo[1] + box[1], g.dims[1]); ++j)
      for (std::int64_t i = std::max<std::int64_t>(lo[0], 0); i < std::min(lo[0] + box[0], g.dims[0]); ++i) {
        const auto at = static_cast<std::size_t>((i - lo[0]) + box[0] * ((j - lo[1]) + box[1] * (k - lo[2])));
        labels[g.index(i, j, k)] = nested_label({sigmoid(logits[at]), sigmoid(logits[box_voxels + at]), sigmoid(logits[2 * box_voxels + at])},
                                                refine.thresholds);
      }
  postprocess_labels(labels, g.dims, spec);
}

}  // namespace gliolens::segmentation
