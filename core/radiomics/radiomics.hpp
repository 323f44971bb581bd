// Radiomic feature extraction (IBSI 1 definitions; PyRadiomics-compatible mode).
// Public entry point: extract_features(). Everything else in core/radiomics/ is internal.
#pragma once
#include "core/radiomics/extraction_cache.hpp"
#include "core/volume.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace gliolens::radiomics {

enum class Mode { ibsi, pyradiomics };
enum class Discretisation { fixed_bin_size, fixed_bin_number, none };
enum class Interpolation { nearest, linear, bspline };

// Which texture aggregations to compute (IBSI mode). PyRadiomics mode always uses 3D, per-direction averaged
// (or 2D when force_2d is set).
struct TextureDims {
  bool d2 = true;   // per-slice
  bool d25 = true;  // slices merged
  bool d3 = true;   // volumetric
};

struct Settings {
  Mode mode = Mode::pyradiomics;
  // --- preprocessing (in this order: resample, round, resegment, discretise) ---
  std::optional<std::array<double, 3>> resampled_spacing;  // mm; a value <= 0 keeps that axis
  Interpolation interpolation = Interpolation::linear;
  Interpolation mask_interpolation = Interpolation::linear;  // mask is interpolated then thresholded
  double mask_threshold = 0.5;
  bool round_intensities = false;  // e.g. CT: round to integer HU after interpolation
  std::optional<std::array<double, 2>> resegment_range;  // [lo, hi]; +-inf allowed
  std::optional<double> resegment_sigma;                 // mean +- n sigma outlier filtering (e.g. 3)
  Discretisation discretisation = Discretisation::fixed_bin_size;
  double bin_width = 25.0;
  int bin_count = 32;
  // Intensity-volume histogram: discretisation of its own (IBSI: none / bin width 1 for integer data).
  Discretisation ivh_discretisation = Discretisation::none;
  double ivh_bin_width = 1.0;
  int ivh_bin_count = 1000;
  double voxel_array_shift = 0.0;  // PyRadiomics: added before Energy, TotalEnergy, RMS
  // Affine intensity map applied in double precision as voxels are read: v' = (v - offset) * scale.
  // PyRadiomics' normalize (offset = image mean, scale = normalizeScale / image SD); identity by default.
  double intensity_offset = 0.0;
  double intensity_scale = 1.0;
  bool force_2d = false;           // PyRadiomics force2D (axial slices, 4 directions)
  bool merge_directions = false;   // PyRadiomics weightingNorm (no_weighting): one matrix summed over directions
  TextureDims texture_dims{};
  double local_intensity_volume_cc = 1.0;  // sphere of 1 cm^3 for the intensity peaks
  // Moran's I / Geary's C: exact, by the O(N^2) pair loop for small regions and by FFT convolution over the
  // region's bounding box otherwise. The FFT's zero-padded grid (2 x box per axis) takes 17 bytes per point; a
  // region whose grid would exceed this many points (and that is too large for the pair loop, 20 000 voxels)
  // gets no value, with that reason. 2^24 points: 272 MiB, a bounding box of up to ~128 voxels along every axis
  // (BraTS 2018 whole tumours measured: boxes up to 72 x 88 x 74, 3.9 M points, ~0.4 s natively).
  std::size_t max_moran_fft_points = std::size_t{1} << 24;
  // Feature families to compute ("shape"/"morphology", "local_intensity", "firstorder"/"intensity_statistics",
  // "intensity_histogram", "intensity_volume_histogram", "glcm", "glrlm", "glszm", "gldzm", "ngtdm",
  // "gldm"/"ngldm"). Empty: all of the mode.
  std::vector<std::string> families;
  std::string image_type = "original";
};

struct Feature {
  std::string name;         // PyRadiomics convention: original_glcm_Contrast (IBSI mode adds _<aggregation>)
  std::string family;       // e.g. "glcm", "morphology", "ngldm"
  std::string ibsi_tag;     // e.g. "ACUI"; empty when IBSI does not define the feature
  std::string aggregation;  // IBSI's: "", "2D, averaged", "2.5D, merged", "3D", ...
  std::optional<double> value;  // absent: see reason
  std::string reason;           // why there is no value (empty ROI, undefined on constant intensities...)
};

// The grey levels one extraction's discretisation gave, reported beside its features as PyRadiomics reports
// diagnostics_* beside its own: a fixed bin width on raw MRI intensities can give hundreds of levels, which
// slows the texture families and makes their values depend on the scanner's intensity scale.
struct GreyLevelSummary {
  std::string image_type;  // "original", "log-sigma-1-0-mm-3D", "wavelet-LLH", ...
  Discretisation discretisation = Discretisation::fixed_bin_size;
  double bin_width = 0;    // in force with fixed_bin_size
  int bin_count = 0;       // in force with fixed_bin_number
  int occupied_levels = 0; // distinct grey levels inside the region (after resegmentation); 0: empty region
  int level_range = 0;     // the highest level: how many bins the region's intensities span
};

// An extraction's features and, per image type, its grey levels.
struct Extraction {
  std::vector<Feature> features;
  std::vector<GreyLevelSummary> grey_levels;
};

// Whether a mask value is `label` as std::lround(v) == label would say (NaN: no), without a libm call: the
// comparisons vectorise over whole volumes.
[[nodiscard]] inline bool label_matches(float v, int label) {
  const float lo = static_cast<float>(label) - 0.5f, hi = static_cast<float>(label) + 0.5f;
  // bitwise, not short-circuit: no branches in the loops over whole volumes
  return ((v > lo) & (v < hi)) | ((v == lo) & (label > 0)) | ((v == hi) & (label < 0));
}

// Extracts features of the voxels of `mask` equal to `label`. The mask must share the image's grid
// (same dims; InvalidInputError otherwise). Features that cannot be computed carry a reason, never NaN.
// `cache` (optional, extraction_cache.hpp) shares the mask-only work between the extractions of one case.
[[nodiscard]] std::vector<Feature> extract_features(const Volume& image, const Volume& mask, int label,
                                                    const Settings& settings, ExtractionCache* cache = nullptr);
// The same for the union of several labels (a region such as tumour core = {1, 4}).
[[nodiscard]] std::vector<Feature> extract_features(const Volume& image, const Volume& mask,
                                                    const std::vector<int>& labels, const Settings& settings,
                                                    ExtractionCache* cache = nullptr);

// extract_features() with the grey levels of its discretisation.
[[nodiscard]] Extraction extract_with_diagnostics(const Volume& image, const Volume& mask,
                                                  const std::vector<int>& labels, const Settings& settings,
                                                  ExtractionCache* cache = nullptr);

// Settings matching PyRadiomics' defaults (binWidth 25, 3D, no resampling).
[[nodiscard]] Settings pyradiomics_defaults();
// IBSI mode with all aggregations; the caller sets resampling / resegmentation / discretisation.
[[nodiscard]] Settings ibsi_defaults();

}  // namespace gliolens::radiomics
