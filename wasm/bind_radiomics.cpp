// Radiomic features of loaded volumes: extractFeatures(imageId, maskId, {labels, mode, params}).
#include "core/radiomics/params.hpp"
#include "wasm/js_convert.hpp"
#include "wasm/session.hpp"

#include <emscripten/bind.h>

#include <algorithm>
#include <cmath>

namespace gliolens::js {
namespace {

using radiomics::Mode;

// Per image type, the grey levels of the extraction, with the bin setting under PyRadiomics' names (binWidth or
// binCount, the other null; normalize: whether the image was normalised first):
// [{imageType, occupiedLevels, levelRange, binWidth, binCount, normalize}].
val grey_levels(const std::vector<radiomics::GreyLevelSummary>& summaries, bool normalize) {
  val list = val::array();
  int n = 0;
  for (const auto& g : summaries) {
    val row = val::object();
    row.set("imageType", g.image_type);
    row.set("occupiedLevels", g.occupied_levels);
    row.set("levelRange", g.level_range);
    row.set("binWidth", g.discretisation == radiomics::Discretisation::fixed_bin_size ? val(g.bin_width) : val::null());
    row.set("binCount", g.discretisation == radiomics::Discretisation::fixed_bin_number ? val(g.bin_count) : val::null());
    row.set("normalize", normalize);
    list.set(n++, row);
  }
  return list;
}

// extractFeatures(session, imageId, maskId, options); options: {label?: number, labels?: number[], mode?: 'pyradiomics' | 'ibsi', params?: string (YAML text)}.
// Returns {labels, mode, features: [{name, family, imageType, ibsiTag, aggregation, value, reason}], greyLevels (see
// grey_levels), warnings}.
val extract_features(Session& session, int image_id, int mask_id, val options) {
  return guarded([&] {
    const Volume& image = session.volume(image_id);
    const Volume& mask = session.volume(mask_id);
    const auto has = [&](const char* key) {
      return !options.isUndefined() && !options.isNull() && !options[key].isUndefined() && !options[key].isNull();
    };
    std::string mode_name = has("mode") ? options["mode"].as<std::string>() : "pyradiomics";
    if (mode_name != "pyradiomics" && mode_name != "ibsi")
      throw InvalidInputError("mode must be 'ibsi' or 'pyradiomics', not '" + mode_name + "'");
    const Mode mode = mode_name == "ibsi" ? Mode::ibsi : Mode::pyradiomics;
    radiomics::Params params = radiomics::default_params(mode);
    if (has("params")) {
      const std::string text = options["params"].as<std::string>();
      try {
        params = radiomics::parse_params(text, mode);
      } catch (const InvalidInputError& e) {
        throw InvalidInputError(std::string("parameter file: ") + e.what());
      }
    }
    std::vector<int> labels;
    if (has("labels")) {
      const val list = options["labels"];
      const int n = list["length"].as<int>();
      for (int i = 0; i < n; ++i) labels.push_back(list[i].as<int>());
      if (labels.empty()) throw InvalidInputError("labels: give at least one label");
    } else if (has("label")) {
      labels.push_back(options["label"].as<int>());
    } else {
      labels.push_back(params.label.value_or(1));
    }
    const radiomics::Extraction extraction =
        radiomics::extract_with_params_and_diagnostics(image, mask, labels, params, &session.radiomics_cache());
    val rows = val::array();
    int n = 0;
    for (const auto& f : extraction.features) {
      val row = val::object();
      row.set("name", f.name);
      row.set("family", f.family);
      row.set("imageType", f.name.substr(0, f.name.find('_')));
      row.set("ibsiTag", f.ibsi_tag);
      row.set("aggregation", f.aggregation);
      row.set("value", f.value ? val(*f.value) : val::null());
      row.set("reason", f.reason);
      rows.set(n++, row);
    }
    val out = val::object();
    out.set("labels", to_array(labels));
    out.set("mode", mode_name);
    out.set("features", rows);
    out.set("greyLevels", grey_levels(extraction.grey_levels, params.normalize));
    out.set("warnings", to_array(params.warnings));
    return out;
  });
}

}  // namespace
}  // namespace gliolens::js

EMSCRIPTEN_BINDINGS(gliolens_radiomics) {
  emscripten::function("extractFeatures", &gliolens::js::extract_features);
}
