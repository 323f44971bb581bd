// Native side of the I/O benchmark: for each file, read (gz), reorient to RAS, resample to 1 mm
// (trilinear, IBSI grid) and z-score within the non-zero mask; prints one JSON line of milliseconds.
#include "core/errors.hpp"
#include "core/imaging/preprocess.hpp"

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: io_native REPEATS FILE...\n");
    return 2;
  }
  const int repeats = std::stoi(argv[1]);
  gliolens::ConvertOptions options;
  options.reorient = "RAS";
  options.spacing = std::array<double, 3>{1, 1, 1};
  options.interpolator = gliolens::Interpolator::linear;
  options.normalize = "zscore";
  try {
    for (int r = 0; r < repeats; ++r) {
      gliolens::StageTimes total;
      for (int i = 2; i < argc; ++i) {
        gliolens::StageTimes t;
        const auto result = gliolens::preprocess_file(argv[i], options, t);
        total.read_ms += t.read_ms;
        total.reorient_ms += t.reorient_ms;
        total.resample_ms += t.resample_ms;
        total.normalize_ms += t.normalize_ms;
      }
      std::printf("{\"load\": %.1f, \"reorient\": %.1f, \"resample\": %.1f, \"normalize\": %.1f}\n", total.read_ms,
                  total.reorient_ms, total.resample_ms, total.normalize_ms);
    }
  } catch (const gliolens::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
