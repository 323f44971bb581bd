// Brain extraction around a network that runs in JavaScript (ONNX Runtime): the core conforms, scales and crops the
// scan (core/segmentation/brain_extraction.hpp) and turns the network's logits into a brain mask on the scan's grid;
// JavaScript only carries the tensor to ONNX Runtime and back.
#include "core/segmentation/brain_extraction.hpp"
#include "core/segmentation/manifest.hpp"
#include "wasm/js_convert.hpp"
#include "wasm/network_tensors.hpp"
#include "wasm/session.hpp"

#include <emscripten/bind.h>

namespace gliolens::js {
namespace {

// Checks a brain-extraction manifest's text (the core's one reader): throws an Error naming `source` and the key.
// Returns {name, version}.
val read_brain_extraction_manifest(const std::string& text, const std::string& source) {
  return guarded([&] {
    const auto manifest = segmentation::parse_brain_extraction_manifest(text, source);
    val out = val::object();
    out.set("name", manifest.name);
    out.set("version", manifest.version);
    return out;
  });
}

// One brain extraction of a loaded scan, held by JavaScript and freed with .delete().
class JsBrainExtraction {
public:
  JsBrainExtraction(Session& session, int id, segmentation::BrainExtractionManifest manifest)
      : session_(&session), id_(id), manifest_(std::move(manifest)),
        input_(segmentation::prepare_brain_extraction(session.volume(id), manifest_.spec)) {}

  // {tensor: Float32Array, dims: [1, 1, a, b, c], boxStart, boxSize (i, j, k on the conformed grid)}. The core
  // drops its copy of the tensor: it is handed over once.
  val input() {
    return guarded([&] {
      val out = val::object();
      out.set("tensor", hand_over(input_.tensor));
      const auto& d = input_.tensor_dims;
      out.set("dims", to_array(std::vector<std::int64_t>{1, 1, d[0], d[1], d[2]}));
      out.set("boxStart", to_array(std::vector<std::int64_t>(input_.box_start.begin(), input_.box_start.end())));
      out.set("boxSize", to_array(std::vector<std::int64_t>(input_.box_size.begin(), input_.box_size.end())));
      return out;
    });
  }

  // The mask from the network's logits as a new loaded volume on the scan's grid: {id}.
  val finish(val logits) {
    return guarded([&] {
      return add_mask_from_logits(*session_, logits, [&](const std::vector<float>& values) {
        return segmentation::brain_mask_from_logits(session_->volume(id_), input_, values, manifest_.spec);
      });
    });
  }

private:
  Session* session_;
  int id_;
  segmentation::BrainExtractionManifest manifest_;
  segmentation::BrainExtractionInput input_;
};

JsBrainExtraction start_brain_extraction(Session& session, int id, const std::string& manifest, const std::string& source) {
  return guarded([&] { return JsBrainExtraction(session, id, segmentation::parse_brain_extraction_manifest(manifest, source)); });
}

// The scan with its voxels outside the mask set to 0, as a new loaded volume: its id.
int strip_brain(Session& session, int scan_id, int mask_id) {
  return guarded([&] { return session.add(segmentation::apply_brain_mask(session.volume(scan_id), session.volume(mask_id))); });
}

}  // namespace
}  // namespace gliolens::js

EMSCRIPTEN_BINDINGS(gliolens_brain_extraction) {
  namespace js = gliolens::js;
  emscripten::function("readBrainExtractionManifest", &js::read_brain_extraction_manifest);
  emscripten::function("startBrainExtraction", &js::start_brain_extraction);
  emscripten::function("stripBrain", &js::strip_brain);
  emscripten::class_<js::JsBrainExtraction>("BrainExtraction")
      .function("input", &js::JsBrainExtraction::input)
      .function("finish", &js::JsBrainExtraction::finish);
}
