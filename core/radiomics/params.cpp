// PyRadiomics parameter files: their YAML (core/common/yaml.hpp) interpreted as Params.
#include "core/common/yaml.hpp"
#include "core/errors.hpp"
#include "core/radiomics/params.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace gliolens::radiomics {
namespace {

using yaml::fail;
using yaml::Node;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

double number(const Node& n, const std::string& what) {
  if (n.kind != Node::scalar) fail(n.line, what + ": expected a number");
  const char* b = n.text.c_str();
  char* e = nullptr;
  const double v = std::strtod(b, &e);
  if (e == b || *e != '\0' || !std::isfinite(v)) fail(n.line, what + ": '" + n.text + "' is not a number");
  return v;
}

int integer(const Node& n, const std::string& what) {
  const double v = number(n, what);
  if (v != std::floor(v) || std::abs(v) > 1e9) fail(n.line, what + ": '" + n.text + "' is not an integer");
  return static_cast<int>(v);
}

bool boolean(const Node& n, const std::string& what) {
  const std::string t = lower(n.text);
  if (n.kind == Node::scalar && (t == "true" || t == "yes" || t == "on")) return true;
  if (n.kind == Node::scalar && (t == "false" || t == "no" || t == "off")) return false;
  fail(n.line, what + ": expected true or false");
}

std::vector<double> numbers(const Node& n, const std::string& what) {
  std::vector<double> out;
  if (n.kind == Node::scalar) out.push_back(number(n, what));
  else if (n.kind == Node::list)
    for (const auto& i : n.items) out.push_back(number(i, what));
  else fail(n.line, what + ": expected a list of numbers");
  return out;
}

// Python's str() of a number as read from YAML: integers as written, floats in shortest round-trip form
// with at least one decimal ("1.0", "2.5").
std::string python_str(const Node& n) {
  const std::string& t = n.text;
  const bool is_int = !t.empty() && t.find_first_not_of("+-0123456789") == std::string::npos;
  const double v = std::strtod(t.c_str(), nullptr);
  if (is_int) return std::to_string(static_cast<long long>(v));
  char buf[64];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

Interpolation interpolator(const Node& n) {
  const std::string t = lower(n.text);
  if (n.kind == Node::scalar) {
    if (t == "sitkbspline" || t == "bspline" || t == "3") return Interpolation::bspline;
    if (t == "sitklinear" || t == "linear" || t == "2") return Interpolation::linear;
    if (t == "sitknearestneighbor" || t == "nearest" || t == "1") return Interpolation::nearest;
  }
  fail(n.line, "interpolator: '" + n.text + "' is not supported (sitkBSpline, sitkLinear, sitkNearestNeighbor)");
}

const std::vector<std::string>& known_families() {
  static const std::vector<std::string> f{"shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm",
                                          // IBSI-only families, by their IBSI names
                                          "morphology", "local_intensity", "intensity_statistics",
                                          "intensity_histogram", "intensity_volume_histogram", "gldzm", "ngldm"};
  return f;
}

// Settings that PyRadiomics does not have: IBSI's own image processing steps. Refused in PyRadiomics mode, where
// they would mean nothing PyRadiomics does.
bool ibsi_only(const std::string& key) {
  static const std::vector<std::string> keys{"roundIntensities",     "maskInterpolator", "maskPartialVolumeThreshold",
                                             "resegmentOutlierSigma", "ivhBinWidth",      "ivhBinCount"};
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

void apply_ibsi_setting(Params& p, const std::string& key, const Node& v) {
  Settings& s = p.settings;
  const bool none = v.kind == Node::null;
  if (s.mode != Mode::ibsi)
    fail(v.line, key + " is an IBSI setting that PyRadiomics does not have: use it in IBSI mode (--mode ibsi)");
  if (key == "roundIntensities") {
    s.round_intensities = boolean(v, key);
  } else if (key == "maskInterpolator") {
    if (none) fail(v.line, "maskInterpolator: expected sitkLinear, sitkBSpline or sitkNearestNeighbor");
    s.mask_interpolation = interpolator(v);
  } else if (key == "maskPartialVolumeThreshold") {
    s.mask_threshold = number(v, key);
    if (!(s.mask_threshold > 0 && s.mask_threshold <= 1)) fail(v.line, "maskPartialVolumeThreshold must be in (0, 1]");
  } else if (key == "resegmentOutlierSigma") {
    if (none) { s.resegment_sigma.reset(); return; }
    s.resegment_sigma = number(v, key);
    if (!(*s.resegment_sigma > 0)) fail(v.line, "resegmentOutlierSigma must be positive");
  } else if (key == "ivhBinWidth") {
    if (none) { s.ivh_discretisation = Discretisation::none; return; }
    s.ivh_bin_width = number(v, key);
    if (!(s.ivh_bin_width > 0)) fail(v.line, "ivhBinWidth must be positive");
    s.ivh_discretisation = Discretisation::fixed_bin_size;
  } else if (key == "ivhBinCount") {
    if (none) { s.ivh_discretisation = Discretisation::none; return; }
    s.ivh_bin_count = integer(v, key);
    if (s.ivh_bin_count < 1) fail(v.line, "ivhBinCount must be at least 1");
    s.ivh_discretisation = Discretisation::fixed_bin_number;
  }
}

void apply_setting(Params& p, const std::string& key, const Node& v) {
  Settings& s = p.settings;
  const bool none = v.kind == Node::null;
  if (ibsi_only(key)) {
    apply_ibsi_setting(p, key, v);
    return;
  }
  if (key == "binWidth") {
    s.bin_width = number(v, key);
    if (s.bin_width <= 0) fail(v.line, "binWidth must be positive");
    s.discretisation = Discretisation::fixed_bin_size;
  } else if (key == "binCount") {
    if (none) return;
    s.bin_count = integer(v, key);
    if (s.bin_count < 1) fail(v.line, "binCount must be at least 1");
    s.discretisation = Discretisation::fixed_bin_number;
  } else if (key == "resampledPixelSpacing") {
    if (none) { s.resampled_spacing.reset(); return; }
    const auto xs = numbers(v, key);
    if (xs.size() != 3) fail(v.line, "resampledPixelSpacing: expected 3 values");
    s.resampled_spacing = std::array<double, 3>{xs[0], xs[1], xs[2]};
  } else if (key == "interpolator") {
    if (none) return;
    s.interpolation = interpolator(v);
  } else if (key == "normalize") {
    p.normalize = boolean(v, key);
  } else if (key == "normalizeScale") {
    p.normalize_scale = number(v, key);
  } else if (key == "voxelArrayShift") {
    s.voxel_array_shift = number(v, key);
  } else if (key == "resegmentRange") {
    if (none) { p.resegment_range.clear(); return; }
    p.resegment_range = numbers(v, key);
    if (p.resegment_range.empty() || p.resegment_range.size() > 2) fail(v.line, "resegmentRange: expected 1 or 2 values");
  } else if (key == "resegmentMode") {
    p.resegment_mode = lower(v.text);
    if (p.resegment_mode != "absolute" && p.resegment_mode != "relative" && p.resegment_mode != "sigma")
      fail(v.line, "resegmentMode: '" + v.text + "' is not one of absolute, relative, sigma");
  } else if (key == "force2D") {
    s.force_2d = boolean(v, key);
    // IBSI mode: IBSI's 2D approach (configurations A and B), texture per slice and 2.5D, not volumetric.
    if (s.mode == Mode::ibsi) s.texture_dims = s.force_2d ? TextureDims{true, true, false} : TextureDims{};
  } else if (key == "force2Ddimension") {
    if (integer(v, key) != 0) fail(v.line, "force2Ddimension: only 0 (axial slices) is supported");
  } else if (key == "label") {
    p.label = integer(v, key);
  } else if (key == "distances") {
    const auto d = numbers(v, key);
    if (d.size() != 1 || d[0] != 1) fail(v.line, "distances: only [1] is supported");
  } else if (key == "weightingNorm") {
    if (none) { s.merge_directions = false; return; }
    if (v.text != "no_weighting") fail(v.line, "weightingNorm: only no_weighting (or null) is supported");
    s.merge_directions = true;
  } else if (key == "padDistance") {
    p.pad_distance = number(v, key);
  } else if (key == "gldm_a") {
    if (number(v, key) != 0) fail(v.line, "gldm_a: only 0 is supported");
  } else if (key == "symmetricalGLCM") {
    if (!boolean(v, key)) fail(v.line, "symmetricalGLCM: only true is supported");
  } else if (key == "removeOutliers") {
    if (!none) fail(v.line, "removeOutliers is not supported");
  } else if (key == "resegmentShape") {
    if (!none && boolean(v, key)) fail(v.line, "resegmentShape: true is not supported");
  } else if (key == "binEdges") {
    if (!none) fail(v.line, "binEdges is not supported");
  } else if (key == "additionalInfo" || key == "minimumROIDimensions" || key == "minimumROISize" ||
             key == "preCrop" || key == "geometryTolerance" || key == "correctMask" || key == "enableCExtensions" ||
             key == "label_channel" || key == "initValue" || key == "maskedKernel" || key == "kernelRadius" ||
             key == "voxelBatch") {
    // accepted, no effect on the feature values here
  } else if (key == "sigma" || key == "wavelet" || key == "level" || key == "start_level") {
    fail(v.line, key + ": belongs under imageType (LoG / Wavelet)");
  } else {
    fail(v.line, "unknown setting '" + key + "'");
  }
}

void apply_image_types(Params& p, const Node& n) {
  p.image_types.clear();
  if (n.kind == Node::null) return;
  if (n.kind != Node::map) fail(n.line, "imageType: expected a mapping (Original: {}, LoG: {sigma: [...]}, Wavelet: {})");
  for (const auto& [name, v] : n.fields) {
    if (v.kind != Node::null && v.kind != Node::map) fail(v.line, name + ": expected a mapping of settings");
    if (name == "Original") {
      p.image_types.push_back(ImageTypeSpec{"original", {}, {}});
    } else if (name == "LoG") {
      ImageTypeSpec t{"log", {}, {}};
      for (const auto& [k, x] : v.fields) {
        if (k == "sigma") {
          const std::vector<Node> items = x.kind == Node::list ? x.items : std::vector<Node>{x};
          for (const auto& i : items) {
            const double sg = number(i, "sigma");
            if (sg <= 0) fail(i.line, "sigma must be greater than 0");
            t.sigma.push_back(sg);
            t.sigma_text.push_back(python_str(i));
          }
        } else {
          apply_setting(p, k, x);  // PyRadiomics allows per-image-type settings; here they apply globally
          p.warnings.push_back("LoG: setting '" + k + "' applied to every image type");
        }
      }
      if (t.sigma.empty()) fail(v.line, "LoG: give sigma: [..] (mm)");
      p.image_types.push_back(t);
    } else if (name == "Wavelet") {
      for (const auto& [k, x] : v.fields) {
        if (k == "wavelet" && x.text != "coif1") fail(x.line, "Wavelet: only wavelet 'coif1' is supported");
        else if (k == "level" && integer(x, k) != 1) fail(x.line, "Wavelet: only level 1 is supported");
        else if (k == "start_level" && integer(x, k) != 0) fail(x.line, "Wavelet: only start_level 0 is supported");
        else if (k != "wavelet" && k != "level" && k != "start_level") fail(x.line, "Wavelet: unknown setting '" + k + "'");
      }
      p.image_types.push_back(ImageTypeSpec{"wavelet", {}, {}});
    } else {
      fail(v.line ? v.line : n.line, "imageType '" + name + "' is not supported (Original, LoG, Wavelet)");
    }
  }
}

void apply_feature_classes(Params& p, const Node& n) {
  p.feature_classes.clear();
  if (n.kind == Node::null) return;
  if (n.kind != Node::map) fail(n.line, "featureClass: expected a mapping (glcm: [..] or null)");
  for (const auto& [name, v] : n.fields) {
    const auto& known = known_families();
    if (std::find(known.begin(), known.end(), name) == known.end())
      fail(v.line ? v.line : n.line, "featureClass '" + name + "' is not known (shape, firstorder, glcm, glrlm, glszm, gldm, ngtdm)");
    std::vector<std::string> names;
    if (v.kind == Node::list)
      for (const auto& i : v.items) {
        if (i.kind != Node::scalar) fail(i.line, name + ": expected feature names");
        names.push_back(i.text);
      }
    else if (v.kind == Node::scalar) names.push_back(v.text);
    p.feature_classes[name] = names;
  }
}

const Node* field(const Node& map, const std::string& key) {
  for (const auto& [k, x] : map.fields)
    if (k == key) return &x;
  return nullptr;
}

// Settings that are each valid alone but not together.
void check_combinations(const Params& p, const Node& setting) {
  const Node* width = field(setting, "ivhBinWidth");
  const Node* count = field(setting, "ivhBinCount");
  if (width && count && width->kind != Node::null && count->kind != Node::null)
    fail(count->line, "give ivhBinWidth or ivhBinCount, not both");
  if (p.settings.mode != Mode::ibsi || p.resegment_mode != "sigma" || p.resegment_range.empty()) return;
  // IBSI mode reads sigma mode as IBSI's outlier filtering, its limits taken on the resampled, rounded grid:
  // mean +- n sd, the same n on either side.
  const Node* range = field(setting, "resegmentRange");
  const int line = range ? range->line : setting.line;
  const auto& r = p.resegment_range;
  if (r.size() != 2 || !(r[1] > 0) || r[0] != -r[1])
    fail(line, "resegmentMode sigma in IBSI mode: give resegmentRange [-n, n] (mean +- n standard deviations)");
  if (p.settings.resegment_sigma)
    fail(line, "resegmentMode sigma and resegmentOutlierSigma both filter outliers: give one (an absolute "
               "resegmentRange goes with resegmentOutlierSigma)");
}

}  // namespace

Params default_params(Mode mode) {
  Params p;
  p.settings = mode == Mode::ibsi ? ibsi_defaults() : pyradiomics_defaults();
  if (mode == Mode::pyradiomics) p.settings.interpolation = Interpolation::bspline;  // PyRadiomics' interpolator default
  return p;
}

Params parse_params(const std::string& text, Mode mode) {
  Params p = default_params(mode);
  const Node root = yaml::parse(text);
  if (root.kind == Node::null) return p;
  if (root.kind != Node::map) fail(root.line, "expected the sections setting, imageType, featureClass");
  for (const auto& [section, v] : root.fields) {
    if (section == "setting") {
      if (v.kind == Node::null) continue;
      if (v.kind != Node::map) fail(v.line, "setting: expected a mapping");
      // binCount wins over binWidth wherever it stands (PyRadiomics)
      for (const auto& [k, x] : v.fields)
        if (k != "binCount") apply_setting(p, k, x);
      for (const auto& [k, x] : v.fields)
        if (k == "binCount") apply_setting(p, k, x);
      check_combinations(p, v);
    } else if (section == "imageType") {
      apply_image_types(p, v);
    } else if (section == "featureClass") {
      apply_feature_classes(p, v);
    } else if (section == "voxelSetting") {
      p.warnings.push_back("voxelSetting ignored: voxel-based extraction is not supported");
    } else {
      fail(v.line ? v.line : root.line, "unknown section '" + section + "' (setting, imageType, featureClass)");
    }
  }
  return p;
}

}  // namespace gliolens::radiomics
