#include "core/imaging/reorient.hpp"

#include "core/errors.hpp"
#include "core/io/nifti.hpp"

#include <cctype>

namespace gliolens {
namespace {

// World axis (0 = x/LR, 1 = y/PA, 2 = z/IS) and direction (+1 towards R/A/S) of an axis letter.
std::pair<int, int> world_axis(char letter, const std::string& code) {
  switch (std::toupper(static_cast<unsigned char>(letter))) {
    case 'R': return {0, 1};
    case 'L': return {0, -1};
    case 'A': return {1, 1};
    case 'P': return {1, -1};
    case 'S': return {2, 1};
    case 'I': return {2, -1};
    default: throw InvalidInputError("orientation \"" + code + "\": letters must be R/L, A/P, S/I");
  }
}

std::array<std::pair<int, int>, 3> parse(const std::string& code) {
  if (code.size() != 3) throw InvalidInputError("orientation \"" + code + "\": three letters expected, e.g. RAS");
  std::array<std::pair<int, int>, 3> axes{};
  std::array<bool, 3> seen{};
  for (int a = 0; a < 3; ++a) {
    axes[a] = world_axis(code[a], code);
    if (seen[axes[a].first]) throw InvalidInputError("orientation \"" + code + "\": a world axis appears twice");
    seen[axes[a].first] = true;
  }
  return axes;
}

}  // namespace

AxisMapping axis_mapping(const std::string& from, const std::string& to) {
  const auto f = parse(from);
  const auto t = parse(to);
  AxisMapping m;
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b) {
      if (f[b].first == t[a].first) {
        m.source[a] = b;
        m.flip[a] = f[b].second != t[a].second;
      }
    }
  }
  return m;
}

Grid apply_axis_mapping(const Grid& g, const AxisMapping& mapping) {
  Grid out = g;
  for (int a = 0; a < 3; ++a) out.dims[a] = g.dims[mapping.source[a]];
  // M maps a new voxel index to the old one: old[source[a]] = flip ? n - 1 - new[a] : new[a].
  Eigen::Matrix4d m = Eigen::Matrix4d::Zero();
  m(3, 3) = 1;
  for (int a = 0; a < 3; ++a) {
    const int s = mapping.source[a];
    if (mapping.flip[a]) {
      m(s, a) = -1;
      m(s, 3) = static_cast<double>(g.dims[s] - 1);
    } else {
      m(s, a) = 1;
    }
  }
  out.affine = g.affine * m;
  out.qform = g.qform * m;
  out.sform = g.sform * m;
  return out;
}

Volume apply_axis_mapping(const Volume& volume, const AxisMapping& mapping) {
  if (volume.voxels.size() != volume.grid.voxel_count()) {
    throw InvalidInputError("reorient: the volume '" + volume.name + "' is empty or inconsistent");
  }
  const Grid& g = volume.grid;
  Volume out;
  out.name = volume.name;
  out.source_datatype = volume.source_datatype;
  out.grid = apply_axis_mapping(g, mapping);

  out.voxels.resize(volume.voxels.size());
  // Walk the old voxels by strides: new axis a steps old axis source[a], backwards when flipped.
  const std::array<std::int64_t, 3> old_stride{1, g.dims[0], g.dims[0] * g.dims[1]};
  std::array<std::int64_t, 3> step{};
  std::int64_t base = 0;
  for (int a = 0; a < 3; ++a) {
    const int s = mapping.source[a];
    step[a] = mapping.flip[a] ? -old_stride[s] : old_stride[s];
    if (mapping.flip[a]) base += (g.dims[s] - 1) * old_stride[s];
  }
  const auto& nd = out.grid.dims;
  std::size_t n = 0;
  for (std::int64_t k = 0; k < nd[2]; ++k)
    for (std::int64_t j = 0; j < nd[1]; ++j) {
      std::int64_t old = base + j * step[1] + k * step[2];
      for (std::int64_t i = 0; i < nd[0]; ++i, old += step[0]) out.voxels[n++] = volume.voxels[static_cast<std::size_t>(old)];
    }
  return out;
}

Volume reorient(const Volume& volume, const std::string& code) {
  const AxisMapping m = axis_mapping(orientation_code(volume.grid.affine), code);
  if (m.identity()) return volume;
  return apply_axis_mapping(volume, m);
}

}  // namespace gliolens
