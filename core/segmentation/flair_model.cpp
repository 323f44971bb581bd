#include "core/segmentation/flair_model.hpp"

#include "core/errors.hpp"
#include "core/imaging/intensity.hpp"
#include "core/io/nifti.hpp"
#include "core/segmentation/postprocess.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gliolens::segmentation {
namespace {

// One output position's two linear-interpolation neighbours along an axis and their weights.
struct Taps {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
  double w_lo = 0;
  double w_hi = 0;
};

// Sampling the image: a neighbour outside [0, n) weighs nothing (the image is zero outside), as _taps_zero_outside.
std::vector<Taps> taps_zero_outside(const std::vector<double>& positions, std::int64_t n) {
  std::vector<Taps> out;
  out.reserve(positions.size());
  for (const double p : positions) {
    const auto lo = static_cast<std::int64_t>(std::floor(p));
    const double w = p - static_cast<double>(lo);
    const std::int64_t hi = lo + 1;
    out.push_back({std::clamp<std::int64_t>(lo, 0, n - 1), std::clamp<std::int64_t>(hi, 0, n - 1), lo >= 0 && lo < n ? 1 - w : 0.0,
                   hi >= 0 && hi < n ? w : 0.0});
  }
  return out;
}

// Sampling the network's window back at a voxel: positions clamped to the window's edge pixels, as _taps_clamped.
Taps taps_clamped(double position, std::int64_t n) {
  const double p = std::clamp(position, 0.0, static_cast<double>(n - 1));
  const std::int64_t lo = std::min(static_cast<std::int64_t>(std::floor(p)), n - 1);
  const double w = p - static_cast<double>(lo);
  return {lo, std::min(lo + 1, n - 1), 1 - w, w};
}

AxisMapping model_axes(const Volume& flair, const FlairSpec& spec) {
  try {
    return axis_mapping(orientation_code(flair.grid.affine), spec.orientation);
  } catch (const InvalidInputError& e) {
    throw InvalidInputError(flair.name + ": the FLAIR model's preprocessing: " + e.what());
  }
}

void check_volume(const Volume& flair) {
  if (flair.grid.voxel_count() == 0) throw InvalidInputError(flair.name + ": the volume is empty");
  if (flair.voxels.size() != flair.grid.voxel_count()) {
    throw InvalidInputError(flair.name + ": the FLAIR model needs one 3-D volume (" + std::to_string(flair.voxels.size()) + " values for " +
                            std::to_string(flair.grid.voxel_count()) + " voxels)");
  }
}

}  // namespace

std::vector<double> window_positions(double centre, double voxel_mm, std::int64_t window, double pixel_mm) {
  std::vector<double> out(static_cast<std::size_t>(window));
  const double half = (static_cast<double>(window) - 1) / 2.0;
  for (std::int64_t n = 0; n < window; ++n) out[static_cast<std::size_t>(n)] = centre + (static_cast<double>(n) - half) * pixel_mm / voxel_mm;
  return out;
}

FlairInput prepare_flair_input(const Volume& flair, const FlairSpec& spec) {
  check_volume(flair);
  FlairInput out;
  out.to_model = model_axes(flair, spec);
  Volume reoriented;
  if (!out.to_model.identity()) reoriented = apply_axis_mapping(flair, out.to_model);
  const Volume& volume = out.to_model.identity() ? flair : reoriented;
  out.oriented = volume.grid;
  const Index3 d = volume.grid.dims;
  const auto spacing = volume.grid.spacing();
  if (!(spacing[0] > 0 && spacing[1] > 0)) throw InvalidInputError(flair.name + ": its affine gives a voxel size of 0");

  // The non-zero voxels: their quantile, their bounding box in (i, j), and the slices that hold any.
  std::vector<float> nonzero;
  std::int64_t lo_i = d[0], hi_i = -1, lo_j = d[1], hi_j = -1;
  std::vector<bool> occupied(static_cast<std::size_t>(d[2]), false);
  for (std::int64_t k = 0; k < d[2]; ++k)
    for (std::int64_t j = 0; j < d[1]; ++j)
      for (std::int64_t i = 0; i < d[0]; ++i) {
        const float v = volume.voxels[volume.grid.index(i, j, k)];
        if (v == 0.0f) continue;
        nonzero.push_back(v);
        lo_i = std::min(lo_i, i);
        hi_i = std::max(hi_i, i);
        lo_j = std::min(lo_j, j);
        hi_j = std::max(hi_j, j);
        occupied[static_cast<std::size_t>(k)] = true;
      }
  if (nonzero.empty()) throw InvalidInputError(flair.name + ": the volume is empty (no non-zero voxel)");
  out.scale = quantile(nonzero, spec.quantile);
  if (!(out.scale > 0)) {
    throw InvalidInputError(flair.name + ": no contrast to segment (the " + std::to_string(spec.quantile) +
                            " quantile of its non-zero voxels is not positive)");
  }
  out.centre = {(static_cast<double>(lo_i) + static_cast<double>(hi_i)) / 2.0, (static_cast<double>(lo_j) + static_cast<double>(hi_j)) / 2.0};
  for (std::int64_t k = 0; k < d[2]; ++k) {
    if (occupied[static_cast<std::size_t>(k)] || !spec.skip_empty_slices) out.slices.push_back(k);
  }

  // The window: the largest one, or the non-zero box's extent in pixels rounded up to the network's multiple (a
  // skull-stripped brain needs about half a head's pixels, and what the network would see beyond the box is zero).
  std::array<std::int64_t, 2> window = spec.window_pixels;
  if (spec.shrink_window_to_nonzero) {
    const std::array<std::int64_t, 2> box{hi_i - lo_i + 1, hi_j - lo_j + 1};
    const auto multiple = static_cast<double>(spec.spatial_multiple);
    for (std::size_t a = 0; a < 2; ++a) {
      const double extent = static_cast<double>(box[a]) * spacing[a] / spec.spacing_mm[a];
      window[a] = static_cast<std::int64_t>(std::min(static_cast<double>(spec.window_pixels[a]), multiple * std::ceil(extent / multiple)));
    }
  }
  out.width = window[0];
  out.height = window[1];
  const auto taps_i = taps_zero_outside(window_positions(out.centre[0], spacing[0], out.width, spec.spacing_mm[0]), d[0]);
  const auto taps_j = taps_zero_outside(window_positions(out.centre[1], spacing[1], out.height, spec.spacing_mm[1]), d[1]);
  // Divided in float32 first, then interpolated in double, as the reference does.
  const auto scale = static_cast<float>(out.scale);
  const auto scaled = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    return static_cast<double>(volume.voxels[volume.grid.index(i, j, k)] / scale);
  };
  const auto pixels = static_cast<std::size_t>(out.width * out.height);
  out.tensor.assign(out.slices.size() * pixels, 0.0f);
  for (std::size_t s = 0; s < out.slices.size(); ++s) {
    const std::int64_t k = out.slices[s];
    float* slice = out.tensor.data() + s * pixels;
    for (std::int64_t v = 0; v < out.height; ++v) {
      const Taps& tj = taps_j[static_cast<std::size_t>(v)];
      for (std::int64_t u = 0; u < out.width; ++u) {
        const Taps& ti = taps_i[static_cast<std::size_t>(u)];
        const double at_lo_j = scaled(ti.lo, tj.lo, k) * ti.w_lo + scaled(ti.hi, tj.lo, k) * ti.w_hi;
        const double at_hi_j = scaled(ti.lo, tj.hi, k) * ti.w_lo + scaled(ti.hi, tj.hi, k) * ti.w_hi;
        slice[v * out.width + u] = static_cast<float>(at_lo_j * tj.w_lo + at_hi_j * tj.w_hi);
      }
    }
  }
  return out;
}

Volume flair_mask_from_logits(const Volume& flair, const FlairInput& input, std::span<const float> logits, const FlairSpec& spec) {
  check_volume(flair);
  const auto pixels = static_cast<std::size_t>(input.width * input.height);
  if (logits.size() != input.slices.size() * pixels) {
    throw InvalidInputError(flair.name + ": the FLAIR network gave " + std::to_string(logits.size()) + " values for " +
                            std::to_string(input.slices.size()) + " slices of " + std::to_string(input.width) + " x " +
                            std::to_string(input.height) + " pixels");
  }
  if (flair.grid.dims != apply_axis_mapping(input.oriented, axis_mapping(spec.orientation, orientation_code(flair.grid.affine))).dims) {
    throw InvalidInputError(flair.name + ": the network input was prepared from another volume");
  }
  std::vector<float> probability(logits.size());
  std::transform(logits.begin(), logits.end(), probability.begin(), [](float logit) { return 1.0f / (1.0f + std::exp(-logit)); });

  const Grid& g = input.oriented;
  const auto spacing = g.spacing();
  // Each voxel's position in window pixels, and whether it lies within the window (half a pixel beyond the edge ones).
  const auto window_axis = [&](int a, std::int64_t window) {
    std::vector<Taps> taps;
    std::vector<bool> inside;
    for (std::int64_t n = 0; n < g.dims[a]; ++n) {
      const double p = (static_cast<double>(n) - input.centre[a]) * spacing[a] / spec.spacing_mm[a] + (static_cast<double>(window) - 1) / 2.0;
      taps.push_back(taps_clamped(p, window));
      inside.push_back(p >= -0.5 && p <= static_cast<double>(window) - 0.5);
    }
    return std::pair{taps, inside};
  };
  const auto [taps_u, inside_u] = window_axis(0, input.width);
  const auto [taps_v, inside_v] = window_axis(1, input.height);

  std::vector<std::uint8_t> mask(g.voxel_count(), 0);
  for (std::size_t s = 0; s < input.slices.size(); ++s) {
    const std::int64_t k = input.slices[s];
    const float* p = probability.data() + s * pixels;
    const auto at = [&](std::int64_t u, std::int64_t v) { return static_cast<double>(p[v * input.width + u]); };
    for (std::int64_t j = 0; j < g.dims[1]; ++j) {
      if (!inside_v[static_cast<std::size_t>(j)]) continue;
      const Taps& tv = taps_v[static_cast<std::size_t>(j)];
      for (std::int64_t i = 0; i < g.dims[0]; ++i) {
        if (!inside_u[static_cast<std::size_t>(i)]) continue;
        const Taps& tu = taps_u[static_cast<std::size_t>(i)];
        const double at_lo_v = at(tu.lo, tv.lo) * tu.w_lo + at(tu.hi, tv.lo) * tu.w_hi;
        const double at_hi_v = at(tu.lo, tv.hi) * tu.w_lo + at(tu.hi, tv.hi) * tu.w_hi;
        if (static_cast<float>(at_lo_v * tv.w_lo + at_hi_v * tv.w_hi) > spec.threshold) mask[g.index(i, j, k)] = 1;
      }
    }
  }
  // Flips and permutations keep component sizes, so the clean-up runs on the oriented grid; a component smaller than
  // min_component_mm3 has fewer voxels than its ceiling in voxels (less a rounding margin).
  if (spec.min_component_mm3 > 0) {
    const double voxels = spec.min_component_mm3 / g.voxel_volume_mm3();
    remove_small_satellites(mask, g.dims, static_cast<std::size_t>(std::ceil(voxels * (1 - 1e-9))));
  }

  Volume oriented;
  oriented.grid = g;
  oriented.voxels.resize(mask.size());
  std::transform(mask.begin(), mask.end(), oriented.voxels.begin(), [&](std::uint8_t m) { return m ? static_cast<float>(spec.label) : 0.0f; });
  Volume out = input.to_model.identity() ? std::move(oriented)
                                         : apply_axis_mapping(oriented, axis_mapping(spec.orientation, orientation_code(flair.grid.affine)));
  // Back on the FLAIR's voxels exactly: its own grid (affine, qform, sform), not one recomputed through the mapping.
  out.grid = flair.grid;
  out.name = flair.name + " (FLAIR abnormality)";
  out.source_datatype = "UINT8";
  return out;
}

}  // namespace gliolens::segmentation
