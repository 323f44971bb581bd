// Survival statistics for JavaScript: cohort tables arrive as CSV text and options as JSON text, and
// every report leaves as JSON text (JSON.parse on the JS side). Text in and out keeps the binding
// thin: the workflows live in core/survival/workflow.cpp, shared with the native tests.
#include "core/common/json.hpp"
#include "core/survival/model_json.hpp"
#include "core/survival/table.hpp"
#include "core/survival/workflow.hpp"
#include "wasm/js_convert.hpp"

#include <emscripten/bind.h>

#include <string>

namespace gliolens::js {
namespace {

using gliolens::Json;
using gliolens::parse_json;

Json options_from(const std::string& text) { return text.empty() ? Json(Json::Object{}) : parse_json(text); }

std::string cox(const std::string& csv, const std::string& source, const std::string& options) {
  return guarded([&] { return survival::cox_workflow(survival::parse_csv(csv, source), options_from(options)).dump(); });
}

std::string kaplan_meier(const std::string& csv, const std::string& source, const std::string& options) {
  return guarded([&] { return survival::kaplan_meier_workflow(survival::parse_csv(csv, source), options_from(options)).dump(); });
}

std::string logistic(const std::string& csv, const std::string& source, const std::string& options) {
  return guarded([&] { return survival::logistic_workflow(survival::parse_csv(csv, source), options_from(options)).dump(); });
}

std::string table_summary(const std::string& csv, const std::string& source) {
  return guarded([&] { return survival::table_summary(survival::parse_csv(csv, source)).dump(); });
}

// model: gliolens-model JSON text; features: {name: number} as JSON text.
std::string predict(const std::string& model, const std::string& features, const std::string& options) {
  return guarded([&] {
    return survival::prediction_report(survival::model_from_json(model), parse_json(features), options_from(options)).dump();
  });
}

std::string growth(const std::string& options) {
  return guarded([&] { return survival::growth_report(options_from(options)).dump(); });
}

}  // namespace
}  // namespace gliolens::js

EMSCRIPTEN_BINDINGS(gliolens_survival) {
  emscripten::function("survivalCox", &gliolens::js::cox);
  emscripten::function("survivalKaplanMeier", &gliolens::js::kaplan_meier);
  emscripten::function("survivalLogistic", &gliolens::js::logistic);
  emscripten::function("survivalTableSummary", &gliolens::js::table_summary);
  emscripten::function("survivalPredict", &gliolens::js::predict);
  emscripten::function("survivalGrowth", &gliolens::js::growth);
}
