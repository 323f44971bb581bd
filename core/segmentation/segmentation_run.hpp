// One segmentation of four modalities by a manifest's networks, from the first network's input to the label volume
// on the modalities' own grid. The networks run elsewhere (ONNX Runtime in JavaScript): the run hands out each
// stage's input and takes its region logits back, and keeps everything in between - the modalities on the model's
// working grid, the first stage's labels - so that the caller only moves tensors.
#pragma once
#include "core/segmentation/manifest.hpp"
#include "core/segmentation/refine_stage.hpp"
#include "core/segmentation/whole_brain_model.hpp"
#include "core/volume.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gliolens::segmentation {

struct RunOptions {
  bool keep_small_components = false;  // skip postprocess.min_component_voxels (a real second lesion may be smaller)
};

class SegmentationRun {
public:
  // Checks the modalities (T1, T1c, T2, FLAIR) share one grid, puts them on the model's working grid and prepares the
  // first network's input. The modalities are read again for a second stage: they must outlive the run.
  SegmentationRun(SegmentationManifest manifest, std::span<const Volume* const> modalities, RunOptions options = {});

  [[nodiscard]] const SegmentationManifest& manifest() const { return manifest_; }
  [[nodiscard]] bool two_stage() const { return manifest_.refine.has_value(); }

  // The first network's input [C][k][j][i] on its grid; its tensor is released by set_first_output.
  [[nodiscard]] const NetworkInput& first_input() const { return first_; }
  // The window it runs on (inference_window of the manifest's first stage).
  [[nodiscard]] Index3 first_window() const;

  // The first network's region logits over its whole grid -> its post-processed labels on the working grid.
  const std::vector<std::uint8_t>& set_first_output(std::span<const float> logits);

  // The second network's input: the first stage's tumour boxed at full resolution; an empty grid and tensor when
  // the first stage found no tumour. Only for a two-stage manifest, after set_first_output.
  const NetworkInput& refine_input();
  [[nodiscard]] Index3 refine_window() const;
  // The second network's region logits over its box: its labels replace the first stage's there.
  void set_refine_output(std::span<const float> logits);

  // The labels on the modalities' own grid (nearest neighbour). After set_first_output (and set_refine_output when
  // the second stage had a box).
  [[nodiscard]] Volume finish() const;

  // Why the labels may be unreliable although they exist (brain_mask_warnings of the first input).
  [[nodiscard]] const std::vector<std::string>& warnings() const { return first_.warnings; }

private:
  enum class Stage { first, refine, finished };
  void expect(Stage stage, const char* call) const;

  SegmentationManifest manifest_;
  WorkingModalities working_;
  NetworkInput first_;
  NetworkInput refine_;
  std::vector<std::uint8_t> labels_;  // on the working grid, once the first stage's output is in
  Stage stage_ = Stage::first;
  bool refine_prepared_ = false;
};

}  // namespace gliolens::segmentation
