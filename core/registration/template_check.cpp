#include "core/registration/template_check.hpp"

#include "core/errors.hpp"
#include "core/imaging/same_grid.hpp"
#include "core/metrics/segmentation_scores.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace gliolens::registration {
namespace {

std::vector<std::uint8_t> nonzero(const Volume& v) {
  std::vector<std::uint8_t> out(v.voxels.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = v.voxels[i] != 0.0F ? 1 : 0;
  return out;
}

}  // namespace

Volume template_outline(const Volume& template_brain) {
  const auto inside = nonzero(template_brain);
  const auto& grid = template_brain.grid;
  // Not a structured binding: clang 14 (Emscripten's) cannot capture one in a lambda.
  const std::int64_t nx = grid.dims[0];
  const std::int64_t ny = grid.dims[1];
  const std::int64_t nz = grid.dims[2];
  const auto brain_at = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    return i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz && inside[grid.index(i, j, k)] != 0;
  };
  constexpr std::array<std::array<int, 3>, 6> faces{{{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}}};
  Volume outline{.grid = grid, .voxels = std::vector<float>(inside.size(), 0.0F), .source_datatype = "UINT8",
                 .name = template_brain.name + " outline"};
  for (std::int64_t k = 0; k < nz; ++k) {
    for (std::int64_t j = 0; j < ny; ++j) {
      for (std::int64_t i = 0; i < nx; ++i) {
        if (!brain_at(i, j, k)) continue;
        for (const auto& [di, dj, dk] : faces) {
          if (!brain_at(i + di, j + dj, k + dk)) {
            outline.voxels[grid.index(i, j, k)] = 1.0F;
            break;
          }
        }
      }
    }
  }
  return outline;
}

double template_brain_dice(const Volume& brain_mask, const Volume& template_brain) {
  if (const auto difference = grid_difference(brain_mask.grid, template_brain.grid); !difference.empty()) {
    throw InvalidInputError(brain_mask.name + " is not on the grid of " + template_brain.name + " (" + difference + ")");
  }
  return metrics::dice(nonzero(brain_mask), nonzero(template_brain));
}

}  // namespace gliolens::registration
