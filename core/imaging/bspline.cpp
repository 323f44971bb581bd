#include "core/imaging/bspline.hpp"

#include <cmath>
#include <span>

namespace gliolens::bspline {
namespace {

// Cubic B-spline prefilter along one line, in place.
void prefilter_line(std::span<double> c) {
  const std::size_t n = c.size();
  if (n < 2) return;
  const double z = std::sqrt(3.0) - 2.0;
  const double lambda = (1 - z) * (1 - 1 / z);
  for (auto& v : c) v *= lambda;
  double zn = z, z2n = std::pow(z, static_cast<double>(n - 1));
  const double iz = 1.0 / z;
  double sum = c[0] + z2n * c[n - 1];
  z2n *= z2n * iz;
  for (std::size_t k = 1; k + 1 < n; ++k) {
    sum += (zn + z2n) * c[k];
    zn *= z;
    z2n *= iz;
  }
  c[0] = sum / (1.0 - zn * zn);
  for (std::size_t k = 1; k < n; ++k) c[k] += z * c[k - 1];
  c[n - 1] = (z / (z * z - 1)) * (z * c[n - 2] + c[n - 1]);
  for (std::size_t k = n - 1; k-- > 0;) c[k] = z * (c[k + 1] - c[k]);
}

}  // namespace

std::vector<double> coefficients(const Volume& v) {
  const auto& d = v.grid.dims;
  std::vector<double> c(v.voxels.begin(), v.voxels.end());
  std::vector<double> line;
  const std::array<std::int64_t, 3> stride{1, d[0], d[0] * d[1]};
  for (int axis = 0; axis < 3; ++axis) {
    if (d[axis] < 2) continue;
    line.resize(static_cast<std::size_t>(d[axis]));
    const int a1 = axis == 0 ? 1 : 0, a2 = axis == 2 ? 1 : 2;
    for (std::int64_t u = 0; u < d[a2]; ++u)
      for (std::int64_t w = 0; w < d[a1]; ++w) {
        const std::int64_t base = w * stride[a1] + u * stride[a2];
        for (std::int64_t t = 0; t < d[axis]; ++t) line[t] = c[base + t * stride[axis]];
        prefilter_line(line);
        for (std::int64_t t = 0; t < d[axis]; ++t) c[base + t * stride[axis]] = line[t];
      }
  }
  return c;
}

double basis(double x) {
  x = std::abs(x);
  if (x < 1) return 2.0 / 3.0 - x * x + 0.5 * x * x * x;
  if (x < 2) return (2 - x) * (2 - x) * (2 - x) / 6.0;
  return 0.0;
}

std::int64_t mirror_index(std::int64_t i, std::int64_t n) {
  if (n == 1) return 0;
  const std::int64_t period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

}  // namespace gliolens::bspline
