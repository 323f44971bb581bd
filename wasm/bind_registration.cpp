// Registration for JavaScript: one loaded volume onto another (rigid or affine, Mattes mutual information), and a
// loaded volume laid on another's grid through the resulting transform (core/registration).
#include "core/imaging/preprocess.hpp"
#include "core/imaging/resample.hpp"
#include "core/registration/apply.hpp"
#include "core/registration/registration.hpp"
#include "core/registration/template_check.hpp"
#include "wasm/js_convert.hpp"
#include "wasm/session.hpp"

#include <emscripten/bind.h>

namespace gliolens::js {
namespace {

bool has(const val& options, const char* key) {
  return options.typeOf().as<std::string>() == "object" && !options[key].isUndefined() && !options[key].isNull();
}

registration::Options registration_options(const val& options) {
  registration::Options o;
  if (has(options, "affine") && options["affine"].as<bool>()) o.kind = registration::TransformKind::affine;
  if (has(options, "init")) {
    const auto init = options["init"].as<std::string>();
    if (init == "moments") o.initialisation = registration::Initialisation::moments;
    else if (init == "header") o.initialisation = registration::Initialisation::header;
    else throw InvalidInputError("registration: init must be 'header' or 'moments', not '" + init + "'");
  }
  if (has(options, "levels")) o.level_spacings_mm = emscripten::vecFromJSArray<double>(options["levels"]);
  if (has(options, "samples")) o.samples = options["samples"].as<int>();
  if (has(options, "bins")) o.bins = options["bins"].as<int>();
  if (has(options, "maxIterations")) o.max_iterations = options["maxIterations"].as<int>();
  if (has(options, "minStepMm")) o.min_step_mm = options["minStepMm"].as<double>();
  return o;
}

Eigen::Matrix4d matrix_from_rows(const val& rows) {
  if (rows["length"].as<int>() != 4) throw InvalidInputError("registration: a 4x4 matrix (four rows) expected");
  Eigen::Matrix4d m;
  for (int r = 0; r < 4; ++r) {
    const val row = rows[r];
    if (row["length"].as<int>() != 4) throw InvalidInputError("registration: a 4x4 matrix (four numbers a row) expected");
    for (int c = 0; c < 4; ++c) m(r, c) = row[c].as<double>();
  }
  return m;
}

// options: {affine, init: 'header'|'moments', levels: [mm...], samples, bins, maxIterations, minStepMm,
// fixedMaskId, movingMaskId (brain masks: each image read as stripped)}. Returns {matrix (fixed world -> moving world,
// rows), mutualInformation, normalizedMutualInformation, initialMutualInformation, overlap, iterations, converged,
// levels, warnings}.
val register_volumes(const Session& session, int fixed_id, int moving_id, const val& options) {
  return guarded([&] {
    const registration::Options o = registration_options(options);
    registration::Masks masks;
    if (has(options, "fixedMaskId")) masks.fixed = &session.volume(options["fixedMaskId"].as<int>());
    if (has(options, "movingMaskId")) masks.moving = &session.volume(options["movingMaskId"].as<int>());
    const auto r = registration::register_images(session.volume(fixed_id), session.volume(moving_id), o, masks);
    val out = val::object();
    out.set("kind", o.kind == registration::TransformKind::affine ? "affine" : "rigid");
    out.set("matrix", matrix_rows(r.matrix));
    out.set("mutualInformation", r.mutual_information);
    out.set("normalizedMutualInformation", r.normalized_mutual_information);
    out.set("initialMutualInformation", r.initial_mutual_information);
    out.set("overlap", r.overlap);
    out.set("iterations", r.iterations);
    out.set("converged", r.converged);
    val levels = val::array();
    for (std::size_t n = 0; n < r.levels.size(); ++n) {
      const auto& l = r.levels[n];
      val level = val::object();
      level.set("stage", l.stage);
      level.set("spacingMm", l.spacing_mm);
      level.set("iterations", l.iterations);
      level.set("converged", l.converged);
      level.set("mutualInformation", l.mutual_information);
      level.set("samples", static_cast<double>(l.samples));
      levels.set(n, level);
    }
    out.set("levels", levels);
    out.set("warnings", to_array(r.warnings));
    return out;
  });
}

// Loaded volume `moving_id` sampled through `matrix` (fixed world -> moving world) on the grid of loaded volume
// `reference_id` (options.spacing: that grid resampled to [sx, sy, sz] mm first); options.interp: 'nearest',
// 'linear' (default) or 'bspline'. Returns the new volume's id.
int resample_through(Session& session, int moving_id, int reference_id, const val& matrix, const val& options) {
  return guarded([&] {
    const Interpolator interp =
        has(options, "interp") ? parse_interpolator(options["interp"].as<std::string>()) : Interpolator::linear;
    Grid grid = session.volume(reference_id).grid;
    if (has(options, "spacing")) {
      const auto s = emscripten::vecFromJSArray<double>(options["spacing"]);
      if (s.size() != 3) throw InvalidInputError("spacing: three numbers expected");
      grid = resampled_grid(grid, {s[0], s[1], s[2]});
    }
    return session.add(registration::resample_through(session.volume(moving_id), grid, matrix_from_rows(matrix), interp));
  });
}

// The outline of loaded skull-stripped template `template_id`'s brain as a new loaded label volume on its grid: its id.
int template_outline(Session& session, int template_id) {
  return guarded([&] { return session.add(registration::template_outline(session.volume(template_id))); });
}

// Dice between loaded brain mask `mask_id` and loaded template `template_id`'s brain (non-zero voxels), one grid.
double template_brain_dice(const Session& session, int mask_id, int template_id) {
  return guarded([&] { return registration::template_brain_dice(session.volume(mask_id), session.volume(template_id)); });
}

}  // namespace
}  // namespace gliolens::js

EMSCRIPTEN_BINDINGS(gliolens_registration) {
  emscripten::function("registerVolumes", &gliolens::js::register_volumes);
  emscripten::function("resampleThrough", &gliolens::js::resample_through);
  emscripten::function("templateOutline", &gliolens::js::template_outline);
  emscripten::function("templateBrainDice", &gliolens::js::template_brain_dice);
}
