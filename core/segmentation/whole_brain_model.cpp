#include "core/segmentation/whole_brain_model.hpp"

#include "core/errors.hpp"
#include "core/imaging/regrid.hpp"
#include "core/imaging/resample.hpp"
#include "core/imaging/same_grid.hpp"
#include "core/segmentation/postprocess.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace gliolens::segmentation {
namespace {

std::size_t count(const Index3& d) { return static_cast<std::size_t>(d[0] * d[1] * d[2]); }

void check_grids(std::span<const Volume* const> modalities) {
  if (modalities.size() != 4) throw InvalidInputError("segmentation needs four modalities (T1, T1c, T2, FLAIR)");
  const Grid& reference = modalities[0]->grid;
  for (const Volume* m : modalities) {
    if (m->grid.dims != reference.dims || !m->grid.affine.isApprox(reference.affine, 1e-3)) {
      throw InvalidInputError(m->name + " is not on the same voxel grid as " + modalities[0]->name +
                              ": co-register and resample the modalities onto one grid first");
    }
  }
}

// Per-modality z-score within the brain mask (population SD, accumulated in double), 0 outside.
std::vector<float> zscore_in_mask(const Volume& v, const std::vector<std::uint8_t>& mask) {
  double sum = 0, sum_sq = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    sum += v.voxels[i];
    ++n;
  }
  const double mean = n ? sum / static_cast<double>(n) : 0.0;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    const double d = v.voxels[i] - mean;
    sum_sq += d * d;
  }
  const double sd = n ? std::sqrt(sum_sq / static_cast<double>(n)) : 0.0;
  if (!(sd > 0)) throw InvalidInputError(v.name + ": constant intensity inside the brain; cannot normalise");
  std::vector<float> out(mask.size(), 0.0f);
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (mask[i]) out[i] = static_cast<float>((v.voxels[i] - mean) / sd);
  }
  return out;
}

// Linear interpolation weights of an x2 (or xN) upsampling with half-pixel centres, edge-clamped
// (PyTorch's align_corners=False, ONNX Resize half_pixel).
struct Tap { std::int64_t lo, hi; float w; };
std::vector<Tap> upsampling_taps(std::int64_t in, int factor) {
  std::vector<Tap> taps;
  for (std::int64_t o = 0; o < in * factor; ++o) {
    const double src = std::max(0.0, (static_cast<double>(o) + 0.5) / factor - 0.5);
    const auto lo = std::min(static_cast<std::int64_t>(std::floor(src)), in - 1);
    const auto hi = std::min(lo + 1, in - 1);
    taps.push_back({lo, hi, static_cast<float>(src - static_cast<double>(lo))});
  }
  return taps;
}

// Voxels within 5 % of the model's size are used as they are.
bool at_model_spacing(const Grid& grid, const WholeBrainSpec& spec) {
  const double s = spec.source_spacing_mm;
  const auto spacing = grid.spacing();
  return std::all_of(spacing.begin(), spacing.end(), [&](double v) { return std::abs(v - s) <= 0.05 * s; });
}

}  // namespace

Grid working_grid(const Grid& grid, const WholeBrainSpec& spec) {
  const double s = spec.source_spacing_mm;
  return at_model_spacing(grid, spec) ? grid : resampled_grid(grid, {s, s, s});
}

NetworkInput prepare_whole_brain_input(std::span<const Volume* const> given, const WholeBrainSpec& spec) {
  check_grids(given);
  for (int a = 0; a < 3; ++a) {
    if (spec.block < 1 || spec.window_voxels[a] % spec.block != 0) throw InvalidInputError("model window is not a multiple of its block size");
  }
  std::vector<Volume> resampled;
  std::vector<const Volume*> modalities(given.begin(), given.end());
  if (!at_model_spacing(given[0]->grid, spec)) {
    const double s = spec.source_spacing_mm;
    for (const Volume* m : given) resampled.push_back(resample(*m, {s, s, s}, Interpolator::linear));
    for (std::size_t c = 0; c < given.size(); ++c) modalities[c] = &resampled[c];
  }
  const Grid& g = modalities[0]->grid;
  const std::size_t n = g.voxel_count();
  std::vector<std::uint8_t> mask(n, 0);
  for (const Volume* m : modalities)
    for (std::size_t i = 0; i < n; ++i) mask[i] |= m->voxels[i] != 0.0f;

  Index3 lo{g.dims[0], g.dims[1], g.dims[2]}, hi{0, 0, 0};
  bool any = false;
  for (std::int64_t k = 0; k < g.dims[2]; ++k)
    for (std::int64_t j = 0; j < g.dims[1]; ++j)
      for (std::int64_t i = 0; i < g.dims[0]; ++i) {
        if (!mask[g.index(i, j, k)]) continue;
        any = true;
        const Index3 p{i, j, k};
        for (int a = 0; a < 3; ++a) { lo[a] = std::min(lo[a], p[a]); hi[a] = std::max(hi[a], p[a] + 1); }
      }
  if (!any) throw InvalidInputError(modalities[0]->name + ": all four modalities are empty (no brain voxels)");

  NetworkInput input;
  input.channels = static_cast<int>(modalities.size());
  input.source_grid = g;
  input.output_grid = given[0]->grid;
  input.source_name = modalities[0]->name;
  for (int a = 0; a < 3; ++a) {
    input.window_start[a] = (lo[a] + hi[a]) / 2 - spec.window_voxels[a] / 2;
    input.grid[a] = spec.window_voxels[a] / spec.block;
  }
  const std::size_t grid_voxels = count(input.grid);
  input.tensor.assign(grid_voxels * static_cast<std::size_t>(input.channels), 0.0f);
  const float block_volume = static_cast<float>(spec.block * spec.block * spec.block);
  for (int c = 0; c < input.channels; ++c) {
    const std::vector<float> z = zscore_in_mask(*modalities[c], mask);
    float* out = input.tensor.data() + static_cast<std::size_t>(c) * grid_voxels;
    for (std::int64_t w = 0; w < input.grid[2]; ++w)
      for (std::int64_t v = 0; v < input.grid[1]; ++v)
        for (std::int64_t u = 0; u < input.grid[0]; ++u) {
          float sum = 0;
          for (int dk = 0; dk < spec.block; ++dk)
            for (int dj = 0; dj < spec.block; ++dj)
              for (int di = 0; di < spec.block; ++di) {
                const std::int64_t i = input.window_start[0] + u * spec.block + di;
                const std::int64_t j = input.window_start[1] + v * spec.block + dj;
                const std::int64_t k = input.window_start[2] + w * spec.block + dk;
                if (i < 0 || j < 0 || k < 0 || i >= g.dims[0] || j >= g.dims[1] || k >= g.dims[2]) continue;
                sum += z[g.index(i, j, k)];
              }
          out[u + input.grid[0] * (v + input.grid[1] * w)] = sum / block_volume;
        }
  }
  return input;
}

Volume labels_from_region_logits(std::span<const float> logits, const NetworkInput& input, const WholeBrainSpec& spec) {
  const std::size_t grid_voxels = count(input.grid);
  if (logits.size() != 3 * grid_voxels) {
    throw InvalidInputError("network output has " + std::to_string(logits.size()) + " values, expected 3 x " +
                            std::to_string(grid_voxels) + " (WT, TC, ET)");
  }
  const Grid& g = input.source_grid;
  std::array<std::vector<Tap>, 3> taps;
  for (int a = 0; a < 3; ++a) taps[a] = upsampling_taps(input.grid[a], spec.block);

  Volume labels;
  labels.grid = g;
  labels.name = input.source_name + " (segmentation)";
  labels.source_datatype = "UINT8";
  labels.voxels.assign(g.voxel_count(), 0.0f);
  std::vector<std::uint8_t> label_bytes(g.voxel_count(), 0);
  const auto probability = [&](int region, std::int64_t u, std::int64_t v, std::int64_t w) {
    const float logit = logits[static_cast<std::size_t>(region) * grid_voxels + static_cast<std::size_t>(u + input.grid[0] * (v + input.grid[1] * w))];
    return 1.0f / (1.0f + std::exp(-logit));
  };
  for (std::int64_t k = std::max<std::int64_t>(0, input.window_start[2]); k < std::min(g.dims[2], input.window_start[2] + spec.window_voxels[2]); ++k)
    for (std::int64_t j = std::max<std::int64_t>(0, input.window_start[1]); j < std::min(g.dims[1], input.window_start[1] + spec.window_voxels[1]); ++j)
      for (std::int64_t i = std::max<std::int64_t>(0, input.window_start[0]); i < std::min(g.dims[0], input.window_start[0] + spec.window_voxels[0]); ++i) {
        const Tap& ti = taps[0][i - input.window_start[0]];
        const Tap& tj = taps[1][j - input.window_start[1]];
        const Tap& tk = taps[2][k - input.window_start[2]];
        std::uint8_t label = 0;
        for (int region = 0; region < 3; ++region) {
          float p = 0;
          for (int c = 0; c < 8; ++c) {
            const float wi = (c & 1) ? ti.w : 1 - ti.w, wj = (c & 2) ? tj.w : 1 - tj.w, wk = (c & 4) ? tk.w : 1 - tk.w;
            p += wi * wj * wk * probability(region, (c & 1) ? ti.hi : ti.lo, (c & 2) ? tj.hi : tj.lo, (c & 4) ? tk.hi : tk.lo);
          }
          if (p > spec.thresholds[region]) label = region == 0 ? 2 : region == 1 ? 1 : 4;
        }
        label_bytes[g.index(i, j, k)] = label;
      }
  if (spec.min_component_voxels > 0) {
    std::vector<std::uint8_t> tumour(label_bytes.size());
    std::transform(label_bytes.begin(), label_bytes.end(), tumour.begin(), [](std::uint8_t l) { return l ? 1 : 0; });
    remove_small_satellites(tumour, g.dims, spec.min_component_voxels);
    for (std::size_t i = 0; i < tumour.size(); ++i) if (!tumour[i]) label_bytes[i] = 0;
  }
  if (spec.min_enhancing_voxels > 0) apply_enhancing_rule(label_bytes, spec.min_enhancing_voxels);
  std::transform(label_bytes.begin(), label_bytes.end(), labels.voxels.begin(), [](std::uint8_t l) { return static_cast<float>(l); });
  if (same_grid(input.output_grid, g)) return labels;
  Volume on_input_grid = resample_to_grid(labels, input.output_grid, Interpolator::nearest);
  on_input_grid.source_datatype = "UINT8";
  return on_input_grid;
}

void mirror(std::span<float> tensor, int channels, const Index3& grid, int axis) {
  const std::size_t n = count(grid);
  if (tensor.size() != n * static_cast<std::size_t>(channels)) throw InvalidInputError("mirror: tensor size does not match");
  for (int c = 0; c < channels; ++c) {
    float* t = tensor.data() + static_cast<std::size_t>(c) * n;
    for (std::int64_t k = 0; k < grid[2]; ++k)
      for (std::int64_t j = 0; j < grid[1]; ++j)
        for (std::int64_t i = 0; i < grid[0]; ++i) {
          Index3 p{i, j, k};
          Index3 q = p;
          q[axis] = grid[axis] - 1 - p[axis];
          const auto a = static_cast<std::size_t>(p[0] + grid[0] * (p[1] + grid[1] * p[2]));
          const auto b = static_cast<std::size_t>(q[0] + grid[0] * (q[1] + grid[1] * q[2]));
          if (a < b) std::swap(t[a], t[b]);
        }
  }
}

}  // namespace gliolens::segmentation
