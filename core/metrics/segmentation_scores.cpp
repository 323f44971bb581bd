#include "core/metrics/segmentation_scores.hpp"

#include "core/errors.hpp"
#include "core/metrics/distance_transform.hpp"

#include <algorithm>
#include <cmath>

namespace gliolens::metrics {
namespace {

// Mask voxels with at least one 6-neighbour outside the mask (or on the volume's border).
std::vector<std::uint8_t> surface_of(std::span<const std::uint8_t> mask, const std::array<std::int64_t, 3>& d) {
  std::vector<std::uint8_t> surface(mask.size(), 0);
  for (std::int64_t z = 0; z < d[2]; ++z)
    for (std::int64_t y = 0; y < d[1]; ++y)
      for (std::int64_t x = 0; x < d[0]; ++x) {
        const auto i = static_cast<std::size_t>(x + d[0] * (y + d[1] * z));
        if (!mask[i]) continue;
        const auto inside = [&](std::int64_t a, std::int64_t b, std::int64_t c) {
          if (a < 0 || b < 0 || c < 0 || a >= d[0] || b >= d[1] || c >= d[2]) return false;
          return mask[static_cast<std::size_t>(a + d[0] * (b + d[1] * c))] != 0;
        };
        if (!inside(x - 1, y, z) || !inside(x + 1, y, z) || !inside(x, y - 1, z) || !inside(x, y + 1, z) ||
            !inside(x, y, z - 1) || !inside(x, y, z + 1)) {
          surface[i] = 1;
        }
      }
  return surface;
}

// numpy.percentile's default (linear interpolation between closest ranks).
double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double rank = q / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (rank - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

std::vector<std::uint8_t> region_mask(const Volume& labels, const std::vector<int>& members) {
  std::vector<std::uint8_t> out(labels.voxels.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int v = static_cast<int>(std::lround(labels.voxels[i]));
    out[i] = std::find(members.begin(), members.end(), v) != members.end() ? 1 : 0;
  }
  return out;
}

}  // namespace

double dice(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  std::size_t both = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    na += a[i] != 0;
    nb += b[i] != 0;
    both += (a[i] != 0) && (b[i] != 0);
  }
  if (na + nb == 0) return 1.0;
  return 2.0 * static_cast<double>(both) / static_cast<double>(na + nb);
}

std::optional<double> hausdorff95(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b,
                                  const std::array<std::int64_t, 3>& dims, const std::array<double, 3>& spacing) {
  const bool a_empty = std::none_of(a.begin(), a.end(), [](auto v) { return v != 0; });
  const bool b_empty = std::none_of(b.begin(), b.end(), [](auto v) { return v != 0; });
  if (a_empty && b_empty) return 0.0;
  if (a_empty || b_empty) return std::nullopt;
  const auto surface_a = surface_of(a, dims), surface_b = surface_of(b, dims);
  const auto to_b = distance_to_features(surface_b, dims, spacing);
  const auto to_a = distance_to_features(surface_a, dims, spacing);
  std::vector<double> distances;
  for (std::size_t i = 0; i < surface_a.size(); ++i) {
    if (surface_a[i]) distances.push_back(to_b[i]);
    if (surface_b[i]) distances.push_back(to_a[i]);
  }
  return percentile(std::move(distances), 95.0);
}

std::vector<RegionScore> score_brats(const Volume& predicted, const Volume& truth) {
  if (predicted.grid.dims != truth.grid.dims || !predicted.grid.affine.isApprox(truth.grid.affine, 1e-4)) {
    throw InvalidInputError(predicted.name + " and " + truth.name + " are not on the same voxel grid");
  }
  const auto spacing = truth.grid.spacing();
  std::vector<RegionScore> out;
  const std::vector<std::pair<std::string, std::vector<int>>> regions = {{"WT", {1, 2, 4}}, {"TC", {1, 4}}, {"ET", {4}}};
  for (const auto& [name, members] : regions) {
    const auto p = region_mask(predicted, members), t = region_mask(truth, members);
    RegionScore s;
    s.region = name;
    s.dice = dice(p, t);
    s.hd95_mm = hausdorff95(p, t, truth.grid.dims, spacing);
    s.predicted_voxels = static_cast<std::size_t>(std::count(p.begin(), p.end(), 1));
    s.truth_voxels = static_cast<std::size_t>(std::count(t.begin(), t.end(), 1));
    out.push_back(s);
  }
  return out;
}

}  // namespace gliolens::metrics
