#include "core/imaging/regrid.hpp"

#include "core/errors.hpp"
#include "core/imaging/bspline.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

namespace gliolens {
namespace {

double bspline_at(const Grid& g, const std::vector<double>& c, const std::array<double, 3>& p0) {
  std::array<std::array<std::int64_t, 4>, 3> idx{};
  std::array<std::array<double, 4>, 3> w{};
  for (int d = 0; d < 3; ++d) {
    const double p = std::clamp(p0[d], 0.0, static_cast<double>(g.dims[d] - 1));
    const auto base = static_cast<std::int64_t>(std::floor(p)) - 1;
    for (int t = 0; t < 4; ++t) {
      idx[d][t] = bspline::mirror_index(base + t, g.dims[d]);
      w[d][t] = g.dims[d] == 1 ? (t == 1 ? 1.0 : 0.0) : bspline::basis(p - static_cast<double>(base + t));
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
  if (interpolator == Interpolator::bspline) c = bspline::coefficients(moving);
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
