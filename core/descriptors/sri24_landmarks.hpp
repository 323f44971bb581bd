// Two landmarks of the SRI24 atlas (Rohlfing et al. 2010) in the world space of BraTS and TCGA masks (RAS+ mm, the
// BraTS affine: x = -i, y = 239 - j, z = k on the 240 x 240 x 155 1-mm grid). BraTS's files dropped SRI24's origin, so
// the midline is not at x = 0 there. Only these numbers are committed, not the atlas (CC BY-SA 3.0);
// scripts/derive_sri24_landmarks.mjs re-derives both from ../shared/data/atlas/sri24 and prints them.
#pragma once
#include <array>

namespace gliolens::descriptors {

// The midsagittal plane x = -119 mm. Found as the plane about which the skull-stripped T1 template's brain (its
// non-zero voxels; the template lies on the BraTS grid in world space, voxel-wise Dice 0.92 with the brats2018/ T1s'
// brains) best overlaps its own mirror image: 0.980 at x = -119, 0.976 at -119.5 and -118.5, 0.952 at -117 and
// -121. The upper and lower halves and the front and back halves give -118.5 to -119.5 (tilt under 1 mm), and the
// mean of each row's leftmost and rightmost brain voxel is x = -118.8. The other SRI24 brain mask here
// (sri24_brain_mask.nii.gz, its own rotated grid with the atlas's origin) is symmetric about its x = +0.9 mm.
inline constexpr double sri24_midline_x_mm = -119.0;

// The lateral ventricles' centre (-118.5, 111.4, 81.9) mm: in the T1 template, voxels darker than 240 (about the
// 5th percentile of the brain's intensities; CSF) inside a box 40 mm either side of the midline, 60 mm front/back and
// 45 mm up/down about the brain's centroid (-118.8, 104.3, 77.0) form 6-connected components; the largest one of
// over 5 mL centred more than 5 mm left of the midline (7.7 mL, x -131.7) and the largest such right of it (8.8 mL,
// x -106.9) are the two lateral ventricles, and this is their union's centroid. Thresholds 220-250 move it by under
// 1.5 mm (220: -118.7, 113.0, 82.4; 250: -118.4, 111.0, 81.7); darker than that, the ventricles are not yet whole,
// lighter, they join the third ventricle and the cisterns. The SRI24 files here have no ventricle label.
inline constexpr std::array<double, 3> sri24_ventricles_centre_mm{-118.5, 111.4, 81.9};

}  // namespace gliolens::descriptors
