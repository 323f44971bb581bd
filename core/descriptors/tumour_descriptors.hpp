// Descriptors of a glioma from its BraTS-labelled segmentation alone (labels 1 NCR/NET, 2 ED, 4 ET; regions WT = 1+2+4,
// TC = 1+4, ET = 4, NCR = 1, ED = 2): each region's PyRadiomics shape features, the compartments' proportions,
// multifocality and the tumour's location in SRI24 space. The inputs of the radiogenomic models (issue 28), computed
// the same way in the browser, the CLI and the cohort run.
// Lobe is not given: no atlas of lobes with a licence that lets the app ship it is at hand.
#pragma once
#include "core/radiomics/extraction_cache.hpp"
#include "core/volume.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gliolens::descriptors {

struct Descriptor {
  std::string name;             // e.g. WT_original_shape_Sphericity, ET_over_TC, WT_crosses_midline
  std::optional<double> value;  // absent: see reason
  std::string reason;           // why there is no value (an absent region, a grid outside SRI24 space)
};

// Whole-tumour components of at least this volume count towards multifocality (the name says it: WT_components_min_1mL).
inline constexpr double min_component_ml = 1.0;
// The tumour crosses the midline when it has voxel centres more than this far on both sides of it.
inline constexpr double midline_margin_mm = 2.0;

// The descriptors, in a fixed order and with fixed names whatever the segmentation (a missing value carries its
// reason):
//  - <R>_original_shape_<Feature> for R in WT, TC, ET, NCR, ED: PyRadiomics' shape features (the engine's PyRadiomics
//    mode, mask only), named as PyRadiomics names them; an absent region's have no value;
//  - ET_over_TC, NCR_over_TC, ED_over_WT, TC_over_WT: proportions by volume;
//  - WT_components_min_1mL (26-connected), WT_multifocal (1 when two or more), WT_largest_component_share (of WT);
//  - location, in the segmentation's world space, which must be SRI24's as BraTS distributes it (sri24_landmarks.hpp;
//    otherwise no value): WT_centroid_{x,y,z}_mm (RAS), WT_hemisphere_left (1 left, 0 right, by the centroid),
//    WT_crosses_midline (1/0), WT_contralateral_extent_mm (how far WT reaches past the midline on the side away
//    from its centroid; 0 when it does not), WT_centroid_midline_distance_mm, WT_centroid_ventricles_distance_mm.
// InvalidInputError when a voxel is not 0, 1, 2 or 4, or no voxel is 1, 2 or 4. `cache` (optional) is the
// radiomics extraction cache of the case: the same regions' shape features later come from it.
[[nodiscard]] std::vector<Descriptor> tumour_descriptors(const Volume& segmentation,
                                                         radiomics::ExtractionCache* cache = nullptr);

}  // namespace gliolens::descriptors
