#include "core/imaging/intensity.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace gliolens {
namespace {

void check_mask(const Volume& volume, const Volume& mask) {
  if (mask.grid.dims != volume.grid.dims || mask.voxels.size() != volume.voxels.size()) {
    throw InvalidInputError(mask.name + ": mask grid does not match " + volume.name);
  }
}

std::vector<float> masked_values(const Volume& volume, const Volume* mask) {
  if (!mask) return volume.voxels;
  check_mask(volume, *mask);
  std::vector<float> out;
  for (std::size_t i = 0; i < volume.voxels.size(); ++i)
    if (mask->voxels[i] != 0.0f) out.push_back(volume.voxels[i]);
  return out;
}

// numpy's default ("linear") percentile on values sorted in place (nth_element twice, not a sort).
double percentile_of(std::vector<float>& v, double q) {
  if (v.empty()) throw NumericalError("percentile: no voxels in the mask");
  return quantile(v, std::clamp(q, 0.0, 100.0) / 100.0);
}

}  // namespace

double quantile(std::vector<float>& values, double q) {
  if (values.empty()) throw NumericalError("quantile: no values");
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(below), values.end());
  const double low = values[below];
  if (below + 1 >= values.size()) return low;
  const double high = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(below) + 1, values.end());
  return low + (position - static_cast<double>(below)) * (high - low);
}

double otsu_threshold(std::span<const float> values, int bins) {
  if (values.empty() || bins < 2) throw NumericalError("otsu: no values");
  const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
  const double lo = *mn, hi = *mx;
  if (hi <= lo) return lo;
  const double width = (hi - lo) / bins;
  std::vector<double> hist(static_cast<std::size_t>(bins), 0.0);
  for (const float v : values) {
    const auto b = std::min<std::ptrdiff_t>(bins - 1, static_cast<std::ptrdiff_t>((v - lo) / width));
    hist[static_cast<std::size_t>(b)] += 1;
  }
  const double total = static_cast<double>(values.size());
  double sum_all = 0;
  for (int b = 0; b < bins; ++b) sum_all += b * hist[b];
  double w0 = 0, sum0 = 0, best = -1;
  int best_bin = 0;
  for (int b = 0; b < bins - 1; ++b) {
    w0 += hist[b];
    sum0 += b * hist[b];
    const double w1 = total - w0;
    if (w0 == 0 || w1 == 0) continue;
    const double m0 = sum0 / w0, m1 = (sum_all - sum0) / w1;
    const double between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) { best = between; best_bin = b; }
  }
  return lo + (best_bin + 1) * width;  // the upper edge of the last background bin
}

Volume brain_mask(const Volume& volume, MaskMethod method) {
  Volume mask;
  mask.grid = volume.grid;
  mask.name = volume.name + " (brain mask)";
  mask.source_datatype = "UINT8";
  mask.voxels.resize(volume.voxels.size());
  const double threshold = method == MaskMethod::otsu ? otsu_threshold(volume.voxels) : 0.0;
  for (std::size_t i = 0; i < volume.voxels.size(); ++i) {
    const float v = volume.voxels[i];
    mask.voxels[i] = (method == MaskMethod::nonzero ? v != 0.0f : v >= threshold) ? 1.0f : 0.0f;
  }
  return mask;
}

double percentile(const Volume& volume, double q, const Volume* mask) {
  std::vector<float> v = masked_values(volume, mask);
  return percentile_of(v, q);
}

Volume zscore(const Volume& volume, const Volume& mask) {
  check_mask(volume, mask);
  double sum = 0, sum2 = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < volume.voxels.size(); ++i) {
    if (mask.voxels[i] == 0.0f) continue;
    sum += volume.voxels[i];
    ++n;
  }
  if (n == 0) throw NumericalError(volume.name + ": z-score over an empty mask");
  const double mean = sum / static_cast<double>(n);
  for (std::size_t i = 0; i < volume.voxels.size(); ++i)
    if (mask.voxels[i] != 0.0f) sum2 += (volume.voxels[i] - mean) * (volume.voxels[i] - mean);
  const double sd = std::sqrt(sum2 / static_cast<double>(n));  // population sd, as numpy's default
  if (!(sd > 0)) throw NumericalError(volume.name + ": z-score of constant voxels in the mask");
  Volume out = volume;
  out.source_datatype = "FLOAT32";
  for (std::size_t i = 0; i < out.voxels.size(); ++i) {
    out.voxels[i] = mask.voxels[i] != 0.0f ? static_cast<float>((volume.voxels[i] - mean) / sd) : 0.0f;
  }
  return out;
}

Volume clip_percentiles(const Volume& volume, double lower, double upper, const Volume* mask) {
  if (!(lower <= upper)) throw InvalidInputError("clip: lower percentile above upper");
  std::vector<float> v = masked_values(volume, mask);
  const double lo = percentile_of(v, lower);
  const double hi = percentile_of(v, upper);
  Volume out = volume;
  for (float& x : out.voxels) x = static_cast<float>(std::clamp<double>(x, lo, hi));
  return out;
}

}  // namespace gliolens
