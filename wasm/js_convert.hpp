// Conversions from core types to JavaScript values, and the one place where core errors become
// JavaScript Errors (same name and message; never a raw C++ exception or abort).
#pragma once
#include "core/errors.hpp"
#include "core/io/nifti.hpp"

#include <emscripten/val.h>

#include <exception>
#include <string>
#include <type_traits>
#include <vector>

namespace gliolens::js {

using emscripten::val;

[[noreturn]] inline void throw_js_error(const std::string& name, const std::string& message) {
  val error = val::global("Error").new_(message);
  error.set("name", name);
  error.throw_();
}

// Runs `body`, turning any C++ exception into a JavaScript Error.
template <typename Body>
auto guarded(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const gliolens::Error& e) {
    throw_js_error(e.kind(), e.what());
  } catch (const std::bad_alloc&) {
    throw_js_error("OutOfMemoryError", "out of memory: the image is too large for this browser tab");
  } catch (const std::exception& e) {
    throw_js_error("GliolensError", std::string("internal error: ") + e.what());
  }
}

template <typename T>
val to_array(const std::vector<T>& values) {
  val out = val::array();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if constexpr (std::is_integral_v<T> && sizeof(T) == 8) {
      out.set(i, static_cast<double>(values[i]));  // Embind has no 64-bit integers without BigInt
    } else {
      out.set(i, values[i]);
    }
  }
  return out;
}

inline val matrix_rows(const Eigen::Matrix4d& m) {
  val rows = val::array();
  for (int r = 0; r < 4; ++r) {
    val row = val::array();
    for (int c = 0; c < 4; ++c) row.set(c, m(r, c));
    rows.set(r, row);
  }
  return rows;
}

inline val header_to_js(const NiftiHeader& h) {
  val out = val::object();
  out.set("niftiVersion", h.nifti_version);
  out.set("dims", to_array(h.dims));
  out.set("pixdim", to_array(h.pixdim));
  out.set("datatype", h.datatype);
  out.set("qformCode", h.qform_code);
  out.set("sformCode", h.sform_code);
  out.set("affine", matrix_rows(h.affine));
  out.set("orientation", h.orientation);
  out.set("sclSlope", h.scl_slope);
  out.set("sclInter", h.scl_inter);
  out.set("xyzUnits", h.xyz_units);
  out.set("description", h.description);
  return out;
}

}  // namespace gliolens::js
