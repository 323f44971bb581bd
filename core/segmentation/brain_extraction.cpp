#include "core/segmentation/brain_extraction.hpp"

#include "core/errors.hpp"
#include "core/imaging/intensity.hpp"
#include "core/imaging/regrid.hpp"
#include "core/segmentation/postprocess.hpp"

#include <algorithm>
#include <cmath>

namespace gliolens::segmentation {
namespace {

// The world direction (RAS+) a voxel axis labelled `letter` points to.
Eigen::Vector3d direction(char letter) {
  switch (letter) {
    case 'R': return {1, 0, 0};
    case 'L': return {-1, 0, 0};
    case 'A': return {0, 1, 0};
    case 'P': return {0, -1, 0};
    case 'S': return {0, 0, 1};
    case 'I': return {0, 0, -1};
    default: throw InvalidInputError(std::string("brain extraction: orientation letter '") + letter + "' is not one of RLAPSI");
  }
}

// Position of conformed voxel (i, j, k) of the box in the tensor laid out in `axes` order.
struct TensorLayout {
  Index3 dims{};     // tensor spatial dims, slowest first
  Index3 stride{};   // stride of box axis i, j, k in the tensor
};
TensorLayout layout(const Index3& box, const std::string& axes) {
  TensorLayout out;
  if (axes == "ijk") {
    out.dims = box;
    out.stride = {box[1] * box[2], box[2], 1};
  } else {
    out.dims = {box[2], box[1], box[0]};
    out.stride = {1, box[0], box[0] * box[1]};
  }
  return out;
}

}  // namespace

Grid conformed_grid(const Grid& grid, const BrainExtractionSpec& spec) {
  Grid out;
  out.dims = spec.conform_dims;
  Eigen::Matrix4d affine = Eigen::Matrix4d::Identity();
  for (int a = 0; a < 3; ++a) affine.block<3, 1>(0, a) = direction(spec.conform_orientation.at(static_cast<std::size_t>(a))) * spec.conform_spacing_mm;
  const Eigen::Vector4d centre = grid.affine * Eigen::Vector4d(static_cast<double>(grid.dims[0]) / 2, static_cast<double>(grid.dims[1]) / 2,
                                                               static_cast<double>(grid.dims[2]) / 2, 1.0);
  const Eigen::Vector3d half(static_cast<double>(out.dims[0]) / 2, static_cast<double>(out.dims[1]) / 2, static_cast<double>(out.dims[2]) / 2);
  affine.block<3, 1>(0, 3) = centre.head<3>() - affine.block<3, 3>(0, 0) * half;
  out.affine = affine;
  out.qform = affine;
  out.sform = affine;
  out.qform_code = 1;
  out.sform_code = 1;
  return out;
}

BrainExtractionInput prepare_brain_extraction(const Volume& scan, const BrainExtractionSpec& spec) {
  if (scan.grid.voxel_count() == 0) throw InvalidInputError(scan.name + ": the volume is empty");
  BrainExtractionInput out;
  out.conformed = conformed_grid(scan.grid, spec);
  Volume cube = resample_to_grid(scan, out.conformed, Interpolator::linear, 0.0f);

  std::vector<float> sorted = cube.voxels;
  const auto low = static_cast<float>(quantile(sorted, spec.lower_quantile));
  const auto high = static_cast<float>(quantile(sorted, spec.upper_quantile));
  if (!(high > low)) {
    throw InvalidInputError(scan.name + ": no contrast to extract a brain from (its " + std::to_string(spec.lower_quantile) + " and " +
                            std::to_string(spec.upper_quantile) + " quantiles are both " + std::to_string(low) + ")");
  }
  const float scale = 1.0f / (high - low);
  float maximum = -std::numeric_limits<float>::infinity();
  for (float& v : cube.voxels) {
    v = (v - low) * scale;
    if (spec.clip) v = std::clamp(v, 0.0f, 1.0f);
    maximum = std::max(maximum, v);
  }

  // The box of the voxels above the crop threshold, grown by the margin and clipped to the cube; no crop: the cube.
  const float threshold = spec.crop_threshold_of_max > 0 ? static_cast<float>(spec.crop_threshold_of_max) * maximum : 0.0f;
  const Index3& d = out.conformed.dims;
  Index3 lo{d[0], d[1], d[2]};
  Index3 hi{-1, -1, -1};
  const std::int64_t margin = spec.crop ? spec.crop_margin_voxels : 0;
  if (!spec.crop) {
    lo = {0, 0, 0};
    hi = {d[0] - 1, d[1] - 1, d[2] - 1};
  }
  for (std::int64_t k = 0; spec.crop && k < d[2]; ++k)
    for (std::int64_t j = 0; j < d[1]; ++j)
      for (std::int64_t i = 0; i < d[0]; ++i) {
        if (!(cube.voxels[out.conformed.index(i, j, k)] > threshold)) continue;
        const Index3 p{i, j, k};
        for (int a = 0; a < 3; ++a) {
          lo[a] = std::min(lo[a], p[a]);
          hi[a] = std::max(hi[a], p[a]);
        }
      }
  if (spec.crop && hi[0] < 0) throw InvalidInputError(scan.name + ": nothing above the brain extraction's crop threshold (an empty or constant scan?)");
  for (int a = 0; a < 3; ++a) {
    out.box_start[a] = std::max<std::int64_t>(0, lo[a] - margin);
    out.box_size[a] = std::min<std::int64_t>(d[a] - 1, hi[a] + margin) - out.box_start[a] + 1;
  }

  const TensorLayout t = layout(out.box_size, spec.tensor_axes);
  out.tensor_dims = t.dims;
  out.tensor.assign(voxel_count(out.box_size), 0.0f);
  for (std::int64_t k = 0; k < out.box_size[2]; ++k)
    for (std::int64_t j = 0; j < out.box_size[1]; ++j)
      for (std::int64_t i = 0; i < out.box_size[0]; ++i) {
        out.tensor[static_cast<std::size_t>(i * t.stride[0] + j * t.stride[1] + k * t.stride[2])] =
            cube.voxels[out.conformed.index(out.box_start[0] + i, out.box_start[1] + j, out.box_start[2] + k)];
      }
  return out;
}

Volume brain_mask_from_logits(const Volume& scan, const BrainExtractionInput& input, std::span<const float> logits,
                              const BrainExtractionSpec& spec) {
  const std::size_t voxels = voxel_count(input.box_size);
  const auto channels = static_cast<std::size_t>(spec.output_channels);
  if (logits.size() != voxels * channels) {
    throw InvalidInputError(scan.name + ": the brain extraction network gave " + std::to_string(logits.size()) + " values for " +
                            std::to_string(voxels) + " voxels x " + std::to_string(channels) + " channels");
  }
  // The brain's softmax probability on the box, as a volume whose grid is the box on the conformed cube.
  Volume box;
  box.name = scan.name;
  box.grid = input.conformed;
  box.grid.dims = input.box_size;
  Eigen::Matrix4d shift = Eigen::Matrix4d::Identity();
  for (int a = 0; a < 3; ++a) shift(a, 3) = static_cast<double>(input.box_start[a]);
  box.grid.affine = input.conformed.affine * shift;
  box.voxels.assign(voxels, 0.0f);
  const TensorLayout t = layout(input.box_size, spec.tensor_axes);
  const auto brain = static_cast<std::size_t>(spec.brain_channel);
  for (std::int64_t k = 0; k < input.box_size[2]; ++k)
    for (std::int64_t j = 0; j < input.box_size[1]; ++j)
      for (std::int64_t i = 0; i < input.box_size[0]; ++i) {
        const auto at = static_cast<std::size_t>(i * t.stride[0] + j * t.stride[1] + k * t.stride[2]);
        float largest = -std::numeric_limits<float>::infinity();
        for (std::size_t c = 0; c < channels; ++c) largest = std::max(largest, logits[c * voxels + at]);
        double sum = 0;
        for (std::size_t c = 0; c < channels; ++c) sum += std::exp(static_cast<double>(logits[c * voxels + at] - largest));
        box.voxels[box.grid.index(i, j, k)] = static_cast<float>(std::exp(static_cast<double>(logits[brain * voxels + at] - largest)) / sum);
      }

  Volume mask = resample_to_grid(box, scan.grid, Interpolator::linear, 0.0f);
  std::vector<std::uint8_t> binary(mask.voxels.size());
  for (std::size_t v = 0; v < binary.size(); ++v) binary[v] = mask.voxels[v] > 0.5f ? 1 : 0;
  if (spec.largest_component) keep_largest_component(binary, scan.grid.dims);
  if (spec.fill_holes) fill_holes(binary, scan.grid.dims);
  for (std::size_t v = 0; v < binary.size(); ++v) mask.voxels[v] = binary[v];
  mask.source_datatype = "UINT8";
  mask.name = scan.name + " brain mask";
  return mask;
}

Volume apply_brain_mask(const Volume& scan, const Volume& mask) {
  if (mask.grid.dims != scan.grid.dims || mask.voxels.size() != scan.voxels.size()) {
    throw InvalidInputError(scan.name + ": the brain mask is not on its grid");
  }
  Volume out = scan;
  for (std::size_t v = 0; v < out.voxels.size(); ++v) {
    if (mask.voxels[v] == 0.0f) out.voxels[v] = 0.0f;
  }
  out.name = scan.name + " (brain)";
  return out;
}

void keep_largest_component(std::span<std::uint8_t> mask, const Index3& dims) {
  const Components components = connected_components(mask, dims, 26);
  if (components.sizes.empty()) return;
  const auto largest = static_cast<std::int32_t>(std::max_element(components.sizes.begin(), components.sizes.end()) - components.sizes.begin()) + 1;
  for (std::size_t v = 0; v < mask.size(); ++v) mask[v] = components.labels[v] == largest ? 1 : 0;
}

void fill_holes(std::span<std::uint8_t> mask, const Index3& dims) {
  std::vector<std::uint8_t> background(mask.size());
  for (std::size_t v = 0; v < mask.size(); ++v) background[v] = mask[v] ? 0 : 1;
  const Components components = connected_components(background, dims, 6);
  // Background components that reach the border are outside; the others are holes.
  std::vector<bool> outside(components.sizes.size() + 1, false);
  const auto index = [&](std::int64_t i, std::int64_t j, std::int64_t k) { return static_cast<std::size_t>(i + dims[0] * (j + dims[1] * k)); };
  for (std::int64_t k = 0; k < dims[2]; ++k)
    for (std::int64_t j = 0; j < dims[1]; ++j)
      for (std::int64_t i = 0; i < dims[0]; ++i) {
        const bool border = i == 0 || j == 0 || k == 0 || i == dims[0] - 1 || j == dims[1] - 1 || k == dims[2] - 1;
        if (border) outside[static_cast<std::size_t>(components.labels[index(i, j, k)])] = true;
      }
  for (std::size_t v = 0; v < mask.size(); ++v) {
    if (!mask[v] && !outside[static_cast<std::size_t>(components.labels[v])]) mask[v] = 1;
  }
}

}  // namespace gliolens::segmentation
