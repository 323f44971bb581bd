// Shared internals of the radiomics engine: the preprocessed region of interest and the feature sink.
#pragma once
#include "core/radiomics/radiomics.hpp"

#include <Eigen/Dense>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace gliolens::radiomics {

// The region of interest cropped to the bounding box of the morphological mask plus a margin.
// Voxels of the margin outside the source image have NaN intensity and are in neither mask.
struct RoiImage {
  std::array<int, 3> dims{0, 0, 0};
  std::array<double, 3> spacing{1, 1, 1};
  // Voxel (i, j, k) of the box is at ((i, j, k) + coordinate_shift) * spacing mm (morphology's coordinates).
  std::array<int, 3> coordinate_shift{0, 0, 0};
  std::vector<double> intensity;       // NaN outside the image
  std::vector<std::uint8_t> morph;     // morphological mask (before resegmentation)
  std::vector<std::uint8_t> inten;     // intensity mask (after resegmentation)
  std::vector<int> levels;             // discretised grey levels 1..ng inside the intensity mask, 0 elsewhere
  int ng = 0;                          // number of grey levels (texture matrices are ng x ...)
  std::vector<int> ivh_levels;         // grey levels for the intensity-volume histogram
  double ivh_min = 0, ivh_max = 0, ivh_step = 1;  // intensity range of the IVH fractions; grid step
  double ivh_base = 0;                             // ivh level l <-> intensity ivh_base + (l - 1) * step (FBS: bin centres)
  bool ivh_discrete = true;

  [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(dims[0]) * dims[1] * dims[2]; }
  [[nodiscard]] std::size_t idx(int i, int j, int k) const {
    return static_cast<std::size_t>(i) + static_cast<std::size_t>(dims[0]) * (static_cast<std::size_t>(j) + static_cast<std::size_t>(dims[1]) * k);
  }
  [[nodiscard]] bool inside(int i, int j, int k) const {
    return i >= 0 && j >= 0 && k >= 0 && i < dims[0] && j < dims[1] && k < dims[2];
  }
  // No voxel of the masks lies on the box's faces (the crop margin is at least 1; run_families checks it), so the
  // neighbours at Chebyshev distance 1 of a mask voxel n are inside the box, at n + offset(di, dj, dk): the
  // texture loops visit the interior only and step by offsets, without bounds checks.
  [[nodiscard]] std::ptrdiff_t offset(int di, int dj, int dk) const {
    return di + static_cast<std::ptrdiff_t>(dims[0]) * (dj + static_cast<std::ptrdiff_t>(dims[1]) * dk);
  }
  // The offsets of the 26 neighbours (3-D) or of the 8 in-plane ones.
  [[nodiscard]] std::vector<std::ptrdiff_t> neighbour_offsets(bool three_d) const {
    std::vector<std::ptrdiff_t> o;
    for (int c = three_d ? -1 : 0; c <= (three_d ? 1 : 0); ++c)
      for (int b = -1; b <= 1; ++b)
        for (int a = -1; a <= 1; ++a)
          if (a != 0 || b != 0 || c != 0) o.push_back(offset(a, b, c));
    return o;
  }
  // Calls visit(n, level) for each voxel n with a grey level (levels[n] > 0) of one slice (slice >= 0) or of the
  // whole box (slice < 0), in storage order. Only the interior is scanned: no mask voxel lies on a face.
  template <class Visit>
  void for_each_level_voxel(int slice, Visit&& visit) const {
    const int k0 = slice < 0 ? 1 : slice, k1 = slice < 0 ? dims[2] - 1 : slice + 1;
    const int* lv = levels.data();
    for (int k = k0; k < k1; ++k)
      for (int j = 1; j < dims[1] - 1; ++j) {
        const std::size_t row = idx(0, j, k);
        for (int i = 1; i < dims[0] - 1; ++i) {
          const std::size_t n = row + static_cast<std::size_t>(i);
          if (lv[n] != 0) visit(n, lv[n]);
        }
      }
  }
  [[nodiscard]] std::size_t morph_count() const;
  [[nodiscard]] std::vector<double> roi_intensities() const;  // intensity-mask voxels, storage order
};

// Collects the features of one family, honouring the mode's naming.
class FeatureSink {
public:
  FeatureSink(std::vector<Feature>& out, std::string family, std::string image_type, Mode mode)
      : out_(out), family_(std::move(family)), image_type_(std::move(image_type)), mode_(mode) {}
  // `value` that is not finite is turned into an absent value with a reason.
  void add(const std::string& name, const std::string& tag, const std::string& aggregation, double value,
           const std::string& reason_if_not_finite = "undefined for this region");
  void missing(const std::string& name, const std::string& tag, const std::string& aggregation,
               const std::string& reason);
  [[nodiscard]] Mode mode() const { return mode_; }
  // PyRadiomics mode: the IBSI aggregation that PyRadiomics' directional matrices correspond to.
  std::string pyradiomics_directional = "3D, averaged";

private:
  [[nodiscard]] std::string full_name(const std::string& name, const std::string& aggregation) const;
  std::vector<Feature>& out_;
  std::string family_;
  std::string image_type_;
  Mode mode_;
};

// Helpers.
inline double sq(double x) { return x * x; }
inline double log2_safe(double p) { return p > 0 ? std::log2(p) : 0.0; }
// numpy.percentile (linear interpolation) of sorted values, q in [0, 100].
double percentile_sorted(std::span<const double> sorted, double q);
// The moments, percentiles and deviations that the intensity-statistics and intensity-histogram families
// both report (on intensities and on discretised levels respectively).
struct SampleStatistics {
  double mean, variance, m3, m4;      // central moments m2 (= variance), m3, m4
  double mean_absolute_deviation;     // 1/N sum |x - mean|
  double median, p10, p25, p75, p90;  // numpy.percentile, linear interpolation
  double robust_mean_absolute_deviation;  // mean absolute deviation of P10 <= x <= P90 from their mean
  double median_absolute_deviation;   // 1/N sum |x - median|
};
SampleStatistics describe_sorted(std::span<const double> sorted);

// --- families (one file each) ---
// `cache` (may be null) keeps the mask-only geometry and kernel spectra for the next modality of the region.
void morphology_features(const RoiImage& roi, const Settings& s, ExtractionCache* cache, FeatureSink& out);
void local_intensity_features(const RoiImage& roi, const Settings& s, FeatureSink& out);
void intensity_statistics_features(const RoiImage& roi, const Settings& s, FeatureSink& out);
void intensity_histogram_features(const RoiImage& roi, const Settings& s, FeatureSink& out);
void intensity_volume_histogram_features(const RoiImage& roi, const Settings& s, FeatureSink& out);
void glcm_features(const RoiImage& roi, const Settings& s, FeatureSink& out);
void glrlm_features(const RoiImage& roi, const Settings& s, FeatureSink& out);
void glszm_features(const RoiImage& roi, const Settings& s, FeatureSink& out);
void gldzm_features(const RoiImage& roi, const Settings& s, FeatureSink& out);
void ngtdm_features(const RoiImage& roi, const Settings& s, FeatureSink& out);
void ngldm_features(const RoiImage& roi, const Settings& s, FeatureSink& out);

// Neighbour offsets: the 13 unique 3-D directions (first 4 are the in-plane ones).
inline constexpr std::array<std::array<int, 3>, 13> kDirections{{
    {1, 0, 0}, {0, 1, 0}, {1, 1, 0}, {1, -1, 0}, {0, 0, 1}, {1, 0, 1}, {1, 0, -1},
    {0, 1, 1}, {0, 1, -1}, {1, 1, 1}, {1, 1, -1}, {1, -1, 1}, {1, -1, -1}}};

// The texture computation plan of the settings: which slices/volumes, as IBSI aggregation names.
struct TexturePlan {
  bool d2 = false, d25 = false, d3 = false;
};
TexturePlan texture_plan(const Settings& s);

// Feature values of a "grey level x size" matrix (GLRLM, GLSZM, GLDZM, NGLDM share them).
// m(i, j): count of grey level i+1 with run length / zone size / distance / dependence j+1.
struct SizeZoneStats {
  double se, le, lge, hge, slge, shge, llge, lhge, glnu, glnun, snu, snun, perc, glv, sv, entropy, energy;
};
SizeZoneStats size_zone_stats(const Eigen::MatrixXd& m, double nv);

// The grey levels that occur in the ROI, in increasing order, and each level's row in the matrices (-1: absent):
// matrices are sized by the occupied levels, not by the range (a fixed bin width on raw MR gives ~1,000 levels
// of which many are empty). Dropping the empty rows changes no feature: their probabilities are exact zeros
// (PyRadiomics drops them too).
struct OccupiedLevels {
  std::vector<int> level;  // level[r]: grey level of row r
  std::vector<int> row;    // row[l]: row of grey level l (index 0 unused)
};

[[nodiscard]] OccupiedLevels occupied_levels(const RoiImage& roi);

}  // namespace gliolens::radiomics
