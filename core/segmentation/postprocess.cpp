#include "core/segmentation/postprocess.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <string>

namespace gliolens::segmentation {
namespace {

std::vector<Index3> neighbour_offsets(int connectivity) {
  if (connectivity != 6 && connectivity != 26) throw InvalidInputError("connectivity must be 6 or 26, got " + std::to_string(connectivity));
  std::vector<Index3> out;
  for (std::int64_t dz = -1; dz <= 1; ++dz)
    for (std::int64_t dy = -1; dy <= 1; ++dy)
      for (std::int64_t dx = -1; dx <= 1; ++dx) {
        const auto manhattan = std::abs(dx) + std::abs(dy) + std::abs(dz);
        if (manhattan == 0 || (connectivity == 6 && manhattan != 1)) continue;
        out.push_back({dx, dy, dz});
      }
  return out;
}

}  // namespace

Components connected_components(std::span<const std::uint8_t> mask, const Index3& dims, int connectivity) {
  const auto n = static_cast<std::size_t>(dims[0] * dims[1] * dims[2]);
  if (mask.size() != n) throw InvalidInputError("mask size does not match its dimensions");
  const auto offsets = neighbour_offsets(connectivity);
  Components out{std::vector<std::int32_t>(n, 0), {}};
  std::vector<std::size_t> stack;
  for (std::size_t seed = 0; seed < n; ++seed) {
    if (!mask[seed] || out.labels[seed]) continue;
    const auto id = static_cast<std::int32_t>(out.sizes.size() + 1);
    std::size_t size = 0;
    stack.push_back(seed);
    out.labels[seed] = id;
    while (!stack.empty()) {
      const std::size_t v = stack.back();
      stack.pop_back();
      ++size;
      const auto x = static_cast<std::int64_t>(v % dims[0]);
      const auto y = static_cast<std::int64_t>((v / dims[0]) % dims[1]);
      const auto z = static_cast<std::int64_t>(v / (dims[0] * dims[1]));
      for (const auto& o : offsets) {
        const std::int64_t nx = x + o[0], ny = y + o[1], nz = z + o[2];
        if (nx < 0 || ny < 0 || nz < 0 || nx >= dims[0] || ny >= dims[1] || nz >= dims[2]) continue;
        const auto w = static_cast<std::size_t>(nx + dims[0] * (ny + dims[1] * nz));
        if (mask[w] && !out.labels[w]) {
          out.labels[w] = id;
          stack.push_back(w);
        }
      }
    }
    out.sizes.push_back(size);
  }
  return out;
}

std::size_t remove_small_satellites(std::span<std::uint8_t> mask, const Index3& dims, std::size_t min_voxels, int connectivity) {
  const Components c = connected_components(mask, dims, connectivity);
  if (c.sizes.empty()) return 0;
  const auto largest = static_cast<std::int32_t>(std::max_element(c.sizes.begin(), c.sizes.end()) - c.sizes.begin() + 1);
  std::size_t removed = 0;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (c.labels[i] && c.labels[i] != largest && c.sizes[c.labels[i] - 1] < min_voxels) {
      mask[i] = 0;
      ++removed;
    }
  }
  return removed;
}

std::uint8_t nested_label(const std::array<float, 3>& probabilities, const std::array<float, 3>& thresholds) {
  if (probabilities[2] > thresholds[2]) return 4;
  if (probabilities[1] > thresholds[1]) return 1;
  if (probabilities[0] > thresholds[0]) return 2;
  return 0;
}

std::vector<std::uint8_t> regions_to_labels(std::span<const float> whole_tumour, std::span<const float> tumour_core,
                                            std::span<const float> enhancing, float threshold) {
  if (whole_tumour.size() != tumour_core.size() || whole_tumour.size() != enhancing.size()) {
    throw InvalidInputError("region maps differ in size");
  }
  std::vector<std::uint8_t> labels(whole_tumour.size(), 0);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    labels[i] = nested_label({whole_tumour[i], tumour_core[i], enhancing[i]}, {threshold, threshold, threshold});
  }
  return labels;
}

bool apply_enhancing_rule(std::span<std::uint8_t> labels, std::size_t min_voxels) {
  const auto et = static_cast<std::size_t>(std::count(labels.begin(), labels.end(), std::uint8_t{4}));
  if (et == 0 || et >= min_voxels) return false;
  std::replace(labels.begin(), labels.end(), std::uint8_t{4}, std::uint8_t{1});
  return true;
}

}  // namespace gliolens::segmentation
