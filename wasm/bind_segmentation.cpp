// Segmentation around a network that runs in JavaScript (ONNX Runtime Web): the core prepares the
// network input and turns the network output into a label volume on the input's own grid.
#include "core/io/nifti.hpp"
#include "core/metrics/segmentation_scores.hpp"
#include "core/segmentation/refine_stage.hpp"
#include "core/segmentation/sliding_window.hpp"
#include "core/segmentation/whole_brain_model.hpp"
#include "wasm/js_convert.hpp"
#include "wasm/session.hpp"

#include <emscripten/bind.h>

#include <optional>

namespace gliolens::js {
namespace {

using segmentation::Index3;
using segmentation::RefineSpec;
using segmentation::WholeBrainSpec;

bool has(const val& object, const char* key) {
  return !object.isUndefined() && !object.isNull() && !object[key].isUndefined() && !object[key].isNull();
}

Index3 index3(const val& array) {
  // Embind reads JS numbers as double; 64-bit integers would need BigInt.
  const auto at = [&](int i) { return static_cast<std::int64_t>(std::llround(array[i].as<double>())); };
  return {at(0), at(1), at(2)};
}

// The manifest's preprocessing/output sections, as the page passes them (see models/*/manifest.json).
WholeBrainSpec spec_from(const val& manifest) {
  WholeBrainSpec spec;
  if (!has(manifest, "preprocessing")) return spec;
  const val pre = manifest["preprocessing"];
  if (has(pre, "window_source_voxels_ijk")) spec.window_voxels = index3(pre["window_source_voxels_ijk"]);
  if (has(pre, "source_spacing_mm")) spec.source_spacing_mm = pre["source_spacing_mm"][0].as<double>();
  if (has(pre, "orientation")) spec.orientation = pre["orientation"].as<std::string>();
  if (has(pre, "resample") && has(pre["resample"], "spacing_mm")) {
    spec.block = static_cast<int>(std::lround(pre["resample"]["spacing_mm"][0].as<double>() / spec.source_spacing_mm));
  }
  if (has(manifest, "output") && has(manifest["output"], "thresholds")) {
    const val t = manifest["output"]["thresholds"];
    spec.thresholds = {t["WT"].as<float>(), t["TC"].as<float>(), t["ET"].as<float>()};
  }
  if (has(manifest, "postprocess")) {
    const val post = manifest["postprocess"];
    if (has(post, "min_component_voxels")) spec.min_component_voxels = static_cast<std::size_t>(post["min_component_voxels"].as<double>());
    if (has(post, "min_enhancing_voxels")) spec.min_enhancing_voxels = static_cast<std::size_t>(post["min_enhancing_voxels"].as<double>());
  }
  return spec;
}

// The manifest's `refine` section: the second stage's box and thresholds.
RefineSpec refine_spec_from(const val& manifest) {
  RefineSpec refine;
  const val section = manifest["refine"];
  if (has(section, "box")) {
    const val box = section["box"];
    if (has(box, "margin_voxels")) refine.margin_voxels = std::llround(box["margin_voxels"].as<double>());
    if (has(box, "multiple")) refine.multiple = std::llround(box["multiple"].as<double>());
  }
  if (has(section, "output") && has(section["output"], "thresholds")) {
    const val t = section["output"]["thresholds"];
    refine.thresholds = {t["WT"].as<float>(), t["TC"].as<float>(), t["ET"].as<float>()};
  }
  return refine;
}

val index3_to_js(const Index3& v) {
  val out = val::array();
  for (int a = 0; a < 3; ++a) out.set(a, static_cast<double>(v[a]));
  return out;
}

// A prepared network input as JavaScript: {tensor: Float32Array [C][k][j][i], channels, grid (i, j, k), windowStart,
// warnings}.
val network_input_to_js(const segmentation::NetworkInput& input) {
  val out = val::object();
  // A new Float32Array built from a view of the core's buffer copies it, so it outlives `input`.
  out.set("tensor", val::global("Float32Array").new_(emscripten::typed_memory_view(input.tensor.size(), input.tensor.data())));
  out.set("channels", input.channels);
  out.set("grid", index3_to_js(input.grid));
  out.set("windowStart", index3_to_js(input.window_start));
  out.set("warnings", to_array(input.warnings));
  return out;
}

// A stage's network input as prepare_* made it, rebuilt from what JavaScript kept of it (tensor aside).
segmentation::NetworkInput network_input_from(const val& prepared, const Volume& reference, const WholeBrainSpec& spec) {
  segmentation::NetworkInput input;
  input.channels = prepared["channels"].as<int>();
  input.grid = index3(prepared["grid"]);
  input.window_start = index3(prepared["windowStart"]);
  input.source_grid = segmentation::working_grid(reference.grid, spec);
  input.output_grid = reference.grid;
  input.source_name = reference.name;
  return input;
}

std::vector<int> ids_of(const val& ids) {
  std::vector<int> out;
  for (int i = 0; i < ids["length"].as<int>(); ++i) out.push_back(ids[i].as<int>());
  return out;
}

std::vector<const Volume*> volumes_of(const Session& session, const std::vector<int>& ids) {
  std::vector<const Volume*> modalities;
  for (const int id : ids) modalities.push_back(&session.volume(id));
  return modalities;
}

// ids: [T1, T1c, T2, FLAIR] volume ids. Returns the first stage's network input (network_input_to_js). For a
// cascade (manifest `refine`) the Session keeps the modalities on the working grid for prepareRefinement.
val prepare_segmentation(Session& session, val ids, val manifest) {
  return guarded([&] {
    const WholeBrainSpec spec = spec_from(manifest);
    const std::vector<int> modality_ids = ids_of(ids);
    segmentation::WorkingModalities working = segmentation::modalities_on_working_grid(volumes_of(session, modality_ids), spec);
    if (!has(manifest, "refine")) return network_input_to_js(segmentation::prepare_whole_brain_input(working, spec));
    return network_input_to_js(segmentation::prepare_whole_brain_input(
        session.keep_working_modalities(modality_ids, spec.source_spacing_mm, std::move(working)), spec));
  });
}

// The first stage's labels on the working grid (post-processed), from its region logits: a Uint8Array that both
// prepareRefinement and finishSegmentation take, so that a cascade computes them once.
val first_stage_labels(Session& session, int reference_id, val logits, val prepared, val manifest) {
  return guarded([&] {
    const WholeBrainSpec spec = spec_from(manifest);
    const std::vector<float> values = emscripten::convertJSArrayToNumberVector<float>(logits);
    const std::vector<std::uint8_t> labels =
        segmentation::whole_brain_labels(values, network_input_from(prepared, session.volume(reference_id), spec), spec);
    return val::global("Uint8Array").new_(emscripten::typed_memory_view(labels.size(), labels.data()));
  });
}

// The second stage's input (manifest `refine`): the first stage's tumour (firstStageLabels), boxed at full
// resolution. No tumour: grid [0, 0, 0] and an empty tensor.
val prepare_refinement(Session& session, val ids, val labels, val manifest) {
  return guarded([&] {
    const std::vector<int> modality_ids = ids_of(ids);
    const std::vector<std::uint8_t> first_stage = emscripten::convertJSArrayToNumberVector<std::uint8_t>(labels);
    const WholeBrainSpec spec = spec_from(manifest);
    const RefineSpec refine = refine_spec_from(manifest);
    if (const auto* kept = session.kept_working_modalities(modality_ids, spec.source_spacing_mm)) {
      return network_input_to_js(segmentation::prepare_refine_input(*kept, first_stage, refine));
    }
    // Not kept: another cascade ran since (resampled from the loaded volumes again), or one was released (named).
    const auto modalities = volumes_of(session, modality_ids);
    if (modalities.empty()) throw InvalidInputError("segmentation needs four modalities (T1, T1c, T2, FLAIR)");
    return network_input_to_js(segmentation::prepare_refine_input(modalities, first_stage, spec, refine));
  });
}

// The first stage's labels (firstStageLabels) -> a new loaded label volume on the T1's grid: {id}. With
// `refinement` ({logits, grid, windowStart, channels} of the second stage), its labels replace the first
// stage's inside its box.
val finish_segmentation(Session& session, int reference_id, val labels, val prepared, val manifest, val refinement) {
  return guarded([&] {
    // segment() drops them too, after this returns or throws; dropping them here first lowers this call's peak memory.
    session.drop_working_modalities();
    const Volume& reference = session.volume(reference_id);
    const WholeBrainSpec spec = spec_from(manifest);
    const segmentation::NetworkInput input = network_input_from(prepared, reference, spec);
    std::vector<std::uint8_t> finished = emscripten::convertJSArrayToNumberVector<std::uint8_t>(labels);
    if (!refinement.isUndefined() && !refinement.isNull()) {
      const std::vector<float> refined = emscripten::convertJSArrayToNumberVector<float>(refinement["logits"]);
      segmentation::apply_refinement(finished, refined, network_input_from(refinement, reference, spec), spec, refine_spec_from(manifest));
    }
    val out = val::object();
    out.set("id", session.add(segmentation::labels_on_output_grid(finished, input)));
    return out;
  });
}

// Ends a cascade that will not be finished (cancelled, or failed): the Session lets go of its kept modalities.
void drop_segmentation(Session& session) { session.drop_working_modalities(); }

// Test-time mirroring: flips a channel-first tensor along axis 0 (i), 1 (j) or 2 (k), in place.
val mirror_tensor(val tensor, int channels, val grid, int axis) {
  return guarded([&] {
    std::vector<float> values = emscripten::convertJSArrayToNumberVector<float>(tensor);
    segmentation::mirror(values, channels, index3(grid), axis);
    return val::global("Float32Array").new_(emscripten::typed_memory_view(values.size(), values.data()));
  });
}

// Writes a loaded volume as NIfTI at `path` with its own qform/sform; datatype uint8, int16 or float32.
void save_volume(const Session& session, int id, const std::string& path, const std::string& datatype) {
  guarded([&] {
    const StoredType type = datatype == "uint8" ? StoredType::uint8 : datatype == "int16" ? StoredType::int16
                            : datatype == "float32" ? StoredType::float32
                            : throw InvalidInputError("datatype must be uint8, int16 or float32, not " + datatype);
    write_nifti(path, session.volume(id), type);
    return 0;
  });
}

// [{region, dice, hd95 (mm, null when only one of the two is empty), predictedVoxels, truthVoxels}]
val score_segmentation(const Session& session, int predicted_id, int truth_id) {
  return guarded([&] {
    val out = val::array();
    int n = 0;
    for (const auto& s : metrics::score_brats(session.volume(predicted_id), session.volume(truth_id))) {
      val row = val::object();
      row.set("region", s.region);
      row.set("dice", s.dice);
      row.set("hd95", s.hd95_mm ? val(*s.hd95_mm) : val::null());
      row.set("predictedVoxels", static_cast<double>(s.predicted_voxels));
      row.set("truthVoxels", static_cast<double>(s.truth_voxels));
      out.set(n++, row);
    }
    return out;
  });
}

// Sliding-window inference over a prepared tensor: JavaScript runs the network on each window, the
// core decides where the windows go and blends their outputs with Gaussian weights. Every method is
// guarded, so a bad size becomes a JavaScript Error rather than an abort.
class SlidingWindows {
public:
  // The channel-first input tensor [C][k][j][i] on `grid`; grid and patch as (i, j, k). The tensor is copied
  // into the core once, here, not once per window. Returns the window origins [[i, j, k], ...].
  val plan(val tensor, val grid, val patch, double overlap, int input_channels) {
    return guarded([&] {
      if (input_channels < 1) throw InvalidInputError("a network input needs at least one channel");
      plan_ = segmentation::plan_windows(index3(grid), index3(patch), overlap);
      input_channels_ = input_channels;
      input_ = emscripten::convertJSArrayToNumberVector<float>(tensor);
      stitcher_.reset();
      val out = val::array();
      for (std::size_t n = 0; n < plan_->origins.size(); ++n) out.set(n, index3_to_js(plan_->origins[n]));
      return out;
    });
  }

  // The input window `index`: Float32Array [C][k][j][i].
  val window(int index) const {
    return guarded([&] {
      std::vector<float> out(patch_voxels() * static_cast<std::size_t>(input_channels_));
      segmentation::extract_patch(input_, planned().volume, input_channels_, origin(index), plan_->patch, out);
      return val::global("Float32Array").new_(emscripten::typed_memory_view(out.size(), out.data()));
    });
  }

  // Adds the network's output [C][window] for window `index`; the first output fixes C.
  void add(int index, val logits) {
    guarded([&] {
      const std::vector<float> values = emscripten::convertJSArrayToNumberVector<float>(logits);
      const Index3& at = origin(index);
      if (!stitcher_) {
        if (values.empty() || values.size() % patch_voxels() != 0) {
          throw InvalidInputError("the network gave " + std::to_string(values.size()) + " values for a window of " +
                                  std::to_string(patch_voxels()) + " voxels");
        }
        stitcher_.emplace(*plan_, static_cast<int>(values.size() / patch_voxels()));
      }
      stitcher_->add(at, values);
      return 0;
    });
  }

  // The blended output on the whole grid: Float32Array [C][k][j][i].
  val result() const {
    return guarded([&] {
      if (!stitcher_) throw InvalidInputError("sliding windows: no window output was added");
      const std::vector<float> out = stitcher_->result();
      return val::global("Float32Array").new_(emscripten::typed_memory_view(out.size(), out.data()));
    });
  }

private:
  const segmentation::WindowPlan& planned() const {
    if (!plan_) throw InvalidInputError("sliding windows: call plan() first");
    return *plan_;
  }
  const Index3& origin(int index) const {
    if (index < 0 || static_cast<std::size_t>(index) >= planned().origins.size()) {
      throw InvalidInputError("sliding windows: no window " + std::to_string(index));
    }
    return plan_->origins[static_cast<std::size_t>(index)];
  }
  std::size_t patch_voxels() const {
    const auto& p = planned().patch;
    return static_cast<std::size_t>(p[0] * p[1] * p[2]);
  }

  std::optional<segmentation::WindowPlan> plan_;
  std::optional<segmentation::Stitcher> stitcher_;
  std::vector<float> input_;
  int input_channels_ = 0;
};

}  // namespace
}  // namespace gliolens::js

EMSCRIPTEN_BINDINGS(gliolens_segmentation) {
  emscripten::function("prepareSegmentation", &gliolens::js::prepare_segmentation);
  emscripten::function("firstStageLabels", &gliolens::js::first_stage_labels);
  emscripten::function("prepareRefinement", &gliolens::js::prepare_refinement);
  emscripten::function("finishSegmentation", &gliolens::js::finish_segmentation);
  emscripten::function("dropSegmentation", &gliolens::js::drop_segmentation);
  emscripten::function("mirrorTensor", &gliolens::js::mirror_tensor);
  emscripten::function("saveVolume", &gliolens::js::save_volume);
  emscripten::function("scoreSegmentation", &gliolens::js::score_segmentation);
  emscripten::class_<gliolens::js::SlidingWindows>("SlidingWindows")
      .constructor<>()
      .function("plan", &gliolens::js::SlidingWindows::plan)
      .function("window", &gliolens::js::SlidingWindows::window)
      .function("add", &gliolens::js::SlidingWindows::add)
      .function("result", &gliolens::js::SlidingWindows::result);
}
