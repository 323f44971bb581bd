// Image I/O and preprocessing for JavaScript: read a volume's voxels (tests, app), convert a file
// (the CLI's `convert`), check that files share one grid, write a loaded volume. Free functions over paths (and the
// Session for a loaded volume); every error becomes a JavaScript Error naming the file (js_convert.hpp).
#include "core/imaging/preprocess.hpp"
#include "core/imaging/same_grid.hpp"
#include "core/io/nifti.hpp"
#include "wasm/js_convert.hpp"
#include "wasm/session.hpp"

#include <emscripten/bind.h>

namespace gliolens::js {
namespace {

bool has(const val& options, const char* key) {
  return options.typeOf().as<std::string>() == "object" && !options[key].isUndefined() && !options[key].isNull();
}

std::array<double, 3> triple(const val& v, const char* what) {
  if (v["length"].as<int>() != 3) throw InvalidInputError(std::string(what) + ": three numbers expected");
  return {v[0].as<double>(), v[1].as<double>(), v[2].as<double>()};
}

ReadOptions read_options(const val& options) {
  ReadOptions read;
  if (has(options, "volume")) read.volume_index = static_cast<std::int64_t>(options["volume"].as<double>());
  if (has(options, "maxVoxels")) read.max_voxels = static_cast<std::int64_t>(options["maxVoxels"].as<double>());
  return read;
}

val grid_to_js(const Grid& g) {
  val out = val::object();
  out.set("dims", to_array(std::vector<std::int64_t>(g.dims.begin(), g.dims.end())));
  const auto s = g.spacing();
  out.set("spacing", to_array(std::vector<double>(s.begin(), s.end())));
  out.set("affine", matrix_rows(g.affine));
  out.set("orientation", orientation_code(g.affine));
  out.set("qformCode", g.qform_code);
  out.set("sformCode", g.sform_code);
  return out;
}

// {header, warnings, grid, data: Float32Array (a copy, x fastest)}.
val read_volume(const std::string& path, const std::string& name, const val& options) {
  return guarded([&] {
    const NiftiImage image = read_nifti(path, read_options(options), name);
    val out = val::object();
    out.set("header", header_to_js(image.header));
    out.set("warnings", to_array(image.warnings));
    out.set("grid", grid_to_js(image.volume.grid));
    const auto& v = image.volume.voxels;
    out.set("data", val(emscripten::typed_memory_view(v.size(), v.data())).call<val>("slice"));
    return out;
  });
}

ConvertOptions convert_options(const val& options) {
  ConvertOptions o;
  o.read = read_options(options);
  if (has(options, "reorient")) o.reorient = options["reorient"].as<std::string>();
  if (has(options, "spacing")) o.spacing = triple(options["spacing"], "spacing");
  if (has(options, "interp")) o.interpolator = parse_interpolator(options["interp"].as<std::string>());
  if (has(options, "normalize")) o.normalize = options["normalize"].as<std::string>();
  if (has(options, "clip")) {
    const val c = options["clip"];
    o.clip = std::array<double, 2>{c[0].as<double>(), c[1].as<double>()};
  }
  return o;
}

// options: {reorient: "RAS", spacing: [sx, sy, sz], interp: "linear", normalize: "zscore",
// clip: [lo, hi], volume: n}. Returns {input: header, output: grid + datatype, warnings}.
val convert(const std::string& input, const std::string& output, const std::string& name, const val& options) {
  return guarded([&] {
    const ConvertOptions o = convert_options(options);
    const ConvertResult r = convert_file(input, output, o, name);
    val out = val::object();
    out.set("input", header_to_js(r.input));
    val grid = grid_to_js(r.output.grid);
    grid.set("datatype", stored_type_name(r.stored));
    out.set("output", grid);
    out.set("warnings", to_array(r.warnings));
    return out;
  });
}

// The convert pipeline in memory, nothing written: {output: grid, times: {readMs, reorientMs,
// resampleMs, normalizeMs}} (the benchmark's WASM side).
val preprocess(const std::string& input, const std::string& name, const val& options) {
  return guarded([&] {
    StageTimes t;
    const ConvertResult r = preprocess_file(input, convert_options(options), t, name);
    val out = val::object();
    out.set("output", grid_to_js(r.output.grid));
    val times = val::object();
    times.set("readMs", t.read_ms);
    times.set("reorientMs", t.reorient_ms);
    times.set("resampleMs", t.resample_ms);
    times.set("normalizeMs", t.normalize_ms);
    out.set("times", times);
    return out;
  });
}

// Reads the headers of `paths` and reports whether they share one grid: {same, difference}.
val compare_grids(const val& paths, double tolerance_mm) {
  return guarded([&] {
    const auto list = emscripten::vecFromJSArray<std::string>(paths);
    val out = val::object();
    out.set("same", true);
    out.set("difference", std::string());
    if (list.empty()) return out;
    auto grid_of = [](const std::string& p) {
      const NiftiHeader h = read_nifti_header(p);
      Grid g;
      for (int d = 0; d < 3; ++d) g.dims[d] = d < static_cast<int>(h.dims.size()) ? h.dims[d] : 1;
      g.affine = h.affine;
      return g;
    };
    const Grid first = grid_of(list[0]);
    for (std::size_t i = 1; i < list.size(); ++i) {
      const std::string diff = grid_difference(first, grid_of(list[i]), GridTolerance{tolerance_mm});
      if (!diff.empty()) {
        out.set("same", false);
        out.set("difference", list[i] + ": " + diff + " (vs " + list[0] + ")");
        break;
      }
    }
    return out;
  });
}

// Writes a loaded volume as NIfTI at `path` with its own qform/sform; datatype uint8, int16 or float32.
void save_volume(const Session& session, int id, const std::string& path, const std::string& datatype) {
  guarded([&] {
    const StoredType type = datatype == "uint8" ? StoredType::uint8 : datatype == "int16" ? StoredType::int16
                            : datatype == "float32" ? StoredType::float32
                            : throw InvalidInputError("datatype must be uint8, int16 or float32, not " + datatype);
    write_nifti(path, session.volume(id), type);
    return 0;
  });
}

}  // namespace
}  // namespace gliolens::js

EMSCRIPTEN_BINDINGS(gliolens_io) {
  emscripten::function("ioReadVolume", &gliolens::js::read_volume);
  emscripten::function("ioConvert", &gliolens::js::convert);
  emscripten::function("ioPreprocess", &gliolens::js::preprocess);
  emscripten::function("ioCompareGrids", &gliolens::js::compare_grids);
  emscripten::function("saveVolume", &gliolens::js::save_volume);
}
