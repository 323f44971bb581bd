// The conversion pipeline behind `gliolens convert` and the benchmark: read, optionally reorient,
// resample to a spacing, normalise, and write in the datatype that keeps the values.
#pragma once
#include "core/imaging/resample.hpp"
#include "core/io/nifti.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace gliolens {

struct ConvertOptions {
  std::string reorient;                            // "" keeps the axes; else a code such as "RAS"
  std::optional<std::array<double, 3>> spacing;   // resample to this spacing (mm), IBSI centre-aligned
  Interpolator interpolator = Interpolator::linear;
  std::string normalize;                           // "" or "zscore" (within the non-zero mask)
  std::optional<std::array<double, 2>> clip;       // percentile clipping (within the non-zero mask) first
  ReadOptions read;
};

// Milliseconds spent in each stage (for the benchmark); stages not run stay 0.
struct StageTimes {
  double read_ms = 0, reorient_ms = 0, resample_ms = 0, normalize_ms = 0;
};

struct ConvertResult {
  NiftiHeader input;
  Volume output;
  StoredType stored = StoredType::float32;
  std::vector<std::string> warnings;
};

// Applies the options to an image in memory (no file written).
[[nodiscard]] ConvertResult convert_volume(NiftiImage image, const ConvertOptions& options,
                                           StageTimes* times = nullptr);

// Reads `input` and converts it in memory, timing each stage.
[[nodiscard]] ConvertResult preprocess_file(const std::string& input, const ConvertOptions& options,
                                            StageTimes& times, const std::string& input_name = {});

// Reads `input`, converts, writes `output`. Errors name the file they concern.
ConvertResult convert_file(const std::string& input, const std::string& output, const ConvertOptions& options,
                           const std::string& input_name = {});

// "nearest" | "linear" | "bspline" -> Interpolator; throws InvalidInputError otherwise.
[[nodiscard]] Interpolator parse_interpolator(const std::string& name);

// The name of a StoredType as NiftiHeader spells datatypes ("INT16").
[[nodiscard]] std::string stored_type_name(StoredType type);

}  // namespace gliolens
