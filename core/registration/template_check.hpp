// Checking a registration onto a brain template (the Prepare flow's T1c onto SRI24), by eye and by number: the
// template brain's outline to draw over the registered scan, and how well the scan's brain mask, carried onto the
// template's grid, covers the template's brain. A wrong registration shows as a brain outside the outline and a low Dice.
#pragma once
#include "core/volume.hpp"

namespace gliolens::registration {

// The surface of a skull-stripped template's brain (its non-zero voxels) as a label volume on its grid: 1 where a
// brain voxel has a face neighbour that is background or off the grid, 0 elsewhere. One voxel thick, so the scan under
// it stays visible.
[[nodiscard]] Volume template_outline(const Volume& template_brain);

// Dice between the non-zero voxels of a brain mask and of a skull-stripped template on the same grid (1 when both are
// empty). Throws InvalidInputError naming both when their grids differ.
[[nodiscard]] double template_brain_dice(const Volume& brain_mask, const Volume& template_brain);

}  // namespace gliolens::registration
