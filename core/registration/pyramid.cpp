#include "core/registration/pyramid.hpp"

#include "core/imaging/resample.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace gliolens::registration {
namespace {

std::array<double, 3> level_spacing(const Grid& grid, double spacing_mm) {
  const auto s = grid.spacing();
  std::array<double, 3> out{};
  // 0 keeps the axis (resample's convention); a margin keeps 0.9375 mm from being "coarsened" to 1 mm.
  for (int d = 0; d < 3; ++d) out[d] = s[d] < spacing_mm * 0.95 ? spacing_mm : 0.0;
  return out;
}

// Along `axis`: each output voxel i (at input index offset + i * scale) is the Gaussian-weighted mean of the input
// voxels around that position (sigma in input voxels, edges extended): smoothing and resampling in one pass, so
// that the later axes work on the already reduced volume.
Volume reduce_axis(const Volume& in, int axis, std::int64_t out_count, double scale, double offset, double sigma) {
  const auto radius = static_cast<std::int64_t>(std::ceil(3.0 * sigma));
  Volume out;
  out.grid = in.grid;
  out.grid.dims[axis] = out_count;
  out.name = in.name;
  out.source_datatype = in.source_datatype;
  out.voxels.resize(out.grid.voxel_count());
  const auto& d = in.grid.dims;
  const std::int64_t n = d[axis];
  const std::int64_t in_stride = axis == 0 ? 1 : axis == 1 ? d[0] : d[0] * d[1];
  const auto& od = out.grid.dims;
  const std::int64_t out_stride = axis == 0 ? 1 : axis == 1 ? od[0] : od[0] * od[1];
  // The weights of each output position, shared by every line.
  std::vector<std::int64_t> first(static_cast<std::size_t>(out_count));
  std::vector<std::vector<double>> weights(static_cast<std::size_t>(out_count));
  for (std::int64_t i = 0; i < out_count; ++i) {
    const double centre = offset + static_cast<double>(i) * scale;
    const auto lo = static_cast<std::int64_t>(std::floor(centre)) - radius;
    auto& w = weights[static_cast<std::size_t>(i)];
    w.resize(static_cast<std::size_t>(2 * radius + 2));
    double sum = 0;
    for (std::size_t t = 0; t < w.size(); ++t) {
      const double u = (static_cast<double>(lo) + static_cast<double>(t) - centre) / sigma;
      w[t] = std::exp(-0.5 * u * u);
      sum += w[t];
    }
    for (auto& x : w) x /= sum;
    first[static_cast<std::size_t>(i)] = lo;
  }
  const std::array<std::int64_t, 2> other = axis == 0 ? std::array<std::int64_t, 2>{d[1], d[2]}
                                            : axis == 1 ? std::array<std::int64_t, 2>{d[0], d[2]}
                                                        : std::array<std::int64_t, 2>{d[0], d[1]};
  std::vector<double> line(static_cast<std::size_t>(n));
  for (std::int64_t b = 0; b < other[1]; ++b)
    for (std::int64_t a = 0; a < other[0]; ++a) {
      const std::size_t in_start = axis == 0 ? in.grid.index(0, a, b) : axis == 1 ? in.grid.index(a, 0, b) : in.grid.index(a, b, 0);
      const std::size_t out_start = axis == 0 ? out.grid.index(0, a, b) : axis == 1 ? out.grid.index(a, 0, b) : out.grid.index(a, b, 0);
      const float* p = in.voxels.data() + in_start;
      for (std::int64_t i = 0; i < n; ++i) line[static_cast<std::size_t>(i)] = p[i * in_stride];
      float* q = out.voxels.data() + out_start;
      for (std::int64_t i = 0; i < out_count; ++i) {
        const auto& w = weights[static_cast<std::size_t>(i)];
        const std::int64_t lo = first[static_cast<std::size_t>(i)];
        double acc = 0;
        for (std::size_t t = 0; t < w.size(); ++t) {
          const std::int64_t j = std::clamp<std::int64_t>(lo + static_cast<std::int64_t>(t), 0, n - 1);
          acc += w[t] * line[static_cast<std::size_t>(j)];
        }
        q[i * out_stride] = static_cast<float>(acc);
      }
    }
  return out;
}

}  // namespace

Volume pyramid_level(const Volume& image, double spacing_mm) {
  const auto target = level_spacing(image.grid, spacing_mm);
  // The grid resample() would give (IBSI's centre-aligned one), filled axis by axis.
  const Grid grid = resampled_grid(image.grid, target);
  const auto s = image.grid.spacing();
  const Volume* current = &image;
  Volume level;
  for (int d = 0; d < 3; ++d) {
    if (target[d] <= 0) continue;
    const double n = static_cast<double>(image.grid.dims[d]);
    const double scale = target[d] / s[d];
    const double offset = (n - 1.0) / 2.0 - (static_cast<double>(grid.dims[d]) - 1.0) / 2.0 * scale;
    Volume next = reduce_axis(*current, d, grid.dims[d], scale, offset, 0.5 * scale);
    level = std::move(next);
    current = &level;
  }
  if (current == &image) return image;
  level.grid = grid;
  return level;
}

bool pyramid_coarsens(const Grid& grid, double spacing_mm) {
  const auto target = level_spacing(grid, spacing_mm);
  return target[0] > 0 || target[1] > 0 || target[2] > 0;
}

Volume pyramid_level_mask(const Volume& mask, double spacing_mm) {
  const auto target = level_spacing(mask.grid, spacing_mm);
  if (target[0] == 0 && target[1] == 0 && target[2] == 0) return mask;
  return resample(mask, target, Interpolator::nearest);
}

}  // namespace gliolens::registration
