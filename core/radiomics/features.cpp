// Preprocessing of the region of interest and the feature extraction driver.
#include "core/errors.hpp"
#include "core/imaging/resample.hpp"
#include "core/radiomics/internal.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <numeric>
#include <stdexcept>

namespace gliolens::radiomics {

std::size_t RoiImage::morph_count() const {
  return static_cast<std::size_t>(std::count(morph.begin(), morph.end(), std::uint8_t{1}));
}

std::vector<double> RoiImage::roi_intensities() const {
  std::vector<double> v;
  for (std::size_t n = 0; n < size(); ++n)
    if (inten[n]) v.push_back(intensity[n]);
  return v;
}

double percentile_sorted(std::span<const double> sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double pos = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double f = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * f;
}

SampleStatistics describe_sorted(std::span<const double> sorted) {
  SampleStatistics st{};
  const double n = static_cast<double>(sorted.size());
  st.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / n;
  double m2 = 0, m3 = 0, m4 = 0, mad = 0;
  for (double v : sorted) {
    const double d = v - st.mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
    mad += std::abs(d);
  }
  st.variance = m2 / n;
  st.m3 = m3 / n;
  st.m4 = m4 / n;
  st.mean_absolute_deviation = mad / n;
  st.median = percentile_sorted(sorted, 50);
  st.p10 = percentile_sorted(sorted, 10);
  st.p25 = percentile_sorted(sorted, 25);
  st.p75 = percentile_sorted(sorted, 75);
  st.p90 = percentile_sorted(sorted, 90);
  double robust_sum = 0, robust_count = 0;
  for (double v : sorted)
    if (v >= st.p10 && v <= st.p90) {
      robust_sum += v;
      robust_count += 1;
    }
  const double robust_mean = robust_sum / robust_count;
  double robust_mad = 0, median_ad = 0;
  for (double v : sorted) {
    if (v >= st.p10 && v <= st.p90) robust_mad += std::abs(v - robust_mean);
    median_ad += std::abs(v - st.median);
  }
  st.robust_mean_absolute_deviation = robust_mad / robust_count;
  st.median_absolute_deviation = median_ad / n;
  return st;
}

namespace {
std::string aggregation_code(const std::string& a) {
  if (a.empty()) return "";
  if (a == "2D, averaged") return "2Davg";
  if (a == "2D, slice-merged") return "2Dsmrg";
  if (a == "2.5D, direction-merged") return "2.5Ddmrg";
  if (a == "2.5D, merged") return "2.5Dmrg";
  if (a == "3D, averaged") return "3Davg";
  if (a == "3D, merged") return "3Dmrg";
  return a;  // "2D", "2.5D", "3D"
}
}  // namespace

std::string FeatureSink::full_name(const std::string& name, const std::string& aggregation) const {
  std::string n;
  n.append(image_type_).append("_").append(family_).append("_").append(name);
  if (mode_ == Mode::ibsi && !aggregation.empty()) n.append("_").append(aggregation_code(aggregation));
  return n;
}

void FeatureSink::add(const std::string& name, const std::string& tag, const std::string& aggregation, double value,
                      const std::string& reason_if_not_finite) {
  Feature f{full_name(name, aggregation), family_, tag, aggregation, std::nullopt, {}};
  if (std::isfinite(value)) f.value = value == 0.0 ? 0.0 : value;  // no negative zero
  else f.reason = reason_if_not_finite;
  out_.push_back(std::move(f));
}

void FeatureSink::missing(const std::string& name, const std::string& tag, const std::string& aggregation,
                          const std::string& reason) {
  out_.push_back(Feature{full_name(name, aggregation), family_, tag, aggregation, std::nullopt, reason});
}

TexturePlan texture_plan(const Settings& s) {
  if (s.mode == Mode::pyradiomics) return s.force_2d ? TexturePlan{false, true, false} : TexturePlan{false, false, true};
  return TexturePlan{s.texture_dims.d2, s.texture_dims.d25, s.texture_dims.d3};
}

SizeZoneStats size_zone_stats(const Eigen::MatrixXd& m, double nv) {
  SizeZoneStats r{};
  const double ns = m.sum();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (ns <= 0) {
    r = SizeZoneStats{nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan};
    return r;
  }
  const Eigen::VectorXd rows = m.rowwise().sum();  // per grey level
  const Eigen::VectorXd cols = m.colwise().sum();  // per size
  double mu_i = 0, mu_j = 0;
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      const double c = m(i, j);
      if (c == 0) continue;
      const double gi = static_cast<double>(i + 1), sj = static_cast<double>(j + 1);
      r.se += c / (sj * sj);                  // short runs / small zones / low dependence emphasis
      r.le += c * sj * sj;                    // long / large / high emphasis
      r.lge += c / (gi * gi);                 // low grey level emphasis
      r.hge += c * gi * gi;                   // high grey level emphasis
      r.slge += c / (gi * gi * sj * sj);
      r.shge += c * gi * gi / (sj * sj);
      r.llge += c * sj * sj / (gi * gi);
      r.lhge += c * gi * gi * sj * sj;
      const double p = c / ns;
      mu_i += gi * p;
      mu_j += sj * p;
      r.entropy -= p * std::log2(p);
      r.energy += p * p;
    }
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      const double p = m(i, j) / ns;
      if (p == 0) continue;
      r.glv += p * sq(static_cast<double>(i + 1) - mu_i);
      r.sv += p * sq(static_cast<double>(j + 1) - mu_j);
    }
  r.se /= ns; r.le /= ns; r.lge /= ns; r.hge /= ns; r.slge /= ns; r.shge /= ns; r.llge /= ns; r.lhge /= ns;
  r.glnu = rows.squaredNorm() / ns;
  r.glnun = rows.squaredNorm() / (ns * ns);
  r.snu = cols.squaredNorm() / ns;
  r.snun = cols.squaredNorm() / (ns * ns);
  r.perc = nv > 0 ? ns / nv : nan;
  return r;
}

namespace {

bool wants(const Settings& s, std::initializer_list<const char*> names) {
  if (s.families.empty()) return true;
  for (const auto& f : s.families)
    for (const char* n : names)
      if (f == n) return true;
  return false;
}

// Builds the cropped region of interest. `in(n)`: whether voxel n (of the image's grid) is in the mask. One
// read-only pass over the volume for the bounding box; the mask is read again only inside the box.
// `zeros`, when given, are the mask's values where 0 is known to be outside: a cheap first test.
template <typename In>
RoiImage crop_roi(const Volume& image, In in, const Settings& s, const float* zeros = nullptr) {
  const auto& g = image.grid;
  std::array<std::int64_t, 3> lo{g.dims[0], g.dims[1], g.dims[2]}, hi{-1, -1, -1};
  for (std::int64_t k = 0; k < g.dims[2]; ++k)
    for (std::int64_t j = 0; j < g.dims[1]; ++j) {
      const std::size_t base = g.index(0, j, k);
      std::int64_t a = -1, b = -1;
      if (zeros) {
        const float* row = zeros + base;
        // Most rows are all zero: a branch-free OR over the row's bits (vectorised) skips them.
        std::uint32_t any = 0;
        for (std::int64_t i = 0; i < g.dims[0]; ++i) {
          std::uint32_t u;
          std::memcpy(&u, row + i, sizeof u);
          any |= u << 1;  // without the sign bit: -0 is zero too
        }
        if (any == 0) continue;
        for (std::int64_t i = 0; i < g.dims[0]; ++i)
          if (row[i] != 0.0f && in(base + static_cast<std::size_t>(i))) {
            if (a < 0) a = i;
            b = i;
          }
      } else {
        for (std::int64_t i = 0; i < g.dims[0]; ++i)
          if (in(base + static_cast<std::size_t>(i))) {
            if (a < 0) a = i;
            b = i;
          }
      }
      if (a < 0) continue;
      lo = {std::min(lo[0], a), std::min(lo[1], j), std::min(lo[2], k)};
      hi = {std::max(hi[0], b), std::max(hi[1], j), std::max(hi[2], k)};
    }
  RoiImage roi;
  const auto sp = g.spacing();
  roi.spacing = {sp[0], sp[1], sp[2]};
  if (hi[0] < 0) return roi;  // empty
  // A margin of one voxel (the texture loops step to neighbours without bounds checks: RoiImage::offset), and the
  // radius of the local intensity sphere when that family runs: its peaks average intensities around the mask.
  // Every other family loops over the box, so a needless margin costs time (8 voxels a side at 1 mm: 2x the box).
  // The mesh's coordinates keep one origin whatever the margin (the sphere's margin before the mask's box): the
  // marching-cubes volume of a mesh that is not closed (ambiguous cubes) depends on the origin.
  const bool local = s.mode == Mode::ibsi && wants(s, {"local_intensity"});
  const double sphere = std::cbrt(3.0 * s.local_intensity_volume_cc * 1000.0 / (4.0 * std::numbers::pi));
  std::array<std::int64_t, 3> margin{};
  for (int d = 0; d < 3; ++d) {
    const std::int64_t sphere_margin = 1 + static_cast<std::int64_t>(std::ceil(sphere / std::max(sp[d], 1e-6)));
    margin[d] = local ? sphere_margin : 1;
    roi.coordinate_shift[d] = static_cast<int>(sphere_margin - margin[d]);
  }
  std::array<std::int64_t, 3> origin{};
  for (int d = 0; d < 3; ++d) {
    origin[d] = lo[d] - margin[d];
    roi.dims[d] = static_cast<int>(hi[d] - lo[d] + 1 + 2 * margin[d]);
  }
  const std::size_t n = roi.size();
  roi.intensity.assign(n, std::numeric_limits<double>::quiet_NaN());
  roi.morph.assign(n, 0);
  for (int k = 0; k < roi.dims[2]; ++k)
    for (int j = 0; j < roi.dims[1]; ++j)
      for (int i = 0; i < roi.dims[0]; ++i) {
        const std::int64_t x = origin[0] + i, y = origin[1] + j, z = origin[2] + k;
        if (x < 0 || y < 0 || z < 0 || x >= g.dims[0] || y >= g.dims[1] || z >= g.dims[2]) continue;
        const auto src = g.index(x, y, z);
        const auto dst = roi.idx(i, j, k);
        double v = image.voxels[src];
        if (s.intensity_offset != 0.0 || s.intensity_scale != 1.0) v = (v - s.intensity_offset) * s.intensity_scale;
        roi.intensity[dst] = v;
        roi.morph[dst] = (in(src) && std::isfinite(v)) ? 1 : 0;
      }
  return roi;
}

void resegment(RoiImage& roi, const Settings& s) {
  roi.inten = roi.morph;
  if (s.resegment_range) {
    const auto [a, b] = *s.resegment_range;
    for (std::size_t n = 0; n < roi.size(); ++n)
      if (roi.inten[n] && (roi.intensity[n] < a || roi.intensity[n] > b)) roi.inten[n] = 0;
  }
  if (s.resegment_sigma) {
    double sum = 0, sum2 = 0, cnt = 0;
    for (std::size_t n = 0; n < roi.size(); ++n)
      if (roi.inten[n]) {
        sum += roi.intensity[n];
        cnt += 1;
      }
    if (cnt > 0) {
      const double mean = sum / cnt;
      for (std::size_t n = 0; n < roi.size(); ++n)
        if (roi.inten[n]) sum2 += sq(roi.intensity[n] - mean);
      const double sd = std::sqrt(sum2 / cnt);
      const double a = mean - *s.resegment_sigma * sd, b = mean + *s.resegment_sigma * sd;
      for (std::size_t n = 0; n < roi.size(); ++n)
        if (roi.inten[n] && (roi.intensity[n] < a || roi.intensity[n] > b)) roi.inten[n] = 0;
    }
  }
}

// Discretises into levels 1..ng. Returns ng; writes levels (0 outside the intensity mask).
int discretise(const RoiImage& roi, Discretisation d, double width, int count, Mode mode,
               std::optional<double> range_lo, std::vector<int>& levels, double& lo_out, double& step_out) {
  levels.assign(roi.size(), 0);
  double mn = std::numeric_limits<double>::infinity(), mx = -mn;
  for (std::size_t n = 0; n < roi.size(); ++n)
    if (roi.inten[n]) {
      mn = std::min(mn, roi.intensity[n]);
      mx = std::max(mx, roi.intensity[n]);
    }
  if (!std::isfinite(mn)) return 0;
  int ng = 0;
  if (d == Discretisation::fixed_bin_number) {
    lo_out = mn;
    step_out = (mx - mn) / count;
    for (std::size_t n = 0; n < roi.size(); ++n) {
      if (!roi.inten[n]) continue;
      int l = mx > mn ? static_cast<int>(std::floor(count * (roi.intensity[n] - mn) / (mx - mn))) + 1 : 1;
      levels[n] = std::min(l, count);
    }
    ng = count;
  } else {
    double lo = 0, w = 1;
    if (d == Discretisation::none) {
      lo = std::round(mn);
      w = 1;
    } else if (mode == Mode::pyradiomics) {
      w = width;
      lo = mn - (mn - std::floor(mn / w) * w);  // Python: min - (min % w)
    } else {
      w = width;
      lo = (range_lo && std::isfinite(*range_lo)) ? *range_lo : mn;
    }
    lo_out = lo;
    step_out = w;
    for (std::size_t n = 0; n < roi.size(); ++n) {
      if (!roi.inten[n]) continue;
      const int l = d == Discretisation::none ? static_cast<int>(std::lround(roi.intensity[n] - lo)) + 1
                                              : static_cast<int>(std::floor((roi.intensity[n] - lo) / w)) + 1;
      levels[n] = std::max(l, 1);
      ng = std::max(ng, levels[n]);
    }
  }
  return ng;
}

// Whether a voxel of the morphological mask (which holds the intensity mask) lies on a face of the box: never
// after crop_roi (margin >= 1); the texture loops rely on it (RoiImage::offset).
bool mask_on_faces(const RoiImage& roi) {
  for (int k = 0; k < roi.dims[2]; ++k)
    for (int j = 0; j < roi.dims[1]; ++j) {
      const bool face_row = k == 0 || j == 0 || k == roi.dims[2] - 1 || j == roi.dims[1] - 1;
      for (int i = 0; i < roi.dims[0]; i += face_row ? 1 : std::max(1, roi.dims[0] - 1))
        if (roi.morph[roi.idx(i, j, k)]) return true;
    }
  return false;
}

std::vector<Feature> run_families(RoiImage& roi, const Settings& s, ExtractionCache* cache) {
  if (mask_on_faces(roi)) throw std::logic_error("radiomics: the region touches its box's faces (no margin)");
  std::vector<Feature> out;
  const bool py = s.mode == Mode::pyradiomics;
  auto sink = [&](const char* ibsi, const char* pyr) {
    FeatureSink k(out, py ? pyr : ibsi, s.image_type, s.mode);
    k.pyradiomics_directional = s.force_2d ? (s.merge_directions ? "2.5D, merged" : "2.5D, direction-merged")
                                           : (s.merge_directions ? "3D, merged" : "3D, averaged");
    return k;
  };
  if (wants(s, {"shape", "morphology"})) {
    auto k = sink("morphology", "shape");
    morphology_features(roi, s, cache, k);
  }
  if (!py && wants(s, {"local_intensity"})) {
    auto k = sink("local_intensity", "local_intensity");
    local_intensity_features(roi, s, k);
  }
  if (wants(s, {"firstorder", "intensity_statistics"})) {
    auto k = sink("intensity_statistics", "firstorder");
    intensity_statistics_features(roi, s, k);
  }
  if (wants(s, {"firstorder", "intensity_histogram"})) {
    auto k = sink("intensity_histogram", "firstorder");
    intensity_histogram_features(roi, s, k);
  }
  if (!py && wants(s, {"intensity_volume_histogram"})) {
    auto k = sink("intensity_volume_histogram", "intensity_volume_histogram");
    intensity_volume_histogram_features(roi, s, k);
  }
  if (wants(s, {"glcm"})) { auto k = sink("glcm", "glcm"); glcm_features(roi, s, k); }
  if (wants(s, {"glrlm"})) { auto k = sink("glrlm", "glrlm"); glrlm_features(roi, s, k); }
  if (wants(s, {"glszm"})) { auto k = sink("glszm", "glszm"); glszm_features(roi, s, k); }
  if (!py && wants(s, {"gldzm"})) { auto k = sink("gldzm", "gldzm"); gldzm_features(roi, s, k); }
  if (wants(s, {"ngtdm"})) { auto k = sink("ngtdm", "ngtdm"); ngtdm_features(roi, s, k); }
  if (wants(s, {"gldm", "ngldm"})) { auto k = sink("ngldm", "gldm"); ngldm_features(roi, s, k); }
  return out;
}

void prepare(RoiImage& roi, const Settings& s) {
  resegment(roi, s);
  std::optional<double> range_lo;
  if (s.resegment_range) range_lo = (*s.resegment_range)[0];
  double lo = 0, step = 1;
  roi.ng = discretise(roi, s.discretisation, s.bin_width, s.bin_count, s.mode, range_lo, roi.levels, lo, step);
  // Intensity-volume histogram levels (IBSI mode only: PyRadiomics has no IVH).
  if (s.mode == Mode::pyradiomics) return;
  int ivh_ng = discretise(roi, s.ivh_discretisation, s.ivh_bin_width, s.ivh_bin_count, Mode::ibsi, range_lo,
                          roi.ivh_levels, lo, step);
  roi.ivh_discrete = s.ivh_discretisation == Discretisation::fixed_bin_number;
  roi.ivh_step = step;
  roi.ivh_min = lo;
  roi.ivh_base = lo;
  roi.ivh_max = lo + (ivh_ng - 1) * step;
  // IBSI's total range G of the IVH is the resegmentation range where it is given (its upper end the ROI's
  // maximum where the range is open above), the ROI's intensities otherwise.
  const bool lo_given = s.resegment_range && std::isfinite((*s.resegment_range)[0]);
  const bool hi_given = s.resegment_range && std::isfinite((*s.resegment_range)[1]);
  if (s.ivh_discretisation == Discretisation::none) {
    if (lo_given) roi.ivh_min = (*s.resegment_range)[0];
    if (hi_given) roi.ivh_max = (*s.resegment_range)[1];
  } else if (s.ivh_discretisation == Discretisation::fixed_bin_size) {
    // A bin stands for its centre (IBSI: X_d,gl = X_gl,min + (X_d - 0.5) w_b), and G runs from the first bin's
    // centre, X_gl,min + w_b / 2, to X_gl,max - w_b / 2, where X_gl,max is the range's upper end or the ROI's maximum.
    double top = -std::numeric_limits<double>::infinity();
    for (std::size_t n = 0; n < roi.size(); ++n)
      if (roi.inten[n]) top = std::max(top, roi.intensity[n]);
    if (hi_given) top = (*s.resegment_range)[1];
    roi.ivh_base = lo + 0.5 * step;
    roi.ivh_min = roi.ivh_base;
    roi.ivh_max = top - 0.5 * step;
  }
  if (roi.ivh_discrete) {
    roi.ivh_min = 1;
    roi.ivh_max = s.ivh_bin_count;
    roi.ivh_step = 1;
  }
}

GreyLevelSummary grey_level_summary(const RoiImage& roi, const Settings& s, bool empty) {
  GreyLevelSummary g{s.image_type, s.discretisation, 0.0, 0, 0, 0};
  if (s.discretisation == Discretisation::fixed_bin_size) g.bin_width = s.bin_width;
  if (s.discretisation == Discretisation::fixed_bin_number) g.bin_count = s.bin_count;
  if (!empty) {
    g.occupied_levels = static_cast<int>(occupied_levels(roi).level.size());
    g.level_range = roi.ng;
  }
  return g;
}

}  // namespace

OccupiedLevels occupied_levels(const RoiImage& roi) {
  OccupiedLevels o;
  o.row.assign(static_cast<std::size_t>(roi.ng) + 1, -1);
  for (const int l : roi.levels)
    if (l > 0) o.row[static_cast<std::size_t>(l)] = 0;
  for (int l = 1; l <= roi.ng; ++l)
    if (o.row[static_cast<std::size_t>(l)] == 0) {
      o.row[static_cast<std::size_t>(l)] = static_cast<int>(o.level.size());
      o.level.push_back(l);
    }
  return o;
}

Settings pyradiomics_defaults() { return Settings{}; }

Settings ibsi_defaults() {
  Settings s;
  s.mode = Mode::ibsi;
  s.discretisation = Discretisation::fixed_bin_number;
  s.bin_count = 32;
  return s;
}

std::vector<Feature> extract_features(const Volume& image, const Volume& mask, int label, const Settings& settings,
                                      ExtractionCache* cache) {
  return extract_features(image, mask, std::vector<int>{label}, settings, cache);
}

std::vector<Feature> extract_features(const Volume& image, const Volume& mask, const std::vector<int>& labels,
                                      const Settings& settings, ExtractionCache* cache) {
  return extract_with_diagnostics(image, mask, labels, settings, cache).features;
}

Extraction extract_with_diagnostics(const Volume& image, const Volume& mask, const std::vector<int>& labels,
                                    const Settings& settings, ExtractionCache* cache) {
  if (labels.empty()) throw InvalidInputError("extract_features: no label given");
  if (image.voxels.size() != image.grid.voxel_count() || mask.voxels.size() != mask.grid.voxel_count())
    throw InvalidInputError("extract_features: image or mask has inconsistent voxel data");
  if (image.grid.dims != mask.grid.dims)
    throw InvalidInputError("extract_features: the mask '" + mask.name + "' does not share the grid of the image '" +
                            image.name + "' (dimensions differ)");
  if (!image.grid.affine.isApprox(mask.grid.affine, 1e-4))
    throw InvalidInputError("extract_features: the mask '" + mask.name + "' and the image '" + image.name +
                            "' have different voxel-to-world transforms");
  if (settings.bin_width <= 0 || settings.bin_count < 1 || settings.ivh_bin_width <= 0 || settings.ivh_bin_count < 1)
    throw InvalidInputError("extract_features: bin width and bin count must be positive");

  std::vector<std::uint8_t> mask01;
  const Volume* img = &image;
  Volume resampled;
  const int label = labels.size() == 1 ? labels[0] : 1;
  Volume merged;  // several labels with resampling: their union as one 0/1 mask first
  const Volume* label_mask = &mask;
  if (settings.resampled_spacing && labels.size() > 1) {
    merged = mask;
    for (auto& v : merged.voxels) {
      bool any = false;
      for (const int l : labels) any = any || label_matches(v, l);
      v = any ? 1.0f : 0.0f;
    }
    label_mask = &merged;
  }
  if (settings.resampled_spacing) {
    const auto conv = [](Interpolation i) {
      return i == Interpolation::nearest ? Interpolator::nearest
             : i == Interpolation::linear ? Interpolator::linear : Interpolator::bspline;
    };
    resampled = resample(image, *settings.resampled_spacing, conv(settings.interpolation));
    const Volume m = resample_mask(*label_mask, label, *settings.resampled_spacing, conv(settings.mask_interpolation),
                                   settings.mask_threshold);
    mask01.resize(m.voxels.size());
    for (std::size_t n = 0; n < m.voxels.size(); ++n) mask01[n] = m.voxels[n] > 0.5f ? 1 : 0;
    img = &resampled;
  }
  Volume rounded;
  if (settings.round_intensities) {
    rounded = *img;
    for (auto& v : rounded.voxels) v = std::round(v);
    img = &rounded;
  }
  RoiImage roi;
  const float* mv = mask.voxels.data();
  if (settings.resampled_spacing) {
    roi = crop_roi(*img, [&](std::size_t n) { return mask01[n] != 0; }, settings);
  } else {
    const float* zeros = std::find(labels.begin(), labels.end(), 0) == labels.end() ? mv : nullptr;
    if (labels.size() == 1)
      roi = crop_roi(*img, [&](std::size_t n) { return label_matches(mv[n], label); }, settings, zeros);
    else
      roi = crop_roi(*img, [&](std::size_t n) {
        bool any = false;
        for (const int l : labels) any = any || label_matches(mv[n], l);
        return any;
      }, settings, zeros);
  }
  std::string problem;
  if (roi.size() == 0 || roi.morph_count() == 0) {
    std::string which;
    for (const int l : labels) which += (which.empty() ? "" : ", ") + std::to_string(l);
    problem = std::string("empty ROI: no voxel of label") + (labels.size() > 1 ? "s " : " ") + which + " inside the image";
  }
  if (problem.empty()) {
    prepare(roi, settings);
    if (std::count(roi.inten.begin(), roi.inten.end(), std::uint8_t{1}) == 0)
      problem = "empty ROI after resegmentation";
  }
  if (!problem.empty()) {
    // Run the families on a one-voxel stand-in to list every feature name, then blank the values.
    RoiImage dummy;
    dummy.dims = {3, 3, 3};
    dummy.spacing = roi.spacing;
    dummy.intensity.assign(27, 0.0);
    dummy.morph.assign(27, 0);
    dummy.morph[13] = 1;
    Settings s2 = settings;
    s2.resegment_range.reset();
    s2.resegment_sigma.reset();
    prepare(dummy, s2);
    auto out = run_families(dummy, settings, nullptr);
    for (auto& f : out) {
      f.value.reset();
      f.reason = problem;
    }
    return Extraction{std::move(out), {grey_level_summary(roi, settings, true)}};
  }
  GreyLevelSummary grey_levels = grey_level_summary(roi, settings, false);
  return Extraction{run_families(roi, settings, cache), {std::move(grey_levels)}};
}

}  // namespace gliolens::radiomics
