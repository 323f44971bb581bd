// The extraction pipeline over Params: normalisation, PyRadiomics' resampling grid, resegmentation,
// image types (Original, LoG, Wavelet) and the feature-class selection.
#include "core/errors.hpp"
#include "core/radiomics/filters.hpp"
#include "core/radiomics/params.hpp"
#include "core/radiomics/pyradiomics_resampling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

namespace gliolens::radiomics {
namespace {

bool in_label(float v, const std::vector<int>& labels) {
  bool any = false;
  for (const int l : labels) any = any || label_matches(v, l);
  return any;
}

// IBSI outlier filtering of a 0/1 mask: drops the voxels beyond mean +- n_sigma population SDs of `image`.
void exclude_outliers(Volume& mask01, const Volume& image, double n_sigma) {
  double sum = 0, sum2 = 0, count = 0;
  for (std::size_t n = 0; n < mask01.voxels.size(); ++n)
    if (mask01.voxels[n] != 0.0f) {
      sum += image.voxels[n];
      count += 1;
    }
  if (count == 0) return;
  const double mean = sum / count;
  for (std::size_t n = 0; n < mask01.voxels.size(); ++n)
    if (mask01.voxels[n] != 0.0f) sum2 += (image.voxels[n] - mean) * (image.voxels[n] - mean);
  const double sd = std::sqrt(sum2 / count);
  for (std::size_t n = 0; n < mask01.voxels.size(); ++n)
    if (mask01.voxels[n] != 0.0f && std::abs(image.voxels[n] - mean) > n_sigma * sd) mask01.voxels[n] = 0.0f;
}

// ---------------------------------------------------------------------------------------------------
std::string image_type_name_log(const std::string& sigma_text) {
  std::string s = sigma_text;
  std::replace(s.begin(), s.end(), '.', '-');
  return "log-sigma-" + s + "-mm-3D";
}

bool family_matches(const std::string& cls, const std::string& family) {
  if (cls == family) return true;
  if (cls == "shape") return family == "morphology";
  if (cls == "firstorder") return family == "intensity_statistics" || family == "intensity_histogram";
  if (cls == "gldm") return family == "ngldm";
  if (cls == "ngldm") return family == "gldm";
  if (cls == "morphology") return family == "shape";
  return false;
}

bool selected(const Params& p, const Feature& f, const std::string& image_type) {
  if (p.feature_classes.empty()) return true;
  for (const auto& [cls, names] : p.feature_classes) {
    if (!family_matches(cls, f.family)) continue;
    if (names.empty()) return true;
    const std::string prefix = image_type + "_" + f.family + "_";
    const std::string shortname = f.name.rfind(prefix, 0) == 0 ? f.name.substr(prefix.size()) : f.name;
    for (const auto& n : names)
      if (shortname == n || shortname.rfind(n + "_", 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::vector<Feature> extract_with_params(const Volume& image, const Volume& mask, int label, const Params& p,
                                        ExtractionCache* cache) {
  return extract_with_params(image, mask, std::vector<int>{label}, p, cache);
}

std::vector<Feature> extract_with_params(const Volume& image, const Volume& mask, const std::vector<int>& labels,
                                         const Params& p, ExtractionCache* cache) {
  return extract_with_params_and_diagnostics(image, mask, labels, p, cache).features;
}

Extraction extract_with_params_and_diagnostics(const Volume& image, const Volume& mask, const std::vector<int>& labels,
                                               const Params& p, ExtractionCache* cache) {
  if (labels.empty()) throw InvalidInputError("no label given");
  if (image.grid.dims != mask.grid.dims)
    throw InvalidInputError("the mask '" + mask.name + "' does not share the grid of the image '" + image.name +
                            "' (dimensions differ)");
  Settings s = p.settings;
  // 1. normalisation over the whole image (SimpleITK Normalize: mean and sample SD)
  if (p.normalize) {
    long double sum = 0, sum2 = 0;
    std::size_t n = 0;
    for (const float v : image.voxels)
      if (std::isfinite(v)) { sum += v; ++n; }
    if (n < 2) throw InvalidInputError("normalize: the image '" + image.name + "' has fewer than 2 voxels");
    const long double mean = sum / static_cast<long double>(n);
    for (const float v : image.voxels)
      if (std::isfinite(v)) sum2 += (v - mean) * (v - mean);
    const double sd = static_cast<double>(std::sqrt(sum2 / static_cast<long double>(n - 1)));
    if (!(sd > 0)) throw InvalidInputError("normalize: the image '" + image.name + "' is constant");
    s.intensity_offset = static_cast<double>(mean);
    s.intensity_scale = p.normalize_scale / sd;
  }
  // 2. resampling (PyRadiomics' grid in PyRadiomics mode; the engine's IBSI grid otherwise)
  const Volume* img = &image;
  const Volume* msk = &mask;
  std::vector<int> lab = labels;
  std::pair<Volume, Volume> resampled;
  if (s.mode == Mode::pyradiomics && s.resampled_spacing) {
    Volume merged;
    if (labels.size() > 1) {
      merged = mask;
      for (auto& v : merged.voxels) v = in_label(v, labels) ? 1.0f : 0.0f;
    }
    resampled = pyradiomics_resample(image, labels.size() > 1 ? merged : mask, labels.size() > 1 ? 1 : labels[0],
                                     *s.resampled_spacing, s.interpolation, p.pad_distance, p.normalize);
    img = &resampled.first;
    msk = &resampled.second;
    lab = {1};
    s.resampled_spacing.reset();
  }
  // 3. resegmentation thresholds (on the original image's intensities, after normalisation)
  if (!p.resegment_range.empty()) {
    std::vector<double> th = p.resegment_range;
    std::sort(th.begin(), th.end());
    if (p.resegment_mode != "absolute") {
      double mx = -std::numeric_limits<double>::infinity(), sum = 0, sum2 = 0, cnt = 0;
      for (std::size_t n = 0; n < msk->voxels.size(); ++n)
        if (in_label(msk->voxels[n], lab) && std::isfinite(img->voxels[n])) {
          const double v = (img->voxels[n] - s.intensity_offset) * s.intensity_scale;
          mx = std::max(mx, v);
          sum += v;
          cnt += 1;
        }
      if (cnt > 0) {
        const double mean = sum / cnt;
        for (std::size_t n = 0; n < msk->voxels.size(); ++n)
          if (in_label(msk->voxels[n], lab) && std::isfinite(img->voxels[n]))
            sum2 += (((img->voxels[n] - s.intensity_offset) * s.intensity_scale) - mean) *
                    (((img->voxels[n] - s.intensity_offset) * s.intensity_scale) - mean);
        const double sd = std::sqrt(sum2 / cnt);
        for (auto& t : th) t = p.resegment_mode == "relative" ? mx * t : mean + sd * t;
      }
    }
    s.resegment_range = std::array<double, 2>{th[0], th.size() == 2 ? th[1] : std::numeric_limits<double>::infinity()};
  }
  // IBSI mode resamples inside the engine, so sigma limits computed here would be the original grid's. IBSI's
  // outlier filtering takes them on the resampled, rounded grid, after any range: the engine's resegment_sigma.
  // The limits above still give the filtered images their ROI, on the grid their filters run on.
  const std::optional<std::array<double, 2>> filter_roi_range = s.resegment_range;
  if (s.mode == Mode::ibsi && p.resegment_mode == "sigma" && !p.resegment_range.empty()) {
    const auto& r = p.resegment_range;
    if (r.size() != 2 || !(r[1] > 0) || r[0] != -r[1])
      throw InvalidInputError("resegmentMode sigma in IBSI mode: give resegmentRange [-n, n]");
    if (s.resegment_sigma) throw InvalidInputError("resegmentMode sigma and resegmentOutlierSigma: give one");
    s.resegment_range.reset();
    s.resegment_sigma = r[1];
  }
  // 4. feature classes
  std::vector<std::string> families;
  for (const auto& [cls, names] : p.feature_classes) families.push_back(cls);
  Extraction out;
  auto run = [&](const Volume& im, const Volume& mk, const std::vector<int>& lb, Settings st, const std::string& type_name) {
    st.image_type = type_name;
    st.families = families;
    if (p.feature_classes.empty() && st.families.empty() && type_name != "original") {
      st.families = s.mode == Mode::pyradiomics
                        ? std::vector<std::string>{"firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"}
                        : std::vector<std::string>{"intensity_statistics", "intensity_histogram", "glcm", "glrlm",
                                                   "glszm", "gldzm", "ngtdm", "ngldm"};
    }
    if (type_name != "original") {
      st.families.erase(std::remove_if(st.families.begin(), st.families.end(),
                                       [](const std::string& f) { return f == "shape" || f == "morphology"; }),
                        st.families.end());
      if (st.families.empty()) return;
    }
    Extraction one = extract_with_diagnostics(im, mk, lb, st, cache);
    for (auto& f : one.features)
      if (selected(p, f, type_name)) out.features.push_back(std::move(f));
    for (auto& g : one.grey_levels) out.grey_levels.push_back(std::move(g));
  };
  const bool filtered = std::any_of(p.image_types.begin(), p.image_types.end(),
                                    [](const ImageTypeSpec& t) { return t.kind != "original"; });
  // Filtered images: computed on the (normalised) image; the ROI is the resegmented mask of the original image.
  Volume filt_src, filt_mask;
  Settings fs = s;
  if (filtered) {
    filt_src = *img;
    if (s.intensity_offset != 0.0 || s.intensity_scale != 1.0)
      for (auto& v : filt_src.voxels) v = static_cast<float>((v - s.intensity_offset) * s.intensity_scale);
    fs.intensity_offset = 0.0;
    fs.intensity_scale = 1.0;
    filt_mask = *msk;
    for (std::size_t n = 0; n < filt_mask.voxels.size(); ++n) {
      bool in = in_label(msk->voxels[n], lab);
      if (in && filter_roi_range) {
        const double v = (img->voxels[n] - s.intensity_offset) * s.intensity_scale;
        if (v < (*filter_roi_range)[0] || v > (*filter_roi_range)[1]) in = false;
      }
      filt_mask.voxels[n] = in ? 1.0f : 0.0f;
    }
    if (p.settings.resegment_sigma) exclude_outliers(filt_mask, filt_src, *p.settings.resegment_sigma);
    fs.resegment_range.reset();
    fs.resegment_sigma.reset();
    fs.round_intensities = false;  // a filter's response is not in the image's units
  }
  // Filtered images are exact within the ROI's box plus `reach` voxels (the local-intensity sphere, the one family
  // that reads voxels outside the ROI; at least 4), zero beyond.
  const auto reach = [&]() {
    const double r = std::cbrt(3.0 * s.local_intensity_volume_cc * 1000.0 / (4.0 * std::numbers::pi));
    const auto sp = filt_src.grid.spacing();
    std::array<std::int64_t, 3> m{};
    for (int a = 0; a < 3; ++a) m[a] = std::max<std::int64_t>(4, static_cast<std::int64_t>(std::floor(r / sp[a])) + 1);
    return m;
  };
  for (const auto& t : p.image_types) {
    if (t.kind == "original") {
      run(*img, *msk, lab, s, "original");
    } else if (t.kind == "wavelet") {
      Volume roi01 = *msk;
      for (auto& v : roi01.voxels) v = in_label(v, lab) ? 1.0f : 0.0f;
      for (const auto& [key, vol] : wavelet_in_box(filt_src, mask_box(roi01, reach()), s.force_2d))
        run(vol, filt_mask, {1}, fs, "wavelet-" + key);
    } else if (t.kind == "log") {
      const auto sp = filt_src.grid.spacing();
      const auto& d = filt_src.grid.dims;
      for (std::size_t n = 0; n < t.sigma.size(); ++n) {
        const double sigma = t.sigma[n];
        bool fits = std::min({d[0], d[1], d[2]}) >= 4;
        for (int a = 0; a < 3; ++a)
          if (static_cast<double>(d[a]) < std::ceil(sigma / sp[a]) + 1) fits = false;
        if (!fits) continue;  // PyRadiomics skips a sigma too large for the image
        Volume roi01 = *msk;
        for (auto& v : roi01.voxels) v = in_label(v, lab) ? 1.0f : 0.0f;
        // PyRadiomics mode: SimpleITK's recursive filter over the whole image, as PyRadiomics (exact within its box);
        // IBSI mode: the sampled kernel, computed on a box wider by the kernel radius, exact within reach().
        auto margin = reach();
        if (s.mode == Mode::pyradiomics) {
          run(log_recursive_in_box(filt_src, sigma, mask_box(roi01, margin)), filt_mask, {1}, fs,
              image_type_name_log(t.sigma_text[n]));
        } else {
          for (int a = 0; a < 3; ++a) margin[a] += static_cast<std::int64_t>(std::ceil(4.0 * sigma / sp[a]));
          run(log_in_box(filt_src, sigma, mask_box(roi01, margin)), filt_mask, {1}, fs,
              image_type_name_log(t.sigma_text[n]));
        }
      }
    }
  }
  return out;
}

}  // namespace gliolens::radiomics
