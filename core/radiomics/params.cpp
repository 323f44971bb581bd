// PyRadiomics parameter files: a small YAML subset reader and its interpretation as Params.
#include "core/errors.hpp"
#include "core/radiomics/params.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace gliolens::radiomics {
namespace {

// ---------------------------------------------------------------------------------------------------
// YAML subset
struct Node {
  enum Kind { null, scalar, list, map } kind = null;
  std::string text;    // scalar
  bool quoted = false;
  std::vector<Node> items;                          // list
  std::vector<std::pair<std::string, Node>> fields; // map
  int line = 0;
};

[[noreturn]] void fail(int line, const std::string& what) {
  throw InvalidInputError("line " + std::to_string(line) + ": " + what);
}

struct Line {
  int number;
  int indent;
  std::string text;  // without indentation and comment
};

std::string strip_comment(const std::string& s) {
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || std::isspace(static_cast<unsigned char>(s[i - 1])))) {
      return s.substr(0, i);
    }
  }
  return s;
}

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

// Flow-style value: [a, b], {k: v}, quoted or plain scalar.
class FlowParser {
public:
  FlowParser(const std::string& s, int line) : s_(s), line_(line) {}
  Node parse_all() {
    Node n = value();
    skip();
    if (p_ != s_.size()) fail(line_, "unexpected '" + s_.substr(p_) + "'");
    return n;
  }

private:
  void skip() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  Node value() {
    skip();
    Node n;
    n.line = line_;
    if (p_ >= s_.size()) return n;
    const char c = s_[p_];
    if (c == '[') {
      ++p_;
      n.kind = Node::list;
      skip();
      if (p_ < s_.size() && s_[p_] == ']') { ++p_; return n; }
      for (;;) {
        n.items.push_back(value());
        skip();
        if (p_ >= s_.size()) fail(line_, "unterminated '['");
        if (s_[p_] == ',') { ++p_; continue; }
        if (s_[p_] == ']') { ++p_; break; }
        fail(line_, std::string("expected ',' or ']' but found '") + s_[p_] + "'");
      }
      return n;
    }
    if (c == '{') {
      ++p_;
      n.kind = Node::map;
      skip();
      if (p_ < s_.size() && s_[p_] == '}') { ++p_; return n; }
      for (;;) {
        Node key = scalar_token(true);
        skip();
        if (p_ >= s_.size() || s_[p_] != ':') fail(line_, "expected ':' in '{...}'");
        ++p_;
        n.fields.emplace_back(key.text, value());
        skip();
        if (p_ >= s_.size()) fail(line_, "unterminated '{'");
        if (s_[p_] == ',') { ++p_; continue; }
        if (s_[p_] == '}') { ++p_; break; }
        fail(line_, std::string("expected ',' or '}' but found '") + s_[p_] + "'");
      }
      return n;
    }
    return scalar_token(false);
  }
  Node scalar_token(bool key) {
    skip();
    Node n;
    n.line = line_;
    if (p_ < s_.size() && (s_[p_] == '"' || s_[p_] == '\'')) {
      const char q = s_[p_++];
      const std::size_t end = s_.find(q, p_);
      if (end == std::string::npos) fail(line_, "unterminated quoted string");
      n.kind = Node::scalar;
      n.quoted = true;
      n.text = s_.substr(p_, end - p_);
      p_ = end + 1;
      return n;
    }
    const std::size_t start = p_;
    while (p_ < s_.size() && s_[p_] != ',' && s_[p_] != ']' && s_[p_] != '}' && !(key && s_[p_] == ':')) ++p_;
    n.text = trim(s_.substr(start, p_ - start));
    n.kind = (n.text.empty() || n.text == "~" || n.text == "null" || n.text == "None") ? Node::null : Node::scalar;
    return n;
  }
  const std::string& s_;
  int line_;
  std::size_t p_ = 0;
};

// Position of the key's ':' (followed by space or end), outside quotes and brackets; npos if none.
std::size_t key_colon(const std::string& t) {
  char quote = 0;
  int depth = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '[' || c == '{') ++depth;
    else if (c == ']' || c == '}') --depth;
    else if (c == ':' && depth == 0 && (i + 1 == t.size() || t[i + 1] == ' ')) return i;
  }
  return std::string::npos;
}

class BlockParser {
public:
  explicit BlockParser(const std::string& text) {
    std::istringstream in(text);
    std::string raw;
    int number = 0;
    while (std::getline(in, raw)) {
      ++number;
      if (!raw.empty() && raw.back() == '\r') raw.pop_back();
      const std::size_t first = raw.find_first_not_of(" \t");
      if (first != std::string::npos && raw.substr(0, first).find('\t') != std::string::npos)
        fail(number, "tabs are not allowed for indentation in YAML");
      const std::string body = strip_comment(raw);
      const std::string t = trim(body);
      if (t.empty() || t == "---" || t == "...") continue;
      const int indent = static_cast<int>(body.find_first_not_of(' '));
      lines_.push_back(Line{number, indent, t});
    }
  }
  Node parse() {
    if (lines_.empty()) return Node{};
    Node n = block(lines_[0].indent);
    if (pos_ < lines_.size()) fail(lines_[pos_].number, "unexpected indentation");
    return n;
  }

private:
  Node block(int indent) {
    const Line& first = lines_[pos_];
    if (first.text.rfind("- ", 0) == 0 || first.text == "-") return sequence(indent);
    return mapping(indent);
  }
  Node sequence(int indent) {
    Node n;
    n.kind = Node::list;
    n.line = lines_[pos_].number;
    while (pos_ < lines_.size() && lines_[pos_].indent == indent &&
           (lines_[pos_].text.rfind("- ", 0) == 0 || lines_[pos_].text == "-")) {
      const Line& l = lines_[pos_++];
      const std::string rest = l.text == "-" ? "" : trim(l.text.substr(2));
      if (rest.empty()) {
        if (pos_ < lines_.size() && lines_[pos_].indent > indent) n.items.push_back(block(lines_[pos_].indent));
        else n.items.push_back(Node{Node::null, "", false, {}, {}, l.number});
      } else {
        if (key_colon(rest) != std::string::npos) fail(l.number, "mappings inside sequences are not supported");
        n.items.push_back(FlowParser(rest, l.number).parse_all());
      }
    }
    return n;
  }
  Node mapping(int indent) {
    Node n;
    n.kind = Node::map;
    n.line = lines_[pos_].number;
    while (pos_ < lines_.size() && lines_[pos_].indent == indent) {
      const Line& l = lines_[pos_++];
      const std::size_t c = key_colon(l.text);
      if (c == std::string::npos) fail(l.number, "expected 'key: value' but found '" + l.text + "'");
      std::string key = trim(l.text.substr(0, c));
      if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'') && key.back() == key.front())
        key = key.substr(1, key.size() - 2);
      for (const auto& [k, v] : n.fields)
        if (k == key) fail(l.number, "duplicate key '" + key + "'");
      const std::string rest = trim(l.text.substr(c + 1));
      if (!rest.empty()) {
        n.fields.emplace_back(key, FlowParser(rest, l.number).parse_all());
      } else if (pos_ < lines_.size() && lines_[pos_].indent > indent) {
        n.fields.emplace_back(key, block(lines_[pos_].indent));
      } else if (pos_ < lines_.size() && lines_[pos_].indent == indent &&
                 lines_[pos_].text.rfind("- ", 0) == 0) {
        n.fields.emplace_back(key, sequence(indent));  // "key:\n- a\n- b" at the same indentation
      } else {
        n.fields.emplace_back(key, Node{Node::null, "", false, {}, {}, l.number});
      }
    }
    if (pos_ < lines_.size() && lines_[pos_].indent > indent) fail(lines_[pos_].number, "unexpected indentation");
    return n;
  }
  std::vector<Line> lines_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------------
// Interpretation

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

void apply_setting(Params& p, const std::string& key, const Node& v) {
  Settings& s = p.settings;
  const bool none = v.kind == Node::null;
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

}  // namespace

Params default_params(Mode mode) {
  Params p;
  p.settings = mode == Mode::ibsi ? ibsi_defaults() : pyradiomics_defaults();
  if (mode == Mode::pyradiomics) p.settings.interpolation = Interpolation::bspline;  // PyRadiomics' interpolator default
  return p;
}

Params parse_params(const std::string& yaml, Mode mode) {
  Params p = default_params(mode);
  const Node root = BlockParser(yaml).parse();
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
