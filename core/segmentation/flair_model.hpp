// Input and output of the FLAIR-only network (models/flair_seg, format gliolens-flair-manifest/1): a 2-D network run
// on every axial slice of a FLAIR volume, which segments the FLAIR abnormality (= the whole tumour, one label). The
// maths are those of models/flair_seg/training/preprocess.py, the specification: the volume's voxel axes permuted and
// flipped into the model's orientation (exact), intensities divided by a quantile of the non-zero voxels, each slice
// sampled bilinearly (zero outside the image) onto a window of fixed-size pixels centred on the non-zero voxels'
// bounding box (as large as the box, optionally, up to a largest window); back: the sigmoid probabilities sampled bilinearly (edges clamped, zero outside the window) at each
// voxel and thresholded, on the FLAIR's own grid.
#pragma once
#include "core/imaging/reorient.hpp"
#include "core/volume.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gliolens::segmentation {

struct FlairSpec {
  std::string orientation = "LPS";                  // preprocessing.orientation: the voxel axes slices are cut in (along k)
  std::array<std::int64_t, 2> window_pixels{128, 128};  // preprocessing.window_pixels (i columns, j rows): the window, or its largest
  bool shrink_window_to_nonzero = false;            // preprocessing.shrink_window_to_nonzero: the window is the non-zero box's
                                                    // size in pixels, each side rounded up to spatial_multiple, at most window_pixels
  std::array<double, 2> spacing_mm{2.0, 2.0};       // preprocessing.spacing_mm: a window pixel's size (i, j)
  double quantile = 0.99;                           // preprocessing.intensity.quantile of the non-zero voxels
  bool skip_empty_slices = true;                    // preprocessing.skip_empty_slices: slices without a non-zero voxel are not run
  std::int64_t spatial_multiple = 16;               // input.spatial_multiple: the window's sides are multiples of it
  std::int64_t slices_per_run = 16;                 // inference.slices_per_run: slices the network gets at once
  float threshold = 0.5f;                           // output.threshold on the sigmoid probability
  std::uint8_t label = 1;                           // output.label: the mask's value
  double min_component_mm3 = 0.0;                   // postprocess.min_component_mm3 (0 = off)
};

// The network's input for one FLAIR volume, and what is needed to map its output back.
struct FlairInput {
  std::vector<float> tensor;         // [S][H][W]: kept slice, window row (j), window column (i); may be released
  std::int64_t height = 0;           // H: window_pixels[1], or less when the window shrinks to the non-zero box
  std::int64_t width = 0;            // W: window_pixels[0], or less
  std::vector<std::int64_t> slices;  // the S kept slices' k on the oriented grid
  std::array<double, 2> centre{};    // the window centre (i, j) in voxels of the oriented grid
  double scale = 1.0;                // the intensity divisor (the quantile of the non-zero voxels)
  Grid oriented;                     // the FLAIR's grid in the model's orientation
  AxisMapping to_model;              // the FLAIR's axes -> the oriented grid's
};

// Reorients, scales and samples `flair`. Throws InvalidInputError naming the file when it is empty (no non-zero
// voxel), has no contrast (the quantile is not positive) or is not one consistent 3-D volume.
[[nodiscard]] FlairInput prepare_flair_input(const Volume& flair, const FlairSpec& spec);

// The FLAIR-abnormality mask (uint8: spec.label or 0) on `flair`'s own grid from the network's logits [S][H][W] (the
// kept slices in input.slices order), post-processed (spec.min_component_mm3). Throws InvalidInputError when the
// logits do not have the tensor's size.
[[nodiscard]] Volume flair_mask_from_logits(const Volume& flair, const FlairInput& input, std::span<const float> logits,
                                            const FlairSpec& spec);

// The window pixels' source positions along one axis: centre + (n - (window - 1) / 2) x pixel_mm / voxel_mm.
[[nodiscard]] std::vector<double> window_positions(double centre, double voxel_mm, std::int64_t window, double pixel_mm);

}  // namespace gliolens::segmentation
