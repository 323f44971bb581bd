// The FLAIR-only network around ONNX Runtime in JavaScript: the core reorients, scales and samples the FLAIR's axial
// slices onto the network's window (core/segmentation/flair_model.hpp) and turns the network's logits into the
// FLAIR-abnormality mask on the FLAIR's own grid; JavaScript only carries the tensors to ONNX Runtime and back.
#include "core/segmentation/flair_model.hpp"
#include "core/segmentation/manifest.hpp"
#include "wasm/js_convert.hpp"
#include "wasm/network_tensors.hpp"
#include "wasm/session.hpp"

#include <emscripten/bind.h>

namespace gliolens::js {
namespace {

val model_facts(const segmentation::FlairManifest& manifest) {
  val out = val::object();
  out.set("name", manifest.name);
  out.set("version", manifest.version);
  out.set("region", manifest.region);
  out.set("label", static_cast<int>(manifest.spec.label));
  out.set("slicesPerRun", static_cast<double>(manifest.spec.slices_per_run));
  return out;
}

// Checks a FLAIR model's manifest text (the core's one reader): throws an Error naming `source` and the key.
// Returns {name, version, region, label, slicesPerRun}.
val read_flair_manifest(const std::string& text, const std::string& source) {
  return guarded([&] { return model_facts(segmentation::parse_flair_manifest(text, source)); });
}

// One FLAIR segmentation of a loaded scan, held by JavaScript and freed with .delete().
class JsFlairSegmentation {
public:
  JsFlairSegmentation(Session& session, int id, segmentation::FlairManifest manifest)
      : session_(&session), id_(id), manifest_(std::move(manifest)), input_(segmentation::prepare_flair_input(session.volume(id), manifest_.spec)) {}

  // {name, version, region, label, slicesPerRun} of the model the run was started with.
  val model() const { return guarded([&] { return model_facts(manifest_); }); }

  // {tensor: Float32Array [S, 1, H, W], dims: [S, 1, H, W], slices: the kept slices' k (model orientation), centre:
  // the window's centre (i, j voxels), scale: the intensity divisor}. The core drops its copy of the tensor: it is
  // handed over once.
  val input() {
    return guarded([&] {
      val out = val::object();
      out.set("tensor", hand_over(input_.tensor));
      out.set("dims", to_array(std::vector<std::int64_t>{static_cast<std::int64_t>(input_.slices.size()), 1, input_.height, input_.width}));
      out.set("slices", to_array(input_.slices));
      out.set("centre", to_array(std::vector<double>(input_.centre.begin(), input_.centre.end())));
      out.set("scale", input_.scale);
      return out;
    });
  }

  // The mask from the network's logits [S, 1, H, W] as a new loaded volume on the scan's grid: {id}.
  val finish(val logits) {
    return guarded([&] {
      return add_mask_from_logits(*session_, logits, [&](const std::vector<float>& values) {
        return segmentation::flair_mask_from_logits(session_->volume(id_), input_, values, manifest_.spec);
      });
    });
  }

private:
  Session* session_;
  int id_;
  segmentation::FlairManifest manifest_;
  segmentation::FlairInput input_;
};

JsFlairSegmentation start_flair_segmentation(Session& session, int id, const std::string& manifest, const std::string& source) {
  return guarded([&] { return JsFlairSegmentation(session, id, segmentation::parse_flair_manifest(manifest, source)); });
}

}  // namespace
}  // namespace gliolens::js

EMSCRIPTEN_BINDINGS(gliolens_flair) {
  namespace js = gliolens::js;
  emscripten::function("readFlairManifest", &js::read_flair_manifest);
  emscripten::function("startFlairSegmentation", &js::start_flair_segmentation);
  emscripten::class_<js::JsFlairSegmentation>("FlairSegmentation")
      .function("model", &js::JsFlairSegmentation::model)
      .function("input", &js::JsFlairSegmentation::input)
      .function("finish", &js::JsFlairSegmentation::finish);
}
