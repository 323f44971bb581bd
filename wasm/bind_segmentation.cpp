// Segmentation around networks that run in JavaScript (ONNX Runtime): a SegmentationRun (core) reads the manifest,
// prepares each network's input and turns the networks' outputs into a label volume on the input's own grid; JavaScript
// only carries tensors between it and ONNX Runtime (with the sliding windows and mirroring below).
#include "core/segmentation/manifest.hpp"
#include "core/segmentation/segmentation_run.hpp"
#include "core/segmentation/sliding_window.hpp"
#include "core/segmentation/whole_brain_model.hpp"
#include "wasm/js_convert.hpp"
#include "wasm/network_tensors.hpp"
#include "wasm/session.hpp"

#include <emscripten/bind.h>

#include <optional>

namespace gliolens::js {
namespace {

using segmentation::Index3;

Index3 index3(const val& array) {
  // Embind reads JS numbers as double; 64-bit integers would need BigInt.
  const auto at = [&](int i) { return static_cast<std::int64_t>(std::llround(array[i].as<double>())); };
  return {at(0), at(1), at(2)};
}

val index3_to_js(const Index3& v) {
  val out = val::array();
  for (int a = 0; a < 3; ++a) out.set(a, static_cast<double>(v[a]));
  return out;
}

// A stage's network input as JavaScript: {tensor: Float32Array [C][k][j][i], channels, grid (i, j, k), windowStart,
// window (the patch its network runs on), overlap}.
val network_input_to_js(const segmentation::NetworkInput& input, const Index3& window, double overlap) {
  val out = val::object();
  out.set("tensor", float32_array(input.tensor));
  out.set("channels", input.channels);
  out.set("grid", index3_to_js(input.grid));
  out.set("windowStart", index3_to_js(input.window_start));
  out.set("window", index3_to_js(window));
  out.set("overlap", overlap);
  return out;
}

// Checks a manifest's text (the core's one reader): throws an Error naming `source` and the key when the code cannot
// run it. Returns {name, version, twoStage}.
val read_segmentation_manifest(const std::string& text, const std::string& source) {
  return guarded([&] {
    const auto manifest = segmentation::parse_segmentation_manifest(text, source);
    val out = val::object();
    out.set("name", manifest.name);
    out.set("version", manifest.version);
    out.set("twoStage", manifest.refine.has_value());
    return out;
  });
}

// One segmentation of four loaded volumes (see core/segmentation/segmentation_run.hpp), held by JavaScript and freed
// with .delete(). The run reads the Session's volumes without copying them, so every call first checks they are still
// loaded (one may be released while a network runs).
class JsSegmentationRun {
public:
  JsSegmentationRun(Session& session, std::vector<int> ids, segmentation::SegmentationRun run)
      : session_(&session), ids_(std::move(ids)), run_(std::move(run)) {}

  bool two_stage() const { return run_.two_stage(); }
  std::string name() const { return run_.manifest().name; }

  // The first network's input (network_input_to_js) and {warnings}: the input is unlike what the model was trained on.
  val first_input() const {
    return guarded([&] {
      check_loaded();
      const auto& manifest = run_.manifest();
      val out = network_input_to_js(run_.first_input(), run_.first_window(), manifest.inference.overlap);
      out.set("warnings", to_array(run_.warnings()));
      return out;
    });
  }

  // The first network's region logits over its whole grid.
  void set_first_output(val logits) {
    guarded([&] {
      check_loaded();
      run_.set_first_output(emscripten::convertJSArrayToNumberVector<float>(logits));
      return 0;
    });
  }

  // The second network's input: the box around the first stage's tumour at full resolution; no tumour: grid
  // [0, 0, 0] and an empty tensor.
  val refine_input() {
    return guarded([&] {
      check_loaded();
      const auto& input = run_.refine_input();
      const Index3 window = input.tensor.empty() ? input.grid : run_.refine_window();
      return network_input_to_js(input, window, run_.manifest().refine->inference.overlap);
    });
  }

  void set_refine_output(val logits) {
    guarded([&] {
      check_loaded();
      run_.set_refine_output(emscripten::convertJSArrayToNumberVector<float>(logits));
      return 0;
    });
  }

  // The labels as a new loaded volume on the T1's grid: {id}.
  val finish() {
    return guarded([&] {
      check_loaded();
      val out = val::object();
      out.set("id", session_->add(run_.finish()));
      return out;
    });
  }

private:
  void check_loaded() const {
    for (const int id : ids_) static_cast<void>(session_->volume(id));
  }

  Session* session_;
  std::vector<int> ids_;
  segmentation::SegmentationRun run_;
};

// ids: [T1, T1c, T2, FLAIR] volume ids; `manifest` the manifest's JSON text (`source` names it in errors). Prepares
// the first network's input.
JsSegmentationRun start_segmentation(Session& session, val ids, const std::string& manifest, const std::string& source,
                                     bool keep_small_components) {
  return guarded([&] {
    std::vector<int> modality_ids;
    std::vector<const Volume*> modalities;
    for (int i = 0; i < ids["length"].as<int>(); ++i) {
      modality_ids.push_back(ids[i].as<int>());
      modalities.push_back(&session.volume(modality_ids.back()));
    }
    segmentation::SegmentationRun run(segmentation::parse_segmentation_manifest(manifest, source), modalities,
                                      {.keep_small_components = keep_small_components});
    return JsSegmentationRun(session, std::move(modality_ids), std::move(run));
  });
}

// Test-time mirroring: flips a channel-first tensor along axis 0 (i), 1 (j) or 2 (k).
val mirror_tensor(val tensor, int channels, val grid, int axis) {
  return guarded([&] {
    std::vector<float> values = emscripten::convertJSArrayToNumberVector<float>(tensor);
    segmentation::mirror(values, channels, index3(grid), axis);
    return float32_array(values);
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
      return float32_array(out);
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
      return float32_array(out);
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
  namespace js = gliolens::js;
  emscripten::function("readSegmentationManifest", &js::read_segmentation_manifest);
  emscripten::function("startSegmentation", &js::start_segmentation);
  emscripten::function("mirrorTensor", &js::mirror_tensor);
  emscripten::class_<js::JsSegmentationRun>("SegmentationRun")
      .function("twoStage", &js::JsSegmentationRun::two_stage)
      .function("name", &js::JsSegmentationRun::name)
      .function("firstInput", &js::JsSegmentationRun::first_input)
      .function("setFirstOutput", &js::JsSegmentationRun::set_first_output)
      .function("refineInput", &js::JsSegmentationRun::refine_input)
      .function("setRefineOutput", &js::JsSegmentationRun::set_refine_output)
      .function("finish", &js::JsSegmentationRun::finish);
  emscripten::class_<js::SlidingWindows>("SlidingWindows")
      .constructor<>()
      .function("plan", &js::SlidingWindows::plan)
      .function("window", &js::SlidingWindows::window)
      .function("add", &js::SlidingWindows::add)
      .function("result", &js::SlidingWindows::result);
}
