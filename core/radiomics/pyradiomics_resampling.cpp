// PyRadiomics' resampling grid (pyradiomics_resampling.hpp).
#include "core/radiomics/pyradiomics_resampling.hpp"

#include "core/errors.hpp"
#include "core/imaging/bspline.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gliolens::radiomics {
namespace {

// The range of the image's NIfTI datatype, to which SimpleITK casts the resampled image back.
struct Range {
  double lo, hi;
  bool integer;
};
Range type_range(const std::string& t) {
  const double inf = std::numeric_limits<double>::infinity();
  if (t == "INT8") return {-128, 127, true};
  if (t == "UINT8") return {0, 255, true};
  if (t == "INT16") return {-32768, 32767, true};
  if (t == "UINT16") return {0, 65535, true};
  if (t == "INT32") return {-2147483648.0, 2147483647.0, true};
  if (t == "UINT32") return {0, 4294967295.0, true};
  return {-inf, inf, false};
}

}  // namespace

std::pair<Volume, Volume> pyradiomics_resample(const Volume& image, const Volume& mask, int label,
                                               std::array<double, 3> spacing, Interpolation interpolation, double pad,
                                               bool keep_real) {
  if (image.grid.dims != mask.grid.dims)
    throw InvalidInputError("resampling: the mask '" + mask.name + "' does not share the grid of the image '" +
                            image.name + "'");
  const auto& g = mask.grid;
  const auto ms = g.spacing();
  std::array<std::int64_t, 3> lo{g.dims[0], g.dims[1], g.dims[2]}, hi{-1, -1, -1};
  for (std::int64_t k = 0; k < g.dims[2]; ++k)
    for (std::int64_t j = 0; j < g.dims[1]; ++j)
      for (std::int64_t i = 0; i < g.dims[0]; ++i)
        if (label_matches(mask.voxels[g.index(i, j, k)], label)) {
          lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
          hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
        }
  Volume mask01 = mask;
  for (auto& v : mask01.voxels) v = label_matches(v, label) ? 1.0f : 0.0f;
  if (hi[0] < 0) return {image, mask01};  // empty: nothing to resample around (reported by the engine)
  std::array<double, 3> sp{}, ratio{}, origin{};
  std::array<std::int64_t, 3> size{};
  bool same = true;
  for (int d = 0; d < 3; ++d) {
    sp[d] = spacing[d] <= 0 ? ms[d] : spacing[d];
    if (hi[d] - lo[d] + 1 == 1) sp[d] = ms[d];  // the mask spans one slice along this axis: keep it
    if (std::abs(ms[d] - sp[d]) > 1e-8 + 1e-5 * std::abs(sp[d])) same = false;
  }
  if (same) return {image, mask01};
  for (int d = 0; d < 3; ++d) {
    ratio[d] = ms[d] / sp[d];
    const double bb = static_cast<double>(lo[d]), bs = static_cast<double>(hi[d] - lo[d] + 1);
    double lb = std::floor((bb - 0.5) * ratio[d] - pad);
    double ub = std::ceil((bb + bs - 0.5) * ratio[d] + pad);
    const double max_ub = std::ceil(static_cast<double>(g.dims[d]) * ratio[d]) - 1;
    lb = std::max(lb, 0.0);
    ub = std::min(ub, max_ub);
    size[d] = static_cast<std::int64_t>(ub - lb + 1);
    origin[d] = 0.5 * (sp[d] - ms[d]) / ms[d] + lb / ratio[d];
  }
  Volume out_image, out_mask;
  Grid ng = g;
  ng.dims = size;
  Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
  for (int d = 0; d < 3; ++d) {
    m(d, d) = sp[d] / ms[d];
    m(d, 3) = origin[d];
  }
  ng.affine = g.affine * m;
  ng.qform = g.qform * m;
  ng.sform = g.sform * m;
  out_image.grid = ng;
  out_mask.grid = ng;
  out_image.name = image.name;
  out_mask.name = mask.name;
  out_image.source_datatype = keep_real ? "FLOAT64" : image.source_datatype;
  out_mask.source_datatype = "UINT8";
  out_image.voxels.resize(ng.voxel_count());
  out_mask.voxels.resize(ng.voxel_count());
  const Range range = type_range(image.source_datatype);
  const bool cast = range.integer && !keep_real;
  std::vector<double> coef;
  if (interpolation == Interpolation::bspline) coef = bspline::coefficients(image);
  const auto& ig = image.grid;
  for (std::int64_t k = 0; k < size[2]; ++k)
    for (std::int64_t j = 0; j < size[1]; ++j)
      for (std::int64_t i = 0; i < size[0]; ++i) {
        const std::array<double, 3> c{origin[0] + static_cast<double>(i) * (sp[0] / ms[0]),
                                      origin[1] + static_cast<double>(j) * (sp[1] / ms[1]),
                                      origin[2] + static_cast<double>(k) * (sp[2] / ms[2])};
        bool inside = true;
        for (int d = 0; d < 3; ++d)
          if (!(c[d] >= -0.5 && c[d] < static_cast<double>(g.dims[d]) - 0.5)) inside = false;
        const std::size_t o = ng.index(i, j, k);
        if (!inside) {
          out_image.voxels[o] = 0.0f;
          out_mask.voxels[o] = 0.0f;
          continue;
        }
        // mask: nearest neighbour, half-integers rounded up
        std::array<std::int64_t, 3> q{};
        for (int d = 0; d < 3; ++d)
          q[d] = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(c[d] + 0.5)), 0, g.dims[d] - 1);
        out_mask.voxels[o] = mask01.voxels[g.index(q[0], q[1], q[2])];
        double v = 0;
        if (interpolation == Interpolation::nearest) {
          v = image.voxels[ig.index(q[0], q[1], q[2])];
        } else if (interpolation == Interpolation::linear) {
          std::array<std::int64_t, 3> a{}, b{};
          std::array<double, 3> f{};
          for (int d = 0; d < 3; ++d) {
            const double fl = std::floor(c[d]);
            f[d] = c[d] - fl;
            a[d] = std::clamp<std::int64_t>(static_cast<std::int64_t>(fl), 0, g.dims[d] - 1);
            b[d] = std::clamp<std::int64_t>(static_cast<std::int64_t>(fl) + 1, 0, g.dims[d] - 1);
          }
          for (int n = 0; n < 8; ++n) {
            const double w = ((n & 1) ? f[0] : 1 - f[0]) * ((n & 2) ? f[1] : 1 - f[1]) * ((n & 4) ? f[2] : 1 - f[2]);
            if (w != 0) v += w * image.voxels[ig.index((n & 1) ? b[0] : a[0], (n & 2) ? b[1] : a[1], (n & 4) ? b[2] : a[2])];
          }
        } else {
          std::array<std::array<std::int64_t, 4>, 3> idx{};
          std::array<std::array<double, 4>, 3> w{};
          for (int d = 0; d < 3; ++d) {
            const auto base = static_cast<std::int64_t>(std::floor(c[d])) - 1;
            for (int t = 0; t < 4; ++t) {
              idx[d][t] = bspline::mirror_index(base + t, g.dims[d]);
              w[d][t] = g.dims[d] == 1 ? (t == 1 ? 1.0 : 0.0) : bspline::basis(c[d] - static_cast<double>(base + t));
            }
          }
          for (int cc = 0; cc < 4; ++cc)
            for (int bb = 0; bb < 4; ++bb) {
              const double wbc = w[1][bb] * w[2][cc];
              if (wbc == 0) continue;
              for (int aa = 0; aa < 4; ++aa)
                v += w[0][aa] * wbc * coef[ig.index(idx[0][aa], idx[1][bb], idx[2][cc])];
            }
        }
        if (cast) v = std::trunc(std::clamp(v, range.lo, range.hi));
        out_image.voxels[o] = static_cast<float>(v);
      }
  return {std::move(out_image), std::move(out_mask)};
}

}  // namespace gliolens::radiomics
