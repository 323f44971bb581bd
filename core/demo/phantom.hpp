// The demo case: a synthetic four-modality glioma phantom with its ground-truth labels. The real
// BraTS data cannot ship with the app, so this is what "Load demo case" shows (marked synthetic).
#pragma once
#include "core/volume.hpp"

#include <cstdint>

namespace gliolens {

// BraTS label values.
enum class TumourLabel : std::uint8_t { background = 0, necrotic_core = 1, edema = 2, enhancing = 4 };

struct DemoCase {
  Volume t1, t1c, t2, flair;
  Volume segmentation;  // TumourLabel values
};

struct PhantomOptions {
  std::array<std::int64_t, 3> dims{160, 192, 144};  // 1 mm voxels, RAS+
  std::uint64_t seed = 2023;
  double noise_fraction = 0.03;  // Gaussian noise as a fraction of white-matter intensity
};

[[nodiscard]] DemoCase make_demo_case(const PhantomOptions& options = {});

}  // namespace gliolens
