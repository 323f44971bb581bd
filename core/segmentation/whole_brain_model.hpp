// Input and output of a whole-brain glioma network as its manifest specifies them
// (models/glioma_seg/manifest.json, format gliolens-segmentation-manifest/1): a brain-centred
// window, z-scored per modality within the brain, block-averaged to the network's resolution; out
// come per-region logits (WT, TC, ET) that become BraTS labels on the input's own grid.
#pragma once
#include "core/imaging/crop.hpp"
#include "core/segmentation/sliding_window.hpp"
#include "core/volume.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gliolens::segmentation {

struct WholeBrainSpec {
  Index3 window_voxels{160, 192, 160};   // at the source resolution, (i, j, k)
  int block = 2;                         // block-mean downsampling factor to the network grid
  double source_spacing_mm = 1.0;        // the grid the network expects its inputs on
  std::string orientation;               // its voxel axes, e.g. "LPS" (BraTS); empty: the modalities' own axes
  std::array<float, 3> thresholds{0.5f, 0.5f, 0.5f};  // WT, TC, ET on sigmoid probabilities
  std::size_t min_component_voxels = 0;  // post-processing: drop smaller tumour components but the largest (0 = off)
  std::size_t min_enhancing_voxels = 0;  // post-processing: BraTS ET rule (0 = off)
};

struct NetworkInput {
  std::vector<float> tensor;  // [C][k][j][i] = channel-first, i fastest (the NIfTI voxel order)
  int channels = 0;
  Index3 grid{};              // network grid (i, j, k)
  Index3 window_start{};      // first source voxel of the window (may be negative)
  Grid source_grid;           // the grid the window lies on: the modalities', or theirs resampled to the model's spacing
  Grid output_grid;           // the modalities' own grid: the labels go back onto it
  std::string source_name;
  std::vector<std::string> warnings;  // the input is not what the model was trained on (brain_mask_warnings)
};

// The grid the model works on for modalities on `grid`: `grid` with its voxel axes permuted and flipped into the
// model's orientation (exact: no interpolation), then resampled to the model's voxel size (IBSI centre-aligned) unless
// its voxels are that size within 5 %.
[[nodiscard]] Grid working_grid(const Grid& grid, const WholeBrainSpec& spec);

// The four modalities on the model's working grid, and their brain mask (voxels where any is non-zero).
struct WorkingModalities {
  std::vector<const Volume*> given;
  std::vector<Volume> resampled;        // on the working grid (reoriented, resampled); empty when it is the given grid
  std::vector<std::uint8_t> brain;
  [[nodiscard]] const Volume& modality(std::size_t c) const { return resampled.empty() ? *given[c] : resampled[c]; }
  [[nodiscard]] const Grid& grid() const { return modality(0).grid; }
};

// Checks the four modalities (T1, T1c, T2, FLAIR) share one grid and puts them on the working grid: axes into the
// model's orientation, resampled (linear) when their spacing differs. Throws InvalidInputError naming the files
// when they do not fit.
[[nodiscard]] WorkingModalities modalities_on_working_grid(std::span<const Volume* const> modalities, const WholeBrainSpec& spec);

// A modality's mean and population SD within the brain mask (accumulated in double): (v - mean) / sd.
struct BrainZScore {
  double mean = 0;
  double sd = 1;
  [[nodiscard]] float operator()(float v) const { return static_cast<float>((v - mean) / sd); }
};

// Throws InvalidInputError naming the modality when it is constant inside the brain. The network inputs apply it
// inside the brain and put 0 outside.
[[nodiscard]] BrainZScore brain_zscore(const Volume& modality, std::span<const std::uint8_t> brain);

// Why the labels of these modalities may be unreliable although they can be segmented, naming each file: a non-zero
// region larger than the model's window (what lies outside is not segmented) or far larger than a skull-stripped
// brain (a head, or a noisy background). Empty for skull-stripped brains such as BraTS's. `brain` is the bounding
// box of working.brain.
[[nodiscard]] std::vector<std::string> brain_mask_warnings(const WorkingModalities& working, const Box& brain, const WholeBrainSpec& spec);

// Checks the four modalities (T1, T1c, T2, FLAIR) share one grid, resamples them (linear) to the model's
// spacing when theirs differs, then builds the network input (with brain_mask_warnings). Throws InvalidInputError
// naming the files when they do not fit.
[[nodiscard]] NetworkInput prepare_whole_brain_input(std::span<const Volume* const> modalities, const WholeBrainSpec& spec);
// The same from modalities already on the working grid (a cascade keeps them for its second stage).
[[nodiscard]] NetworkInput prepare_whole_brain_input(const WorkingModalities& working, const WholeBrainSpec& spec);

// Region logits on the network grid [3][grid] -> BraTS labels on the working grid (input.source_grid),
// post-processed there (so component sizes keep their meaning in mm^3).
[[nodiscard]] std::vector<std::uint8_t> whole_brain_labels(std::span<const float> logits, const NetworkInput& input, const WholeBrainSpec& spec);

// The manifest's post-processing, in place: tumour components under min_component_voxels cleared (the largest
// kept), then the BraTS enhancing-tumour rule.
void postprocess_labels(std::span<std::uint8_t> labels, const Index3& dims, const WholeBrainSpec& spec);

// Labels on the working grid -> a label volume on the modalities' own grid (nearest neighbour).
[[nodiscard]] Volume labels_on_output_grid(std::span<const std::uint8_t> labels, const NetworkInput& input);

// whole_brain_labels, then labels_on_output_grid.
[[nodiscard]] Volume labels_from_region_logits(std::span<const float> logits, const NetworkInput& input, const WholeBrainSpec& spec);

// Mirrors a channel-first tensor along one spatial axis (0 = i, 1 = j, 2 = k), for test-time mirroring.
void mirror(std::span<float> tensor, int channels, const Index3& grid, int axis);

}  // namespace gliolens::segmentation
