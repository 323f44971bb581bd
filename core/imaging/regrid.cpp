#include "core/imaging/regrid.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

namespace gliolens {
namespace {

// Cubic B-spline interpolation needs the prefiltered coefficients once per volume; resample.hpp's
// sample() recomputes them on every call (fine for a point, not for a grid), so this file keeps
// its own prefilter (Unser 1993, mirror boundary, exact causal start: Thevenaz, Blu & Unser 2000).
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

double bspline3(double x) {
  x = std::abs(x);
  if (x < 1) return 2.0 / 3.0 - x * x + 0.5 * x * x * x;
  if (x < 2) return (2 - x) * (2 - x) * (2 - x) / 6.0;
  return 0.0;
}

std::int64_t mirror(std::int64_t i, std::int64_t n) {
  if (n == 1) return 0;
  const std::int64_t period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

double bspline_at(const Grid& g, const std::vector<double>& c, const std::array<double, 3>& p0) {
  std::array<std::array<std::int64_t, 4>, 3> idx{};
  std::array<std::array<double, 4>, 3> w{};
  for (int d = 0; d < 3; ++d) {
    const double p = std::clamp(p0[d], 0.0, static_cast<double>(g.dims[d] - 1));
    const auto base = static_cast<std::int64_t>(std::floor(p)) - 1;
    for (int t = 0; t < 4; ++t) {
      idx[d][t] = mirror(base + t, g.dims[d]);
      w[d][t] = g.dims[d] == 1 ? (t == 1 ? 1.0 : 0.0) : bspline3(p - static_cast<double>(base + t));
    }
  }
  double acc = 0;
  for (int z = 0; z < 4; ++z)
    for (int y = 0; y < 4; ++y) {
      const double wyz = w[1][y] * w[2][z];
      if (wyz == 0) continue;
      for (int x = 0; x < 4; ++x) acc += wyz * w[0][x] * c[g.index(idx[0][x], idx[1][y], idx[2][z])];
    }
  return acc;
}

}  // namespace

Volume resample_to_grid(const Volume& moving, const Grid& reference, Interpolator interpolator, float outside) {
  if (moving.grid.voxel_count() == 0 || moving.voxels.size() != moving.grid.voxel_count()) {
    throw InvalidInputError("resample: the volume '" + moving.name + "' is empty or inconsistent");
  }
  const Eigen::Matrix4d& a = moving.grid.affine;
  if (!std::isfinite(a.determinant()) || std::abs(a.block<3, 3>(0, 0).determinant()) < 1e-12) {
    throw InvalidInputError(moving.name + ": singular voxel-to-world affine, cannot resample");
  }
  // Reference voxel -> moving voxel, one matrix for the whole grid.
  const Eigen::Matrix4d to_moving = a.inverse() * reference.affine;
  Volume out;
  out.grid = reference;
  out.name = moving.name;
  out.source_datatype = moving.source_datatype;
  out.voxels.assign(reference.voxel_count(), outside);
  std::vector<double> c;
  if (interpolator == Interpolator::bspline) c = coefficients(moving);
  const auto& md = moving.grid.dims;
  for (std::int64_t k = 0; k < reference.dims[2]; ++k)
    for (std::int64_t j = 0; j < reference.dims[1]; ++j)
      for (std::int64_t i = 0; i < reference.dims[0]; ++i) {
        const Eigen::Vector4d p = to_moving * Eigen::Vector4d(static_cast<double>(i), static_cast<double>(j),
                                                              static_cast<double>(k), 1.0);
        bool inside = true;
        for (int d = 0; d < 3; ++d) inside = inside && p[d] >= -0.5 && p[d] <= static_cast<double>(md[d]) - 0.5;
        if (!inside) continue;
        const std::array<double, 3> ijk{p[0], p[1], p[2]};
        const double v = interpolator == Interpolator::bspline ? bspline_at(moving.grid, c, ijk)
                                                               : sample(moving, ijk, interpolator);
        out.voxels[reference.index(i, j, k)] = static_cast<float>(v);
      }
  return out;
}

}  // namespace gliolens
