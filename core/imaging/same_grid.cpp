#include "core/imaging/same_grid.hpp"

#include "core/errors.hpp"

#include <cmath>
#include <cstdio>

namespace gliolens {
namespace {

std::string dims_text(const Grid& g) {
  return std::to_string(g.dims[0]) + "x" + std::to_string(g.dims[1]) + "x" + std::to_string(g.dims[2]);
}

}  // namespace

std::string grid_difference(const Grid& a, const Grid& b, const GridTolerance& tolerance) {
  if (a.dims != b.dims) return "dimensions " + dims_text(a) + " vs " + dims_text(b);
  // Compare where the eight corner voxels lie in the world: a tolerance in millimetres means the
  // same thing for every voxel size, unlike one on raw matrix entries.
  double worst = 0;
  for (int c = 0; c < 8; ++c) {
    const Eigen::Vector4d ijk((c & 1) ? a.dims[0] - 1 : 0, (c & 2) ? a.dims[1] - 1 : 0, (c & 4) ? a.dims[2] - 1 : 0, 1);
    const double d = ((a.affine - b.affine) * ijk).head<3>().norm();
    worst = std::isfinite(d) ? std::max(worst, d) : HUGE_VAL;
  }
  if (worst > tolerance.millimetres) {
    char text[96];
    std::snprintf(text, sizeof(text), "affines differ by up to %.4g mm (tolerance %.4g mm)", worst,
                  tolerance.millimetres);
    return text;
  }
  return "";
}

void require_same_grid(std::span<const Volume* const> volumes, const GridTolerance& tolerance) {
  if (volumes.size() < 2) return;
  const Volume& first = *volumes[0];
  for (std::size_t i = 1; i < volumes.size(); ++i) {
    const std::string diff = grid_difference(first.grid, volumes[i]->grid, tolerance);
    if (!diff.empty()) {
      throw InvalidInputError(volumes[i]->name + ": grid does not match " + first.name + " (" + diff +
                              "): resample it onto the reference grid first");
    }
  }
}

}  // namespace gliolens
