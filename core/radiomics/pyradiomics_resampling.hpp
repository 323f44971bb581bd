// PyRadiomics' resampling (imageoperations.resampleImage), which PyRadiomics mode uses instead of IBSI's grid.
#pragma once
#include "core/radiomics/radiomics.hpp"
#include "core/volume.hpp"

#include <array>
#include <utility>

namespace gliolens::radiomics {

// A grid of `spacing` cropped to the mask's bounding box plus `pad` voxels, aligned on the first voxel's corner;
// image by `interpolation`, mask by nearest neighbour. Integer images are truncated to integers as SimpleITK casts
// back to the input type, unless `keep_real`. Returns {image, mask of 0/1}.
[[nodiscard]] std::pair<Volume, Volume> pyradiomics_resample(const Volume& image, const Volume& mask, int label,
                                                             std::array<double, 3> spacing, Interpolation interpolation,
                                                             double pad, bool keep_real);

}  // namespace gliolens::radiomics
