#include "core/segmentation/segmentation_run.hpp"

#include "core/errors.hpp"

#include <utility>

namespace gliolens::segmentation {

SegmentationRun::SegmentationRun(SegmentationManifest manifest, std::span<const Volume* const> modalities, RunOptions options)
    : manifest_(std::move(manifest)), working_(modalities_on_working_grid(modalities, manifest_.spec)) {
  if (options.keep_small_components) manifest_.spec.min_component_voxels = 0;
  first_ = prepare_whole_brain_input(working_, manifest_.spec);
  // A one-network model never reads the modalities again: what was resampled for it goes now.
  if (!two_stage()) working_ = {};
}

void SegmentationRun::expect(Stage stage, const char* call) const {
  if (stage_ != stage) throw InvalidInputError(std::string("segmentation run: ") + call + " out of order");
}

Index3 SegmentationRun::first_window() const { return inference_window(manifest_.inference, first_.grid, manifest_.source); }

const std::vector<std::uint8_t>& SegmentationRun::set_first_output(std::span<const float> logits) {
  expect(Stage::first, "set_first_output");
  labels_ = whole_brain_labels(logits, first_, manifest_.spec);
  first_.tensor = {};
  stage_ = two_stage() ? Stage::refine : Stage::finished;
  return labels_;
}

const NetworkInput& SegmentationRun::refine_input() {
  if (refine_prepared_) return refine_;
  expect(Stage::refine, "refine_input");
  refine_ = prepare_refine_input(working_, labels_, manifest_.refine->spec);
  refine_prepared_ = true;
  // The box holds all the second network needs: the modalities on the working grid can go.
  working_ = {};
  if (refine_.tensor.empty()) stage_ = Stage::finished;
  return refine_;
}

Index3 SegmentationRun::refine_window() const {
  if (!two_stage() || !refine_prepared_) throw InvalidInputError("segmentation run: refine_window before refine_input");
  return inference_window(manifest_.refine->inference, refine_.grid, manifest_.source, "refine.");
}

void SegmentationRun::set_refine_output(std::span<const float> logits) {
  expect(Stage::refine, "set_refine_output");
  if (!refine_prepared_) throw InvalidInputError("segmentation run: set_refine_output before refine_input");
  apply_refinement(labels_, logits, refine_, manifest_.spec, manifest_.refine->spec);
  refine_.tensor = {};
  stage_ = Stage::finished;
}

Volume SegmentationRun::finish() const {
  expect(Stage::finished, "finish");
  return labels_on_output_grid(labels_, first_);
}

}  // namespace gliolens::segmentation
