#include "core/imaging/resample.hpp"

#include "core/errors.hpp"
#include "core/imaging/bspline.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace gliolens {
namespace {

struct Axes {
  std::array<std::int64_t, 3> dims;
  std::array<double, 3> scale;   // old index units per new voxel
  std::array<double, 3> offset;  // old index of new voxel 0
};

Axes plan_grid(const Grid& grid, const std::array<double, 3>& spacing) {
  if (grid.voxel_count() == 0) throw InvalidInputError("resample: the volume is empty");
  const auto old_spacing = grid.spacing();
  Axes a{};
  for (int d = 0; d < 3; ++d) {
    const double n = static_cast<double>(grid.dims[d]);
    if (spacing[d] <= 0 || !std::isfinite(spacing[d]) || old_spacing[d] <= 0) {
      a.dims[d] = grid.dims[d];
      a.scale[d] = 1.0;
      a.offset[d] = 0.0;
      continue;
    }
    // IBSI: n' = ceil(n s / s'); centres aligned.
    const double extent = n * old_spacing[d] / spacing[d];
    a.dims[d] = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(extent - 1e-9)));
    a.scale[d] = spacing[d] / old_spacing[d];
    a.offset[d] = (n - 1.0) / 2.0 - (static_cast<double>(a.dims[d]) - 1.0) / 2.0 * a.scale[d];
  }
  return a;
}

Grid new_grid(const Grid& grid, const Axes& a) {
  Grid g = grid;
  g.dims = a.dims;
  Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
  for (int d = 0; d < 3; ++d) {
    m(d, d) = a.scale[d];
    m(d, 3) = a.offset[d];
  }
  g.affine = grid.affine * m;
  g.qform = grid.qform * m;
  g.sform = grid.sform * m;
  return g;
}

template <typename Get>
double interpolate(const Grid& g, const std::array<double, 3>& p0, Interpolator interp, Get get) {
  std::array<double, 3> p{};
  for (int d = 0; d < 3; ++d) p[d] = std::clamp(p0[d], 0.0, static_cast<double>(g.dims[d] - 1));
  if (interp == Interpolator::nearest) {
    std::array<std::int64_t, 3> q{};
    for (int d = 0; d < 3; ++d) q[d] = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(p[d] + 0.5)), 0, g.dims[d] - 1);
    return get(q[0], q[1], q[2]);
  }
  if (interp == Interpolator::linear) {
    std::array<std::int64_t, 3> lo{}, hi{};
    std::array<double, 3> f{};
    for (int d = 0; d < 3; ++d) {
      lo[d] = static_cast<std::int64_t>(std::floor(p[d]));
      hi[d] = std::min(lo[d] + 1, g.dims[d] - 1);
      f[d] = p[d] - static_cast<double>(lo[d]);
    }
    double acc = 0;
    for (int c = 0; c < 8; ++c) {
      const double w = ((c & 1) ? f[0] : 1 - f[0]) * ((c & 2) ? f[1] : 1 - f[1]) * ((c & 4) ? f[2] : 1 - f[2]);
      if (w == 0) continue;
      acc += w * get((c & 1) ? hi[0] : lo[0], (c & 2) ? hi[1] : lo[1], (c & 4) ? hi[2] : lo[2]);
    }
    return acc;
  }
  // cubic B-spline on prefiltered coefficients
  std::array<std::array<std::int64_t, 4>, 3> idx{};
  std::array<std::array<double, 4>, 3> w{};
  for (int d = 0; d < 3; ++d) {
    const auto base = static_cast<std::int64_t>(std::floor(p[d])) - 1;
    for (int t = 0; t < 4; ++t) {
      idx[d][t] = bspline::mirror_index(base + t, g.dims[d]);
      w[d][t] = g.dims[d] == 1 ? (t == 1 ? 1.0 : 0.0) : bspline::basis(p[d] - static_cast<double>(base + t));
    }
  }
  double acc = 0;
  for (int c = 0; c < 4; ++c)
    for (int b = 0; b < 4; ++b)
      for (int a = 0; a < 4; ++a) {
        const double ww = w[0][a] * w[1][b] * w[2][c];
        if (ww != 0) acc += ww * get(idx[0][a], idx[1][b], idx[2][c]);
      }
  return acc;
}

Volume resample_values(const Volume& v, const std::vector<double>& data, const std::array<double, 3>& spacing,
                       Interpolator interp, double threshold, bool is_mask) {
  const Axes a = plan_grid(v.grid, spacing);
  Volume out;
  out.grid = new_grid(v.grid, a);
  out.source_datatype = v.source_datatype;
  out.name = v.name;
  out.voxels.resize(out.grid.voxel_count());
  const auto& g = v.grid;
  auto get = [&](std::int64_t i, std::int64_t j, std::int64_t k) { return data[g.index(i, j, k)]; };
  for (std::int64_t k = 0; k < a.dims[2]; ++k)
    for (std::int64_t j = 0; j < a.dims[1]; ++j)
      for (std::int64_t i = 0; i < a.dims[0]; ++i) {
        const std::array<double, 3> p{a.offset[0] + i * a.scale[0], a.offset[1] + j * a.scale[1],
                                      a.offset[2] + k * a.scale[2]};
        double val = interpolate(g, p, interp, get);
        // A mask value that is the threshold up to rounding counts as reaching it (IBSI: interpolation that
        // yields 0.4999... for 0.5 must not drop the voxel; a new grid point halfway between two slices does so).
        if (is_mask) val = val >= threshold - 1e-9 ? 1.0 : 0.0;
        out.voxels[out.grid.index(i, j, k)] = static_cast<float>(val);
      }
  return out;
}

}  // namespace

double sample(const Volume& volume, const std::array<double, 3>& ijk, Interpolator interpolator) {
  if (volume.grid.voxel_count() == 0) throw InvalidInputError("sample: the volume is empty");
  if (interpolator == Interpolator::bspline) {
    const auto c = bspline::coefficients(volume);
    return interpolate(volume.grid, ijk, interpolator, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
      return c[volume.grid.index(i, j, k)];
    });
  }
  return interpolate(volume.grid, ijk, interpolator, [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    return static_cast<double>(volume.at(i, j, k));
  });
}

Grid resampled_grid(const Grid& grid, const std::array<double, 3>& spacing) {
  return new_grid(grid, plan_grid(grid, spacing));
}

Volume resample(const Volume& volume, const std::array<double, 3>& spacing, Interpolator interpolator) {
  if (volume.grid.voxel_count() == 0 || volume.voxels.size() != volume.grid.voxel_count())
    throw InvalidInputError("resample: the volume '" + volume.name + "' is empty or inconsistent");
  std::vector<double> data = interpolator == Interpolator::bspline
                                 ? bspline::coefficients(volume)
                                 : std::vector<double>(volume.voxels.begin(), volume.voxels.end());
  return resample_values(volume, data, spacing, interpolator, 0.0, false);
}

Volume resample_mask(const Volume& mask, int label, const std::array<double, 3>& spacing, Interpolator interpolator,
                     double threshold) {
  if (mask.grid.voxel_count() == 0 || mask.voxels.size() != mask.grid.voxel_count())
    throw InvalidInputError("resample_mask: the mask '" + mask.name + "' is empty or inconsistent");
  Volume fuzzy = mask;
  for (auto& v : fuzzy.voxels) v = (std::lround(v) == label) ? 1.0f : 0.0f;
  std::vector<double> data = interpolator == Interpolator::bspline
                                 ? bspline::coefficients(fuzzy)
                                 : std::vector<double>(fuzzy.voxels.begin(), fuzzy.voxels.end());
  return resample_values(fuzzy, data, spacing, interpolator, threshold, true);
}

}  // namespace gliolens
