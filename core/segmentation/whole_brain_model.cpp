#include "core/segmentation/whole_brain_model.hpp"

#include "core/errors.hpp"
#include "core/imaging/crop.hpp"
#include "core/imaging/regrid.hpp"
#include "core/imaging/reorient.hpp"
#include "core/imaging/resample.hpp"
#include "core/imaging/same_grid.hpp"
#include "core/io/nifti.hpp"
#include "core/segmentation/postprocess.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace gliolens::segmentation {
namespace {

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

// The model was trained on one orientation of the voxel axes (BraTS: LPS): a sagittally stored volume would reach it
// turned by 90 degrees. Flips and permutations move voxels exactly, so only the axes change.
AxisMapping to_model_axes(const Grid& grid, const WholeBrainSpec& spec) {
  if (spec.orientation.empty()) return {};
  try {
    return axis_mapping(orientation_code(grid.affine), spec.orientation);
  } catch (const InvalidInputError& e) {
    throw InvalidInputError(std::string("the model's preprocessing: ") + e.what());
  }
}

// Voxels within 5 % of the model's size are used as they are.
bool at_model_spacing(const Grid& grid, const WholeBrainSpec& spec) {
  const double s = spec.source_spacing_mm;
  const auto spacing = grid.spacing();
  return std::all_of(spacing.begin(), spacing.end(), [&](double v) { return std::abs(v - s) <= 0.05 * s; });
}

// The 14 BraTS 2018 cases' brain masks hold 1,315-1,729 mL (../shared/data); a head with its skull, or an image
// whose background is noise rather than zero, holds far more.
constexpr double kLargestSkullStrippedBrainMl = 2500.0;

std::string millimetres(const std::array<double, 3>& mm) {
  const auto whole = [](double v) { return std::to_string(std::llround(v)); };
  return whole(mm[0]) + " x " + whole(mm[1]) + " x " + whole(mm[2]) + " mm";
}

// `whose` names the files and ends in a possessive ("x.nii: its").
std::vector<std::string> region_warnings(std::span<const std::uint8_t> mask, const Box& box, const Grid& grid,
                                         const std::string& whose, const WholeBrainSpec& spec) {
  const auto spacing = grid.spacing();
  const auto size = box.size();
  std::array<double, 3> extent_mm{};
  std::array<double, 3> window_mm{};
  bool outside = false;
  for (int a = 0; a < 3; ++a) {
    extent_mm[a] = static_cast<double>(size[a]) * spacing[a];
    window_mm[a] = static_cast<double>(spec.window_voxels[a]) * spacing[a];
    outside = outside || size[a] > spec.window_voxels[a];
  }
  const auto voxels = static_cast<double>(std::count_if(mask.begin(), mask.end(), [](std::uint8_t v) { return v != 0; }));
  const double millilitres = voxels * spacing[0] * spacing[1] * spacing[2] / 1000.0;
  const std::string expects = "the model expects skull-stripped brains with a zero background, as in BraTS";
  std::vector<std::string> warnings;
  if (millilitres > kLargestSkullStrippedBrainMl) {
    warnings.push_back(whose + " non-zero region holds " + std::to_string(std::llround(millilitres)) +
                       " mL, far more than a skull-stripped brain (1315-1729 mL in the BraTS cases): " + expects +
                       "; check the labels");
  }
  if (outside) {
    warnings.push_back(whose + " non-zero region spans " + millimetres(extent_mm) + ", more than the model's window of " +
                       millimetres(window_mm) + ": what lies outside the window is not segmented; " + expects);
  }
  return warnings;
}

}  // namespace

std::vector<std::string> brain_mask_warnings(const WorkingModalities& working, const Box& brain, const WholeBrainSpec& spec) {
  const Grid& grid = working.grid();
  std::vector<std::string> warnings;
  std::vector<std::uint8_t> nonzero(grid.voxel_count());
  for (std::size_t c = 0; c < working.given.size(); ++c) {
    const Volume& modality = working.modality(c);
    std::transform(modality.voxels.begin(), modality.voxels.end(), nonzero.begin(), [](float v) { return v != 0.0f; });
    const auto found = region_warnings(nonzero, bounding_box(nonzero, grid.dims), grid, modality.name + ": its", spec);
    warnings.insert(warnings.end(), found.begin(), found.end());
  }
  // Modalities that each fit can still overflow the window together (shifted against each other).
  if (warnings.empty()) return region_warnings(working.brain, brain, grid, working.modality(0).name + " with the other modalities: their", spec);
  return warnings;
}

BrainZScore brain_zscore(const Volume& v, std::span<const std::uint8_t> mask) {
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
  return {mean, sd};
}

Grid working_grid(const Grid& grid, const WholeBrainSpec& spec) {
  const Grid oriented = apply_axis_mapping(grid, to_model_axes(grid, spec));
  const double s = spec.source_spacing_mm;
  return at_model_spacing(oriented, spec) ? oriented : resampled_grid(oriented, {s, s, s});
}

WorkingModalities modalities_on_working_grid(std::span<const Volume* const> given, const WholeBrainSpec& spec) {
  check_grids(given);
  WorkingModalities working;
  working.given.assign(given.begin(), given.end());
  const AxisMapping axes = to_model_axes(given[0]->grid, spec);
  const bool respace = !at_model_spacing(given[0]->grid, spec);
  if (!axes.identity() || respace) {
    const double s = spec.source_spacing_mm;
    for (const Volume* m : given) {
      Volume oriented = axes.identity() ? *m : apply_axis_mapping(*m, axes);
      working.resampled.push_back(respace ? resample(oriented, {s, s, s}, Interpolator::linear) : std::move(oriented));
    }
  }
  const std::size_t n = working.grid().voxel_count();
  working.brain.assign(n, 0);
  for (std::size_t c = 0; c < given.size(); ++c)
    for (std::size_t i = 0; i < n; ++i) working.brain[i] |= working.modality(c).voxels[i] != 0.0f;
  return working;
}

NetworkInput prepare_whole_brain_input(std::span<const Volume* const> given, const WholeBrainSpec& spec) {
  return prepare_whole_brain_input(modalities_on_working_grid(given, spec), spec);
}

NetworkInput prepare_whole_brain_input(const WorkingModalities& working, const WholeBrainSpec& spec) {
  for (int a = 0; a < 3; ++a) {
    if (spec.block < 1 || spec.window_voxels[a] % spec.block != 0) throw InvalidInputError("model window is not a multiple of its block size");
  }
  const auto& mask = working.brain;
  const Grid& g = working.grid();

  const Box brain = bounding_box(mask, g.dims);
  if (brain.empty()) throw InvalidInputError(working.modality(0).name + ": all four modalities are empty (no brain voxels)");

  NetworkInput input;
  input.channels = static_cast<int>(working.given.size());
  input.source_grid = g;
  input.output_grid = working.given[0]->grid;
  input.source_name = working.modality(0).name;
  input.warnings = brain_mask_warnings(working, brain, spec);
  for (int a = 0; a < 3; ++a) {
    input.window_start[a] = (brain.lo[a] + brain.hi[a]) / 2 - spec.window_voxels[a] / 2;
    input.grid[a] = spec.window_voxels[a] / spec.block;
  }
  const std::size_t grid_voxels = voxel_count(input.grid);
  input.tensor.assign(grid_voxels * static_cast<std::size_t>(input.channels), 0.0f);
  const float block_volume = static_cast<float>(spec.block * spec.block * spec.block);
  for (int c = 0; c < input.channels; ++c) {
    // z-scored voxel by voxel as the blocks read them (0 outside the brain): no z-scored copy of the whole volume.
    const Volume& modality = working.modality(static_cast<std::size_t>(c));
    const BrainZScore z = brain_zscore(modality, mask);
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
                const std::size_t at = g.index(i, j, k);
                if (mask[at]) sum += z(modality.voxels[at]);
              }
          out[u + input.grid[0] * (v + input.grid[1] * w)] = sum / block_volume;
        }
  }
  return input;
}

std::vector<std::uint8_t> whole_brain_labels(std::span<const float> logits, const NetworkInput& input, const WholeBrainSpec& spec) {
  const std::size_t grid_voxels = voxel_count(input.grid);
  if (logits.size() != 3 * grid_voxels) {
    throw InvalidInputError("network output has " + std::to_string(logits.size()) + " values, expected 3 x " +
                            std::to_string(grid_voxels) + " (WT, TC, ET)");
  }
  const Grid& g = input.source_grid;
  std::array<std::vector<Tap>, 3> taps;
  for (int a = 0; a < 3; ++a) taps[a] = upsampling_taps(input.grid[a], spec.block);

  // Sigmoids once per network voxel, not once per interpolation tap (8 taps x 3 regions per working voxel).
  std::vector<float> probabilities(logits.size());
  std::transform(logits.begin(), logits.end(), probabilities.begin(), [](float logit) { return 1.0f / (1.0f + std::exp(-logit)); });
  std::vector<std::uint8_t> label_bytes(g.voxel_count(), 0);
  const auto probability = [&](int region, std::int64_t u, std::int64_t v, std::int64_t w) {
    return probabilities[static_cast<std::size_t>(region) * grid_voxels + static_cast<std::size_t>(u + input.grid[0] * (v + input.grid[1] * w))];
  };
  for (std::int64_t k = std::max<std::int64_t>(0, input.window_start[2]); k < std::min(g.dims[2], input.window_start[2] + spec.window_voxels[2]); ++k)
    for (std::int64_t j = std::max<std::int64_t>(0, input.window_start[1]); j < std::min(g.dims[1], input.window_start[1] + spec.window_voxels[1]); ++j)
      for (std::int64_t i = std::max<std::int64_t>(0, input.window_start[0]); i < std::min(g.dims[0], input.window_start[0] + spec.window_voxels[0]); ++i) {
        const Tap& ti = taps[0][i - input.window_start[0]];
        const Tap& tj = taps[1][j - input.window_start[1]];
        const Tap& tk = taps[2][k - input.window_start[2]];
        std::array<float, 3> p{0, 0, 0};
        for (int region = 0; region < 3; ++region) {
          for (int c = 0; c < 8; ++c) {
            const float wi = (c & 1) ? ti.w : 1 - ti.w, wj = (c & 2) ? tj.w : 1 - tj.w, wk = (c & 4) ? tk.w : 1 - tk.w;
            p[region] += wi * wj * wk * probability(region, (c & 1) ? ti.hi : ti.lo, (c & 2) ? tj.hi : tj.lo, (c & 4) ? tk.hi : tk.lo);
          }
        }
        label_bytes[g.index(i, j, k)] = nested_label(p, spec.thresholds);
      }
  postprocess_labels(label_bytes, g.dims, spec);
  return label_bytes;
}

void postprocess_labels(std::span<std::uint8_t> labels, const Index3& dims, const WholeBrainSpec& spec) {
  if (spec.min_component_voxels > 0) {
    std::vector<std::uint8_t> tumour(labels.size());
    std::transform(labels.begin(), labels.end(), tumour.begin(), [](std::uint8_t l) { return l ? 1 : 0; });
    remove_small_satellites(tumour, dims, spec.min_component_voxels);
    for (std::size_t i = 0; i < tumour.size(); ++i) if (!tumour[i]) labels[i] = 0;
  }
  if (spec.min_enhancing_voxels > 0) apply_enhancing_rule(labels, spec.min_enhancing_voxels);
}

Volume labels_on_output_grid(std::span<const std::uint8_t> labels, const NetworkInput& input) {
  if (labels.size() != input.source_grid.voxel_count()) {
    throw InvalidInputError("labels have " + std::to_string(labels.size()) + " voxels, the working grid " +
                            std::to_string(input.source_grid.voxel_count()));
  }
  Volume volume;
  volume.grid = input.source_grid;
  volume.name = input.source_name + " (segmentation)";
  volume.source_datatype = "UINT8";
  volume.voxels.resize(labels.size());
  std::transform(labels.begin(), labels.end(), volume.voxels.begin(), [](std::uint8_t l) { return static_cast<float>(l); });
  if (same_grid(input.output_grid, volume.grid)) return volume;
  Volume on_input_grid = resample_to_grid(volume, input.output_grid, Interpolator::nearest);
  on_input_grid.source_datatype = "UINT8";
  return on_input_grid;
}

Volume labels_from_region_logits(std::span<const float> logits, const NetworkInput& input, const WholeBrainSpec& spec) {
  return labels_on_output_grid(whole_brain_labels(logits, input, spec), input);
}

void mirror(std::span<float> tensor, int channels, const Index3& grid, int axis) {
  const std::size_t n = voxel_count(grid);
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
