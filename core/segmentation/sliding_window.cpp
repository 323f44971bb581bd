#include "core/segmentation/sliding_window.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace gliolens::segmentation {
namespace {

std::vector<std::int64_t> axis_origins(std::int64_t length, std::int64_t patch, double overlap) {
  if (length == patch) return {0};
  const double stride = static_cast<double>(patch) * (1.0 - overlap);
  const auto steps = static_cast<std::int64_t>(std::ceil(static_cast<double>(length - patch) / stride)) + 1;
  std::vector<std::int64_t> out;
  const double actual = static_cast<double>(length - patch) / static_cast<double>(steps - 1);
  for (std::int64_t s = 0; s < steps; ++s) out.push_back(static_cast<std::int64_t>(std::llround(actual * static_cast<double>(s))));
  return out;
}

}  // namespace

WindowPlan plan_windows(const Index3& volume, const Index3& patch, double overlap) {
  if (!(overlap >= 0.0 && overlap < 1.0)) throw InvalidInputError("window overlap must be in [0, 1), got " + std::to_string(overlap));
  for (int a = 0; a < 3; ++a) {
    if (patch[a] < 1 || volume[a] < 1) throw InvalidInputError("window and volume sizes must be positive");
    if (patch[a] > volume[a]) {
      throw InvalidInputError("patch " + std::to_string(patch[a]) + " is larger than the volume (" +
                              std::to_string(volume[a]) + ") along axis " + std::to_string(a) + ": pad the volume first");
    }
  }
  WindowPlan plan{volume, patch, {}};
  const auto xs = axis_origins(volume[0], patch[0], overlap);
  const auto ys = axis_origins(volume[1], patch[1], overlap);
  const auto zs = axis_origins(volume[2], patch[2], overlap);
  for (auto z : zs)
    for (auto y : ys)
      for (auto x : xs) plan.origins.push_back({x, y, z});
  return plan;
}

std::vector<float> gaussian_importance(const Index3& patch, double sigma_scale) {
  std::vector<float> w(voxel_count(patch));
  std::array<std::vector<double>, 3> axis;
  for (int a = 0; a < 3; ++a) {
    const double centre = (static_cast<double>(patch[a]) - 1.0) / 2.0;
    const double sigma = std::max(1e-6, sigma_scale * static_cast<double>(patch[a]));
    for (std::int64_t i = 0; i < patch[a]; ++i) {
      const double d = (static_cast<double>(i) - centre) / sigma;
      axis[a].push_back(std::exp(-0.5 * d * d));
    }
  }
  float peak = 0;
  std::size_t n = 0;
  for (std::int64_t z = 0; z < patch[2]; ++z)
    for (std::int64_t y = 0; y < patch[1]; ++y)
      for (std::int64_t x = 0; x < patch[0]; ++x) {
        w[n] = static_cast<float>(axis[0][x] * axis[1][y] * axis[2][z]);
        peak = std::max(peak, w[n]);
        ++n;
      }
  // Normalise to a peak of 1 and keep every weight positive, so every voxel gets some weight.
  const float floor = 1e-4f;
  for (float& v : w) v = std::max(v / peak, floor);
  return w;
}

Stitcher::Stitcher(const WindowPlan& plan, int channels, bool gaussian)
    : plan_(plan),
      channels_(channels),
      weights_patch_(gaussian ? gaussian_importance(plan.patch) : std::vector<float>(voxel_count(plan.patch), 1.0f)),
      sum_(voxel_count(plan.volume) * static_cast<std::size_t>(channels), 0.0f),
      weight_sum_(voxel_count(plan.volume), 0.0f) {
  if (channels < 1) throw InvalidInputError("a network output needs at least one channel");
}

void Stitcher::add(const Index3& origin, std::span<const float> patch_output) {
  const std::size_t patch_voxels = voxel_count(plan_.patch);
  if (patch_output.size() != patch_voxels * static_cast<std::size_t>(channels_)) {
    throw InvalidInputError("patch output has " + std::to_string(patch_output.size()) + " values, expected " +
                            std::to_string(patch_voxels * channels_));
  }
  const std::size_t volume_voxels = voxel_count(plan_.volume);
  const auto& v = plan_.volume;
  const auto& p = plan_.patch;
  std::size_t n = 0;
  for (std::int64_t z = 0; z < p[2]; ++z)
    for (std::int64_t y = 0; y < p[1]; ++y) {
      const std::size_t row = static_cast<std::size_t>(origin[0] + v[0] * ((origin[1] + y) + v[1] * (origin[2] + z)));
      for (std::int64_t x = 0; x < p[0]; ++x, ++n) {
        const float w = weights_patch_[n];
        weight_sum_[row + x] += w;
        for (int c = 0; c < channels_; ++c) {
          sum_[c * volume_voxels + row + x] += w * patch_output[c * patch_voxels + n];
        }
      }
    }
}

std::vector<float> Stitcher::result() const {
  std::vector<float> out(sum_.size());
  const std::size_t volume_voxels = weight_sum_.size();
  for (int c = 0; c < channels_; ++c)
    for (std::size_t i = 0; i < volume_voxels; ++i) {
      const float w = weight_sum_[i];
      out[c * volume_voxels + i] = w > 0 ? sum_[c * volume_voxels + i] / w : 0.0f;
    }
  return out;
}

void extract_patch(std::span<const float> volume, const Index3& dims, int channels, const Index3& origin,
                   const Index3& patch, std::span<float> out) {
  const std::size_t vv = voxel_count(dims), pv = voxel_count(patch);
  if (volume.size() != vv * channels || out.size() != pv * channels) {
    throw InvalidInputError("extract_patch: buffer sizes do not match the dimensions");
  }
  for (int a = 0; a < 3; ++a) {
    if (origin[a] < 0 || origin[a] + patch[a] > dims[a]) throw InvalidInputError("extract_patch: window outside the volume");
  }
  for (int c = 0; c < channels; ++c) {
    std::size_t n = c * pv;
    for (std::int64_t z = 0; z < patch[2]; ++z)
      for (std::int64_t y = 0; y < patch[1]; ++y) {
        const std::size_t row = c * vv + static_cast<std::size_t>(origin[0] + dims[0] * ((origin[1] + y) + dims[1] * (origin[2] + z)));
        std::copy_n(volume.begin() + static_cast<std::ptrdiff_t>(row), patch[0], out.begin() + static_cast<std::ptrdiff_t>(n));
        n += static_cast<std::size_t>(patch[0]);
      }
  }
}

}  // namespace gliolens::segmentation
