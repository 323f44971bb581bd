#include "core/imaging/preprocess.hpp"

#include "core/errors.hpp"
#include "core/imaging/intensity.hpp"
#include "core/imaging/reorient.hpp"

#include <chrono>
#include <cmath>

namespace gliolens {

Interpolator parse_interpolator(const std::string& name) {
  if (name == "nearest") return Interpolator::nearest;
  if (name == "linear") return Interpolator::linear;
  if (name == "bspline") return Interpolator::bspline;
  throw InvalidInputError("interpolator \"" + name + "\": use nearest, linear or bspline");
}

std::string stored_type_name(StoredType type) {
  switch (type) {
    case StoredType::uint8: return "UINT8";
    case StoredType::int8: return "INT8";
    case StoredType::int16: return "INT16";
    case StoredType::uint16: return "UINT16";
    case StoredType::int32: return "INT32";
    case StoredType::uint32: return "UINT32";
    case StoredType::float64: return "FLOAT64";
    case StoredType::float32: break;
  }
  return "FLOAT32";
}

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

ConvertResult convert_volume(NiftiImage image, const ConvertOptions& options, StageTimes* times) {
  StageTimes local;
  StageTimes& t = times ? *times : local;
  ConvertResult result;
  result.input = std::move(image.header);
  result.warnings = std::move(image.warnings);
  Volume v = std::move(image.volume);
  auto start = Clock::now();
  if (!options.reorient.empty()) v = reorient(v, options.reorient);
  t.reorient_ms = ms_since(start);
  start = Clock::now();
  if (options.spacing) {
    for (const double s : *options.spacing) {
      if (!(s > 0) || !std::isfinite(s)) throw InvalidInputError("resample: spacing must be positive millimetres");
    }
    v = resample(v, *options.spacing, options.interpolator);
  }
  t.resample_ms = ms_since(start);
  start = Clock::now();
  if (options.clip || !options.normalize.empty()) {
    const Volume mask = brain_mask(v, MaskMethod::nonzero);
    if (options.clip) v = clip_percentiles(v, (*options.clip)[0], (*options.clip)[1], &mask);
    if (options.normalize == "zscore") {
      v = zscore(v, mask);
    } else if (!options.normalize.empty()) {
      throw InvalidInputError("normalize \"" + options.normalize + "\": only zscore is available");
    }
  }
  t.normalize_ms = ms_since(start);
  // Keep the file's datatype when every value still fits it (reorienting, nearest resampling);
  // interpolated or normalised values are written as float32.
  const StoredType source = stored_type_for(v.source_datatype);
  result.stored = fits_stored_type(v, source) ? source : StoredType::float32;
  result.output = std::move(v);
  return result;
}

ConvertResult preprocess_file(const std::string& input, const ConvertOptions& options, StageTimes& times,
                              const std::string& input_name) {
  const auto start = Clock::now();
  NiftiImage image = read_nifti(input, options.read, input_name);
  times.read_ms = ms_since(start);
  return convert_volume(std::move(image), options, &times);
}

ConvertResult convert_file(const std::string& input, const std::string& output, const ConvertOptions& options,
                           const std::string& input_name) {
  ConvertResult result = convert_volume(read_nifti(input, options.read, input_name), options);
  write_nifti(output, result.output, result.stored);
  return result;
}

}  // namespace gliolens
