#include "core/metrics/distance_transform.hpp"

#include <cmath>
#include <limits>

namespace gliolens::metrics {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

// Squared distance transform of one line f (sampled every `step` mm), in place.
void transform_line(std::vector<double>& f, double step, std::vector<double>& d, std::vector<int>& v, std::vector<double>& z) {
  const int n = static_cast<int>(f.size());
  d.assign(n, infinity);
  v.assign(n, 0);
  z.assign(n + 1, 0.0);
  int k = -1;
  for (int q = 0; q < n; ++q) {
    if (f[q] == infinity) continue;
    const double pos_q = q * step;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -infinity;
      z[1] = infinity;
      continue;
    }
    double s;
    while (true) {
      const double pos_v = v[k] * step;
      s = ((f[q] + pos_q * pos_q) - (f[v[k]] + pos_v * pos_v)) / (2 * (pos_q - pos_v));
      if (s <= z[k] && k > 0) {
        --k;
      } else {
        break;
      }
    }
    if (s <= z[k] && k == 0) {
      v[0] = q;
      z[0] = -infinity;
      z[1] = infinity;
      continue;
    }
    ++k;
    v[k] = q;
    z[k] = s;
    z[k + 1] = infinity;
  }
  if (k < 0) return;  // no finite sample on this line: all stay infinite
  int j = 0;
  for (int q = 0; q < n; ++q) {
    const double pos = q * step;
    while (z[j + 1] < pos) ++j;
    const double diff = pos - v[j] * step;
    d[q] = diff * diff + f[v[j]];
  }
  f = d;
}

}  // namespace

std::vector<double> distance_to_features(std::span<const std::uint8_t> feature, const std::array<std::int64_t, 3>& dims,
                                         const std::array<double, 3>& spacing) {
  const auto nx = dims[0], ny = dims[1], nz = dims[2];
  std::vector<double> g(feature.size());
  for (std::size_t i = 0; i < feature.size(); ++i) g[i] = feature[i] ? 0.0 : infinity;
  std::vector<double> line, d, z;
  std::vector<int> v;
  const auto pass = [&](std::int64_t length, std::int64_t stride, double step, auto start_of) {
    const std::int64_t lines = static_cast<std::int64_t>(g.size()) / length;
    line.resize(length);
    for (std::int64_t l = 0; l < lines; ++l) {
      const std::int64_t start = start_of(l);
      for (std::int64_t i = 0; i < length; ++i) line[i] = g[start + i * stride];
      transform_line(line, step, d, v, z);
      for (std::int64_t i = 0; i < length; ++i) g[start + i * stride] = line[i];
    }
  };
  pass(nx, 1, spacing[0], [&](std::int64_t l) { return l * nx; });
  pass(ny, nx, spacing[1], [&](std::int64_t l) { return (l % nx) + (l / nx) * nx * ny; });
  pass(nz, nx * ny, spacing[2], [&](std::int64_t l) { return l; });
  for (double& value : g) value = std::sqrt(value);
  return g;
}

}  // namespace gliolens::metrics
