// Brain extraction around a network that runs in JavaScript (ONNX Runtime): the core conforms a head scan to the grid
// the network was trained on (FreeSurfer-style: a cube of 1 mm voxels in one orientation, centred on the scan),
// scales its intensities, cuts the box around the head and lays it out as the network's tensor; from the network's
// two logits per voxel it builds the brain mask on the scan's own grid (the brain probability resampled through the
// two affines, thresholded at one half, cleaned). The settings come from the manifest (docs/manifest.md).
#pragma once
#include "core/segmentation/sliding_window.hpp"
#include "core/volume.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gliolens::segmentation {

struct BrainExtractionSpec {
  // conform: the network's grid.
  Index3 conform_dims{256, 256, 256};
  double conform_spacing_mm = 1.0;
  std::string conform_orientation = "LIA";
  // scaling: (v - q_lower) / (q_upper - q_lower) over every voxel of the conformed cube (quantiles as numpy's
  // default, linear between order statistics), then clipped to [0, 1] when `clip`.
  double lower_quantile = 0.02;
  double upper_quantile = 0.98;
  bool clip = true;
  // crop (optional): the box of the voxels above threshold_of_max x the scaled maximum, grown by margin_voxels. Off:
  // the network sees the whole conformed cube (its per-channel normalisations then see what it was trained on).
  bool crop = false;
  double crop_threshold_of_max = 0.5;
  std::int64_t crop_margin_voxels = 20;
  // input.axes: the tensor's spatial axes, slowest first ("ijk": [1, 1, i, j, k], k fastest; "kji": NIfTI order).
  std::string tensor_axes = "ijk";
  // output: channel count and the brain's channel.
  std::int64_t output_channels = 2;
  std::int64_t brain_channel = 1;
  // postprocess.
  bool largest_component = true;
  bool fill_holes = true;
};

// The network's input for one scan, and what is needed to map its output back.
struct BrainExtractionInput {
  std::vector<float> tensor;  // [1, 1, a, b, c] in input.axes order (may be released once the network has it)
  Index3 tensor_dims{};       // (a, b, c)
  Index3 box_start{};         // first voxel (i, j, k) of the box on the conformed grid
  Index3 box_size{};          // its size (i, j, k)
  Grid conformed;             // the conformed grid
};

// The conformed grid of `grid` (its centre at the scan's centre, FreeSurfer's c_ras: affine x dims / 2).
[[nodiscard]] Grid conformed_grid(const Grid& grid, const BrainExtractionSpec& spec);

// Conforms, scales and crops `scan`. Throws InvalidInputError naming the scan when it is empty, has no contrast
// (the quantiles coincide) or nothing lies above the crop threshold.
[[nodiscard]] BrainExtractionInput prepare_brain_extraction(const Volume& scan, const BrainExtractionSpec& spec);

// The brain mask (uint8 0/1) on `scan`'s grid from the network's logits [1, C, a, b, c]. Throws InvalidInputError
// when the logits do not have the tensor's size times output.channels.
[[nodiscard]] Volume brain_mask_from_logits(const Volume& scan, const BrainExtractionInput& input, std::span<const float> logits,
                                            const BrainExtractionSpec& spec);

// `scan` with every voxel outside `mask` (same grid) set to 0.
[[nodiscard]] Volume apply_brain_mask(const Volume& scan, const Volume& mask);

// Keeps the largest 26-connected component of a 0/1 mask (none when empty).
void keep_largest_component(std::span<std::uint8_t> mask, const Index3& dims);
// Sets the background voxels that no 6-connected path of background joins to the volume's border.
void fill_holes(std::span<std::uint8_t> mask, const Index3& dims);

}  // namespace gliolens::segmentation
