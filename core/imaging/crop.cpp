#include "core/imaging/crop.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <limits>

namespace gliolens {
namespace {

void check_box(const Box& box, const Grid& grid, const std::string& name) {
  bool ok = !box.empty();
  for (int d = 0; d < 3; ++d) ok = ok && box.lo[d] >= 0 && box.hi[d] <= grid.dims[d];
  if (!ok) throw InvalidInputError(name + ": crop box is empty or outside the image");
}

template <class IsSet>
Box box_around(const std::array<std::int64_t, 3>& d, IsSet is_set, std::int64_t margin) {
  std::array<std::int64_t, 3> lo{d[0], d[1], d[2]};
  std::array<std::int64_t, 3> hi{-1, -1, -1};
  std::size_t index = 0;
  for (std::int64_t k = 0; k < d[2]; ++k)
    for (std::int64_t j = 0; j < d[1]; ++j)
      for (std::int64_t i = 0; i < d[0]; ++i, ++index) {
        if (!is_set(index)) continue;
        const std::array<std::int64_t, 3> p{i, j, k};
        for (int a = 0; a < 3; ++a) {
          lo[a] = std::min(lo[a], p[a]);
          hi[a] = std::max(hi[a], p[a]);
        }
      }
  Box box;
  if (hi[0] < 0) return box;  // nothing set
  for (int a = 0; a < 3; ++a) {
    box.lo[a] = std::max<std::int64_t>(0, lo[a] - margin);
    box.hi[a] = std::min<std::int64_t>(d[a], hi[a] + 1 + margin);
  }
  return box;
}

}  // namespace

Box bounding_box(const Volume& mask, std::int64_t margin) {
  return box_around(mask.grid.dims, [&](std::size_t i) { return mask.voxels[i] != 0.0f; }, margin);
}

Box bounding_box(std::span<const std::uint8_t> mask, const std::array<std::int64_t, 3>& dims, std::int64_t margin) {
  return box_around(dims, [&](std::size_t i) { return mask[i] != 0; }, margin);
}

Volume crop(const Volume& volume, const Box& box) {
  check_box(box, volume.grid, volume.name);
  Volume out;
  out.name = volume.name;
  out.source_datatype = volume.source_datatype;
  out.grid = volume.grid;
  out.grid.dims = box.size();
  Eigen::Matrix4d shift = Eigen::Matrix4d::Identity();
  for (int a = 0; a < 3; ++a) shift(a, 3) = static_cast<double>(box.lo[a]);
  out.grid.affine = volume.grid.affine * shift;
  out.grid.qform = volume.grid.qform * shift;
  out.grid.sform = volume.grid.sform * shift;
  out.voxels.resize(out.grid.voxel_count());
  const auto& n = out.grid.dims;
  for (std::int64_t k = 0; k < n[2]; ++k)
    for (std::int64_t j = 0; j < n[1]; ++j) {
      const auto src = volume.voxels.begin() +
                       static_cast<std::ptrdiff_t>(volume.grid.index(box.lo[0], box.lo[1] + j, box.lo[2] + k));
      std::copy(src, src + n[0], out.voxels.begin() + static_cast<std::ptrdiff_t>(out.grid.index(0, j, k)));
    }
  return out;
}

void paste(const Volume& part, const Box& box, Volume& into) {
  check_box(box, into.grid, into.name);
  if (part.grid.dims != box.size() || part.voxels.size() != part.grid.voxel_count()) {
    throw InvalidInputError(part.name + ": cropped volume does not match the box it is pasted into");
  }
  const auto& n = part.grid.dims;
  for (std::int64_t k = 0; k < n[2]; ++k)
    for (std::int64_t j = 0; j < n[1]; ++j) {
      const auto src = part.voxels.begin() + static_cast<std::ptrdiff_t>(part.grid.index(0, j, k));
      std::copy(src, src + n[0],
                into.voxels.begin() +
                    static_cast<std::ptrdiff_t>(into.grid.index(box.lo[0], box.lo[1] + j, box.lo[2] + k)));
    }
}

}  // namespace gliolens
