// The image filters of the extraction pipeline: PyRadiomics' wavelet (coif1, level 1) and Laplacian of
// Gaussian (SimpleITK's recursive filter), and IBSI mode's sampled-kernel LoG. The pipeline filters only the
// box around the region of interest that its features read; the whole-image forms are for tests.
#pragma once
#include "core/volume.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gliolens::radiomics {

// The box that filtered images are computed on: the mask's bounding box plus a margin, within the image.
struct FilterBox {
  std::array<std::int64_t, 3> lo{}, hi{};  // inclusive
};
// The bounding box of the voxels of `mask01` above 0.5 plus `margin` voxels per axis, clipped to the grid; the
// whole grid when the mask is empty.
[[nodiscard]] FilterBox mask_box(const Volume& mask01, std::array<std::int64_t, 3> margin);

// The filters of the whole `image`, exact within `box` and zero outside it (see the whole-image forms below).
[[nodiscard]] std::vector<std::pair<std::string, Volume>> wavelet_in_box(const Volume& image, const FilterBox& box,
                                                                       bool in_plane);
[[nodiscard]] Volume log_in_box(const Volume& image, double sigma, const FilterBox& box);
[[nodiscard]] Volume log_recursive_in_box(const Volume& image, double sigma, const FilterBox& box);

// Stationary wavelet transform (pywt.swtn, level 1) with coif1 along x, y, z: the eight sub-bands, named as
// PyRadiomics ("LLH": low-pass in x and y, high-pass in z). Odd dimensions are padded by wrapping, as PyRadiomics.
// `in_plane` (PyRadiomics' force2D): along x and y only, four sub-bands "LH", "HL", "HH", "LL".
[[nodiscard]] std::vector<std::pair<std::string, Volume>> wavelet_coif1(const Volume& image, bool in_plane = false);
// IBSI mode's Laplacian of Gaussian, scale-normalised (sigma^2 LoG), sigma in mm; separable sampled-kernel
// convolution with edge-value extension (kernels: radius ceil(4 sigma / spacing), Gaussian sum 1, second derivative
// zero-sum with second moment 2).
[[nodiscard]] Volume laplacian_of_gaussian(const Volume& image, double sigma_mm);
// PyRadiomics' LoG: SimpleITK's LaplacianRecursiveGaussianImageFilter with NormalizeAcrossScale (ITK's recursive
// Gaussian, Deriche's 4th-order approximation, edge values extended), sigma in mm. Throws InvalidInputError when
// sigma <= 0 or an axis has fewer than 4 voxels (ITK refuses those).
[[nodiscard]] Volume laplacian_of_gaussian_recursive(const Volume& image, double sigma_mm);

}  // namespace gliolens::radiomics
