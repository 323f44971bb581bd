// Scores of a segmentation against an expert's, for JavaScript: the BraTS regions' Dice and HD95.
#include "core/metrics/segmentation_scores.hpp"
#include "wasm/js_convert.hpp"
#include "wasm/session.hpp"

#include <emscripten/bind.h>

namespace gliolens::js {
namespace {

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

}  // namespace
}  // namespace gliolens::js

EMSCRIPTEN_BINDINGS(gliolens_metrics) {
  emscripten::function("scoreSegmentation", &gliolens::js::score_segmentation);
}
