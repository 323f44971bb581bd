// Tensors between the core and a network that runs in JavaScript (ONNX Runtime): the core's buffers as
// Float32Arrays, and a network's output back into the core as the mask it makes.
#pragma once
#include "wasm/session.hpp"

#include <emscripten/val.h>

#include <span>
#include <vector>

namespace gliolens::js {

using emscripten::val;

// A new Float32Array built from a view of the core's buffer copies it, so it outlives the buffer.
inline val float32_array(std::span<const float> values) {
  return val::global("Float32Array").new_(emscripten::typed_memory_view(values.size(), values.data()));
}

// A prepared network input handed to JavaScript: its Float32Array copy, and the core's buffer freed. It is handed over
// once, and a whole scan's tensor would otherwise hold tens of MB of the WASM heap while the network runs.
inline val hand_over(std::vector<float>& tensor) {
  val out = float32_array(tensor);
  std::vector<float>().swap(tensor);
  return out;
}

// The network's output (a JavaScript array of logits) made into a mask by `mask_from_logits(values)`, added to the
// session as a new loaded volume: {id}.
template <typename MaskFromLogits>
val add_mask_from_logits(Session& session, const val& logits, MaskFromLogits&& mask_from_logits) {
  const std::vector<float> values = emscripten::convertJSArrayToNumberVector<float>(logits);
  val out = val::object();
  out.set("id", session.add(mask_from_logits(values)));
  return out;
}

}  // namespace gliolens::js
