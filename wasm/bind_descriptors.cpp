// Tumour descriptors of a loaded segmentation (core/descriptors): tumourDescriptors(session, segId).
#include "core/descriptors/sri24_landmarks.hpp"
#include "core/descriptors/tumour_descriptors.hpp"
#include "wasm/js_convert.hpp"
#include "wasm/session.hpp"

#include <emscripten/bind.h>

namespace gliolens::js {
namespace {

// {descriptors: [{name, value (null when undefined), reason}], settings: {componentMinMl, midlineMarginMm,
// midlineXMm, ventriclesCentreMm}}; a segmentation with no tumour or labels other than 0/1/2/4 throws.
val tumour_descriptors(Session& session, int segmentation_id) {
  return guarded([&] {
    const auto list = descriptors::tumour_descriptors(session.volume(segmentation_id), &session.radiomics_cache());
    val rows = val::array();
    int n = 0;
    for (const auto& d : list) {
      val row = val::object();
      row.set("name", d.name);
      row.set("value", d.value ? val(*d.value) : val::null());
      row.set("reason", d.reason);
      rows.set(n++, row);
    }
    val settings = val::object();
    settings.set("componentMinMl", descriptors::min_component_ml);
    settings.set("midlineMarginMm", descriptors::midline_margin_mm);
    settings.set("midlineXMm", descriptors::sri24_midline_x_mm);
    val centre = val::array();
    for (int d = 0; d < 3; ++d) centre.set(d, descriptors::sri24_ventricles_centre_mm[d]);
    settings.set("ventriclesCentreMm", centre);
    val out = val::object();
    out.set("descriptors", rows);
    out.set("settings", settings);
    return out;
  });
}

}  // namespace
}  // namespace gliolens::js

EMSCRIPTEN_BINDINGS(gliolens_descriptors) {
  emscripten::function("tumourDescriptors", &gliolens::js::tumour_descriptors);
}
