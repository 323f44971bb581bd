#include "core/segmentation/manifest.hpp"

#include "core/common/json.hpp"
#include "core/errors.hpp"
#include "core/imaging/reorient.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <functional>
#include <set>

namespace gliolens::segmentation {
namespace {

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// One JSON object of the manifest at `path` ("" for the top level, else "preprocessing." ...). Every key read is
// ticked off, so that finish() can refuse the ones nothing reads: a misspelt key would otherwise be ignored in silence.
class Section {
public:
  Section(const Json& value, std::string path, const std::string& source, std::string_view format = kSegmentationManifestFormat)
      : source_(source), path_(std::move(path)), format_(format) {
    if (!value.is_object()) refuse("must be an object");
    object_ = &value.as_object();
  }

  // The value of `key`, or nullptr when absent (a null counts as absent).
  const Json* take(std::string_view key) {
    read_.insert(std::string(key));
    for (const auto& [name, value] : *object_) {
      if (name == key) return value.is_null() ? nullptr : &value;
    }
    return nullptr;
  }
  const Json& require(std::string_view key) {
    if (const Json* value = take(key)) return *value;
    throw InvalidInputError(source_ + ": " + key_path(key) + " is missing");
  }
  Section section(std::string_view key) {
    const Json* value = take(key);
    static const Json empty{Json::Object{}};
    return Section(value ? *value : empty, key_path(key) + ".", source_, format_);
  }
  [[nodiscard]] bool has(std::string_view key) const {
    return std::any_of(object_->begin(), object_->end(), [&](const auto& member) { return member.first == key && !member.second.is_null(); });
  }

  // Typed values, each refused naming its key when it has another type or lies out of its range.
  std::string string(std::string_view key, const std::string& fallback = "") {
    const Json* value = take(key);
    if (!value) return fallback;
    if (!value->is_string()) refuse_value(key, *value, "must be a string");
    return value->as_string();
  }
  double number(std::string_view key, double fallback) {
    const Json* value = take(key);
    if (!value) return fallback;
    if (!value->is_number()) refuse_value(key, *value, "must be a number");
    return value->as_number();
  }
  std::int64_t whole(std::string_view key, std::int64_t fallback, std::int64_t minimum) {
    const Json* value = take(key);
    if (!value) return fallback;
    if (!is_whole(*value) || value->as_number() < static_cast<double>(minimum)) {
      refuse_value(key, *value, "must be a whole number >= " + std::to_string(minimum));
    }
    return static_cast<std::int64_t>(value->as_number());
  }
  // A string that must be `only` when present.
  void fixed(std::string_view key, std::string_view only) {
    const Json* value = take(key);
    if (value && !(value->is_string() && value->as_string() == only)) {
      throw InvalidInputError(source_ + ": " + key_path(key) + " " + value->dump() + " is not supported (only " + quoted(only) + ")");
    }
  }
  void fixed_number(std::string_view key, double only) {
    const Json* value = take(key);
    if (value && !(value->is_number() && value->as_number() == only)) {
      throw InvalidInputError(source_ + ": " + key_path(key) + " " + value->dump() + " is not supported (only " + Json(only).dump() + ")");
    }
  }
  std::vector<std::string> strings(std::string_view key) {
    const Json* value = take(key);
    if (!value) return {};
    std::vector<std::string> out;
    if (value->is_array()) {
      for (const Json& item : value->as_array()) {
        if (!item.is_string()) break;
        out.push_back(item.as_string());
      }
      if (out.size() == value->as_array().size()) return out;
    }
    refuse_value(key, *value, "must be a list of strings");
  }
  // Three positive whole numbers (i, j, k).
  std::optional<Index3> index3(std::string_view key, const std::string& what = "must be three positive whole numbers") {
    const Json* value = take(key);
    if (!value) return std::nullopt;
    if (!value->is_array() || value->as_array().size() != 3 ||
        !std::all_of(value->as_array().begin(), value->as_array().end(), [](const Json& v) { return is_whole(v) && v.as_number() > 0; })) {
      refuse_value(key, *value, what);
    }
    const auto& a = value->as_array();
    return Index3{static_cast<std::int64_t>(a[0].as_number()), static_cast<std::int64_t>(a[1].as_number()),
                  static_cast<std::int64_t>(a[2].as_number())};
  }
  // Three equal positive numbers: the code works on isotropic voxels.
  std::optional<double> isotropic_mm(std::string_view key) {
    const Json* value = take(key);
    if (!value) return std::nullopt;
    const auto positive = [](const Json& v) { return v.is_number() && v.as_number() > 0; };
    if (!value->is_array() || value->as_array().size() != 3 || !std::all_of(value->as_array().begin(), value->as_array().end(), positive)) {
      refuse_value(key, *value, "must be three positive numbers (mm)");
    }
    const auto& a = value->as_array();
    if (a[0].as_number() != a[1].as_number() || a[0].as_number() != a[2].as_number()) {
      throw InvalidInputError(source_ + ": " + key_path(key) + " " + value->dump() + " is not supported (only isotropic voxels: three equal sizes)");
    }
    return a[0].as_number();
  }
  // Keys whose values nothing reads (descriptive metadata): only their type is checked.
  void metadata_string(std::string_view key) { string(key); }
  void metadata_whole(std::string_view key) { whole(key, 0, 0); }
  void metadata_number(std::string_view key) { number(key, 0); }
  void metadata_bool(std::string_view key) {
    const Json* value = take(key);
    if (value && value->dump() != "true" && value->dump() != "false") refuse_value(key, *value, "must be true or false");
  }
  // A path relative to the model folder: a manifest names no machine's paths.
  void relative_path(std::string_view key, bool file_name_only = false) {
    const Json* value = take(key);
    if (!value) return;
    if (!value->is_string() || value->as_string().empty()) refuse_value(key, *value, "must be a path relative to the model folder");
    const std::string& path = value->as_string();
    if (path.front() == '/' || path.find('\\') != std::string::npos || path.find("..") != std::string::npos ||
        (file_name_only && path.find('/') != std::string::npos)) {
      refuse_value(key, *value, file_name_only ? "must be a file name in the model folder" : "must be a path inside the model folder");
    }
  }

  // Every member must have been read.
  void finish() const {
    for (const auto& [name, value] : *object_) {
      if (!read_.count(name)) {
        throw InvalidInputError(source_ + ": " + key_path(name) + " is not a key of " + std::string(format_) +
                                " (see docs/manifest.md)");
      }
    }
  }
  // Finishes a section whose keys are free (case ids, result set names): each member is checked by `each`.
  void each_member(const std::function<void(const std::string&, const Json&)>& each) {
    for (const auto& [name, value] : *object_) {
      read_.insert(name);
      each(name, value);
    }
  }

  [[nodiscard]] std::string key_path(std::string_view key) const { return path_ + std::string(key); }
  [[nodiscard]] const std::string& source() const { return source_; }
  [[noreturn]] void refuse(const std::string& what) const {
    throw InvalidInputError(source_ + ": " + (path_.empty() ? "the manifest" : path_.substr(0, path_.size() - 1)) + " " + what);
  }
  [[noreturn]] void refuse_value(std::string_view key, const Json& value, const std::string& what) const {
    throw InvalidInputError(source_ + ": " + key_path(key) + " " + what + ", not " + value.dump());
  }

private:
  static bool is_whole(const Json& v) { return v.is_number() && std::floor(v.as_number()) == v.as_number() && std::abs(v.as_number()) < 1e15; }

  const std::string& source_;
  std::string path_;
  std::string_view format_;
  const Json::Object* object_ = nullptr;
  std::set<std::string, std::less<>> read_;
};

// "LPS", "RAS", "ASL"...: one letter of each pair L/R, A/P, S/I, in capitals as docs/manifest.md writes them. What a
// code is, the reorientation's own parser (axis_mapping) decides, so the reader and the run cannot disagree.
void check_orientation(const std::string& code, Section& where) {
  const bool capitals = std::all_of(code.begin(), code.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
  try {
    if (capitals) {
      (void)axis_mapping(code, code);
      return;
    }
  } catch (const InvalidInputError&) {
  }
  throw InvalidInputError(where.source() + ": " + where.key_path("orientation") + " " + quoted(code) +
                          " is not an orientation (one letter of each pair L/R, A/P, S/I, e.g. \"LPS\")");
}

std::array<float, 3> region_thresholds(Section& output) {
  std::array<float, 3> thresholds{0.5f, 0.5f, 0.5f};
  if (!output.has("thresholds")) return thresholds;
  Section t = output.section("thresholds");
  const char* regions[] = {"WT", "TC", "ET"};
  for (std::size_t r = 0; r < 3; ++r) {
    const double value = t.number(regions[r], -1);
    if (!(value > 0 && value < 1)) {
      throw InvalidInputError(t.source() + ": " + t.key_path(regions[r]) + " must be a probability between 0 and 1 (exclusive)" +
                              (value == -1 ? " and is missing" : ", not " + Json(value).dump()));
    }
    thresholds[r] = static_cast<float>(value);
  }
  t.finish();
  return thresholds;
}

// The network file and the facts that describe it (checked for type, read by nothing).
std::string network_file(Section model) {
  const std::string file = model.string("file");
  if (file.empty()) throw InvalidInputError(model.source() + ": " + model.key_path("file") + " is missing");
  model.relative_path("file", true);
  const std::string sha256 = model.string("sha256");
  if (!sha256.empty() && (sha256.size() != 64 || !std::all_of(sha256.begin(), sha256.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))) {
    throw InvalidInputError(model.source() + ": " + model.key_path("sha256") + " must be 64 hexadecimal digits");
  }
  model.metadata_whole("bytes");
  model.metadata_whole("opset");
  model.metadata_whole("parameters");
  model.fixed("precision", "fp32");
  model.strings("ops");
  model.finish();
  return file;
}

// The four channels in the order the core stacks them.
void check_channels(Section& input) {
  const std::vector<std::string> expected{"T1", "T1c", "T2", "FLAIR"};
  if (!input.has("channels")) return;
  const auto channels = input.strings("channels");
  if (channels != expected) {
    throw InvalidInputError(input.source() + ": " + input.key_path("channels") + " must be [\"T1\", \"T1c\", \"T2\", \"FLAIR\"] (the order Gliolens stacks them)");
  }
}

// [1, C, k, j, i] of the network grid when the manifest was written: read by people (the core computes the grid).
void tensor_shape(Section& section) {
  const Json* shape = section.take("shape");
  if (!shape) return;
  const auto& dims = shape->is_array() ? shape->as_array() : Json::Array{};
  if (dims.size() != 5 || !std::all_of(dims.begin(), dims.end(), [](const Json& d) { return d.is_number() && d.as_number() >= 1 && std::floor(d.as_number()) == d.as_number(); })) {
    section.refuse_value("shape", *shape, "must be five positive whole numbers [1, C, k, j, i]");
  }
}

// A network input section: what the core feeds it (four float32 channels) and how its windows divide.
std::int64_t network_input(Section input) {
  input.metadata_string("name");
  input.fixed("dtype", "float32");
  check_channels(input);
  input.strings("channel_files");
  input.metadata_bool("spatial_dims_dynamic");
  const std::int64_t multiple = input.whole("spatial_multiple", 1, 1);
  tensor_shape(input);
  input.finish();
  return multiple;
}

// A network output section: region logits WT, TC, ET through a sigmoid, and their thresholds.
std::array<float, 3> network_output(Section output) {
  output.metadata_string("name");
  output.fixed("dtype", "float32");
  output.fixed("activation", "sigmoid");
  if (const Json* channels = output.take("channels")) {
    const char* regions[] = {"WT", "TC", "ET"};
    bool fits = channels->is_array() && channels->as_array().size() == 3;
    for (std::size_t r = 0; fits && r < 3; ++r) {
      const Json& c = channels->as_array()[r];
      // A region's name, or {index, region, labels} (its BraTS labels).
      const Json* region = c.is_object() ? c.find("region") : &c;
      fits = region && region->is_string() && region->as_string() == regions[r];
      if (fits && c.is_object()) {
        for (const auto& [key, value] : c.as_object()) fits = fits && (key == "index" || key == "region" || key == "labels");
        const Json* index = c.find("index");
        fits = fits && (!index || (index->is_number() && index->as_number() == static_cast<double>(r)));
      }
    }
    if (!fits) output.refuse_value("channels", *channels, "must be the regions WT, TC, ET in this order");
  }
  tensor_shape(output);
  const auto thresholds = region_thresholds(output);
  output.finish();
  return thresholds;
}

InferenceSpec inference(Section section) {
  InferenceSpec out;
  out.patch_voxels = section.index3("patch_voxels_ijk");
  out.overlap = section.number("overlap", 0.5);
  if (!(out.overlap >= 0.0 && out.overlap < 1.0)) {
    throw InvalidInputError(section.source() + ": " + section.key_path("overlap") + ": window overlap must be in [0, 1), not " + Json(out.overlap).dump());
  }
  section.finish();
  return out;
}

void preprocessing(Section pre, WholeBrainSpec& spec) {
  spec.orientation = pre.string("orientation");
  if (!spec.orientation.empty()) check_orientation(spec.orientation, pre);
  if (const auto s = pre.isotropic_mm("source_spacing_mm")) spec.source_spacing_mm = *s;
  if (const auto w = pre.index3("window_source_voxels_ijk")) spec.window_voxels = *w;
  if (pre.has("resample")) {
    Section resample = pre.section("resample");
    resample.fixed("method", "block_mean");
    if (const auto mm = resample.isotropic_mm("spacing_mm")) {
      const double ratio = *mm / spec.source_spacing_mm;
      spec.block = static_cast<int>(std::lround(ratio));
      if (spec.block < 1 || std::abs(ratio - spec.block) > 1e-6 * ratio) {
        throw InvalidInputError(pre.source() + ": " + resample.key_path("spacing_mm") + " must be a whole multiple of " +
                                pre.key_path("source_spacing_mm") + " (block means)");
      }
    }
    resample.finish();
  }
  for (int a = 0; a < 3; ++a) {
    if (spec.window_voxels[a] % spec.block != 0) {
      throw InvalidInputError(pre.source() + ": " + pre.key_path("window_source_voxels_ijk") + " must be a multiple of the block size (" +
                              std::to_string(spec.block) + ": resample.spacing_mm / source_spacing_mm)");
    }
  }
  // What the network grid was when the manifest was written (window / block): people read it, the code computes it.
  static_cast<void>(pre.index3("network_grid_ijk"));
  if (pre.has("normalization")) {
    Section z = pre.section("normalization");
    z.fixed("type", "zscore");
    z.fixed("region", "brain_mask");
    z.fixed_number("std_ddof", 0);
    z.fixed_number("outside_mask_value", 0);
    z.finish();
  }
  pre.finish();
}

void postprocess(Section post, WholeBrainSpec& spec) {
  spec.min_component_voxels = static_cast<std::size_t>(post.whole("min_component_voxels", 0, 0));
  spec.min_enhancing_voxels = static_cast<std::size_t>(post.whole("min_enhancing_voxels", 0, 0));
  post.finish();
}

void parity(Section section) {
  section.relative_path("reference_dir");
  section.relative_path("script");
  section.relative_path("checker");
  section.finish();
}

void training(Section section) {
  section.strings("train_cases");
  section.strings("held_out_cases");
  section.metadata_whole("iterations");
  section.metadata_number("wall_minutes");
  section.finish();
}

// validation: {set name: {per_case: {case: {WT: {dice, hd95_mm}, ...}}, mean: {WT: {dice, hd95_mm, hd95_cases}, ...}}}.
void validation(Section section) {
  const auto scores = [&](const std::string& path, const Json& regions) {
    Section by_region(regions, path, section.source());
    for (const char* region : {"WT", "TC", "ET"}) {
      if (!by_region.has(region)) throw InvalidInputError(section.source() + ": " + by_region.key_path(region) + " is missing");
      Section score = by_region.section(region);
      const double dice = score.number("dice", -1);
      if (!(dice >= 0 && dice <= 1)) throw InvalidInputError(section.source() + ": " + score.key_path("dice") + " must be a Dice between 0 and 1");
      score.metadata_number("hd95_mm");
      score.metadata_whole("hd95_cases");
      score.finish();
    }
    by_region.finish();
  };
  section.each_member([&](const std::string& set_name, const Json& set) {
    Section results(set, section.key_path(set_name) + ".", section.source());
    if (results.has("per_case")) {
      results.section("per_case").each_member([&](const std::string& case_id, const Json& regions) {
        scores(results.key_path("per_case." + case_id + "."), regions);
      });
    }
    if (const Json* mean = results.take("mean")) scores(results.key_path("mean."), *mean);
    results.finish();
  });
}

RefineManifest refine(Section section) {
  RefineManifest out;
  out.model_file = network_file(section.section("model"));
  out.inference = inference(section.section("inference"));
  out.inference.spatial_multiple = network_input(section.section("input"));
  if (section.has("box")) {
    Section box = section.section("box");
    out.spec.margin_voxels = box.whole("margin_voxels", out.spec.margin_voxels, 0);
    out.spec.multiple = box.whole("multiple", out.spec.multiple, 1);
    box.finish();
  }
  out.spec.thresholds = network_output(section.section("output"));
  if (section.has("parity")) parity(section.section("parity"));
  section.finish();
  return out;
}

// The top-level object of a manifest of `format`, refused as a FormatError when it is not JSON or names another format.
Json manifest_document(std::string_view json, const std::string& source, std::string_view format, const char* what) {
  Json document;
  try {
    document = parse_json(json);
  } catch (const FormatError& e) {
    throw FormatError(source + ": not valid JSON (" + e.what() + ")");
  }
  const Json* found = document.is_object() ? document.find("format") : nullptr;
  if (!found || !found->is_string() || found->as_string() != format) {
    const std::string name = found && found->is_string() ? found->as_string() : found ? found->dump() : "missing";
    throw FormatError(source + ": not a Gliolens " + what + " manifest (format \"" + name + "\")");
  }
  return document;
}

// A number in the open interval (low, high), refused naming its key otherwise.
double number_between(Section& section, std::string_view key, double fallback, double low, double high) {
  const double value = section.number(key, fallback);
  if (!(value > low && value < high)) {
    throw InvalidInputError(section.source() + ": " + section.key_path(key) + " must lie between " + Json(low).dump() + " and " +
                            Json(high).dump() + " (exclusive), not " + Json(value).dump());
  }
  return value;
}

bool boolean(Section& section, std::string_view key, bool fallback) {
  const Json* value = section.take(key);
  if (!value) return fallback;
  if (value->dump() != "true" && value->dump() != "false") section.refuse_value(key, *value, "must be true or false");
  return value->dump() == "true";
}

void brain_extraction_input(Section input, BrainExtractionSpec& spec) {
  input.metadata_string("name");
  input.fixed("dtype", "float32");
  spec.tensor_axes = input.string("axes", spec.tensor_axes);
  if (spec.tensor_axes != "ijk" && spec.tensor_axes != "kji") {
    throw InvalidInputError(input.source() + ": " + input.key_path("axes") + " " + quoted(spec.tensor_axes) +
                            " is not supported (only \"ijk\" or \"kji\")");
  }
  input.finish();
}

void conform(Section section, BrainExtractionSpec& spec) {
  if (const auto dims = section.index3("dims")) spec.conform_dims = *dims;
  if (const auto mm = section.isotropic_mm("spacing_mm")) spec.conform_spacing_mm = *mm;
  spec.conform_orientation = section.string("orientation", spec.conform_orientation);
  check_orientation(spec.conform_orientation, section);
  section.fixed("interpolation", "linear");
  section.finish();
}

void scaling(Section section, BrainExtractionSpec& spec) {
  section.fixed("type", "quantile");
  spec.lower_quantile = number_between(section, "lower_quantile", spec.lower_quantile, 0, 1);
  spec.upper_quantile = number_between(section, "upper_quantile", spec.upper_quantile, 0, 1);
  spec.clip = boolean(section, "clip", spec.clip);
  if (!(spec.lower_quantile < spec.upper_quantile)) {
    throw InvalidInputError(section.source() + ": " + section.key_path("lower_quantile") + " must be below " + section.key_path("upper_quantile"));
  }
  section.finish();
}

void crop(Section section, BrainExtractionSpec& spec) {
  spec.crop = true;
  const double threshold = section.number("threshold_of_max", spec.crop_threshold_of_max);
  if (!(threshold >= 0 && threshold < 1)) {
    throw InvalidInputError(section.source() + ": " + section.key_path("threshold_of_max") + " must be in [0, 1), not " + Json(threshold).dump());
  }
  spec.crop_threshold_of_max = threshold;
  spec.crop_margin_voxels = section.whole("margin_voxels", spec.crop_margin_voxels, 0);
  section.finish();
}

void brain_extraction_output(Section output, BrainExtractionSpec& spec) {
  output.metadata_string("name");
  output.fixed("dtype", "float32");
  output.fixed("activation", "softmax");
  const auto labels = output.strings("labels");
  if (!labels.empty()) spec.output_channels = static_cast<std::int64_t>(labels.size());
  if (spec.output_channels < 2) {
    throw InvalidInputError(output.source() + ": " + output.key_path("labels") + " must name at least two channels (background and brain)");
  }
  spec.brain_channel = output.whole("brain_channel", spec.brain_channel, 0);
  if (spec.brain_channel >= spec.output_channels) {
    throw InvalidInputError(output.source() + ": " + output.key_path("brain_channel") + " " + std::to_string(spec.brain_channel) +
                            " is not one of the " + std::to_string(spec.output_channels) + " channels of output.labels");
  }
  output.finish();
}

// validation: {set name: {dice (0 to 1), reference: what it was scored against}}.
void brain_extraction_validation(Section section) {
  section.each_member([&](const std::string& set_name, const Json& set) {
    Section result(set, section.key_path(set_name) + ".", section.source(), kBrainExtractionManifestFormat);
    const double dice = result.number("dice", -1);
    if (!(dice >= 0 && dice <= 1)) throw InvalidInputError(section.source() + ": " + result.key_path("dice") + " must be a Dice between 0 and 1");
    result.metadata_string("reference");
    result.metadata_number("seconds");
    result.finish();
  });
}

// The keys every manifest opens with: which network, which version, what it is for, and its file.
template <typename Manifest>
void read_identity(Section& top, const std::string& source, Manifest& manifest) {
  manifest.source = source;
  manifest.name = top.string("name");
  manifest.version = top.string("version");
  if (manifest.name.empty()) throw InvalidInputError(source + ": name is missing");
  if (manifest.version.empty()) throw InvalidInputError(source + ": version is missing");
  top.metadata_string("task");
  top.metadata_string("intended_use");
  manifest.model_file = network_file(top.section("model"));
}

// Two positive numbers (i, j); whole numbers when `whole`.
std::array<double, 2> positive_pair(Section& section, std::string_view key, std::array<double, 2> fallback, bool whole) {
  const Json* value = section.take(key);
  if (!value) return fallback;
  const auto fits = [&](const Json& v) {
    return v.is_number() && v.as_number() > 0 && (!whole || (std::floor(v.as_number()) == v.as_number() && v.as_number() < 1e9));
  };
  if (!value->is_array() || value->as_array().size() != 2 || !std::all_of(value->as_array().begin(), value->as_array().end(), fits)) {
    section.refuse_value(key, *value, whole ? "must be two positive whole numbers (i, j)" : "must be two positive numbers (i, j; mm)");
  }
  return {value->as_array()[0].as_number(), value->as_array()[1].as_number()};
}

void flair_input(Section input, FlairSpec& spec) {
  input.metadata_string("name");
  input.fixed("dtype", "float32");
  if (input.has("channels") && input.strings("channels") != std::vector<std::string>{"FLAIR"}) {
    throw InvalidInputError(input.source() + ": " + input.key_path("channels") + " must be [\"FLAIR\"] (the FLAIR model's one channel)");
  }
  input.fixed("layout", "slices");
  spec.spatial_multiple = input.whole("spatial_multiple", spec.spatial_multiple, 1);
  input.finish();
}

void flair_preprocessing(Section pre, FlairSpec& spec) {
  spec.orientation = pre.string("orientation", spec.orientation);
  check_orientation(spec.orientation, pre);
  pre.fixed("slice_axis", "k");
  const auto window = positive_pair(pre, "window_pixels", {static_cast<double>(spec.window_pixels[0]), static_cast<double>(spec.window_pixels[1])}, true);
  spec.window_pixels = {static_cast<std::int64_t>(window[0]), static_cast<std::int64_t>(window[1])};
  spec.shrink_window_to_nonzero = boolean(pre, "shrink_window_to_nonzero", spec.shrink_window_to_nonzero);
  spec.spacing_mm = positive_pair(pre, "spacing_mm", spec.spacing_mm, false);
  pre.fixed("interpolation", "linear");
  if (pre.has("intensity")) {
    Section intensity = pre.section("intensity");
    intensity.fixed("type", "divide_by_quantile");
    spec.quantile = intensity.number("quantile", spec.quantile);
    if (!(spec.quantile > 0 && spec.quantile <= 1)) {
      throw InvalidInputError(intensity.source() + ": " + intensity.key_path("quantile") + " must lie in (0, 1], not " + Json(spec.quantile).dump());
    }
    intensity.fixed("region", "nonzero");
    intensity.finish();
  }
  spec.skip_empty_slices = boolean(pre, "skip_empty_slices", spec.skip_empty_slices);
  pre.finish();
}

void flair_output(Section output, FlairManifest& manifest) {
  output.metadata_string("name");
  output.fixed("dtype", "float32");
  output.fixed("activation", "sigmoid");
  manifest.spec.threshold = static_cast<float>(number_between(output, "threshold", manifest.spec.threshold, 0, 1));
  const std::int64_t label = output.whole("label", manifest.spec.label, 1);
  if (label > 255) throw InvalidInputError(output.source() + ": " + output.key_path("label") + " must be a label from 1 to 255, not " + std::to_string(label));
  manifest.spec.label = static_cast<std::uint8_t>(label);
  manifest.region = output.string("region", "FLAIR abnormality");
  output.finish();
}

// A free-form section of metadata (training, validation): people read it, the code only checks it is an object.
void free_form(Section section) {
  section.each_member([](const std::string&, const Json&) {});
}

// parity: the script (and reference files) as paths in the model folder; anything else a string or a number.
void flair_parity(Section section) {
  section.each_member([&](const std::string& key, const Json& value) {
    if (key == "script" || key == "reference" || key == "reference_dir" || key == "checker") {
      section.relative_path(key);
    } else if (!value.is_string() && !value.is_number()) {
      section.refuse_value(key, value, "must be a string or a number");
    }
  });
}

}  // namespace

SegmentationManifest parse_segmentation_manifest(std::string_view json, std::string_view source_name) {
  const std::string source(source_name);
  const Json document = manifest_document(json, source, kSegmentationManifestFormat, "segmentation");
  Section top(document, "", source);
  top.take("format");
  SegmentationManifest manifest;
  read_identity(top, source, manifest);
  preprocessing(top.section("preprocessing"), manifest.spec);
  manifest.inference = inference(top.section("inference"));
  manifest.inference.spatial_multiple = network_input(top.section("input"));
  manifest.spec.thresholds = network_output(top.section("output"));
  postprocess(top.section("postprocess"), manifest.spec);
  if (top.has("refine")) manifest.refine = refine(top.section("refine"));
  training(top.section("training"));
  validation(top.section("validation"));
  parity(top.section("parity"));
  top.finish();
  return manifest;
}

BrainExtractionManifest parse_brain_extraction_manifest(std::string_view json, std::string_view source_name) {
  const std::string source(source_name);
  const Json document = manifest_document(json, source, kBrainExtractionManifestFormat, "brain extraction");
  Section top(document, "", source, kBrainExtractionManifestFormat);
  top.take("format");
  BrainExtractionManifest manifest;
  read_identity(top, source, manifest);
  brain_extraction_input(top.section("input"), manifest.spec);
  conform(top.section("conform"), manifest.spec);
  scaling(top.section("scaling"), manifest.spec);
  if (top.has("crop")) crop(top.section("crop"), manifest.spec);
  brain_extraction_output(top.section("output"), manifest.spec);
  Section post = top.section("postprocess");
  manifest.spec.largest_component = boolean(post, "largest_component", manifest.spec.largest_component);
  manifest.spec.fill_holes = boolean(post, "fill_holes", manifest.spec.fill_holes);
  post.finish();
  brain_extraction_validation(top.section("validation"));
  Section parity_section = top.section("parity");
  parity_section.relative_path("script");
  parity_section.metadata_string("test");
  parity_section.metadata_number("max_abs_logit_difference");
  parity_section.finish();
  Section source_section = top.section("source");
  source_section.metadata_string("name");
  source_section.metadata_string("url");
  source_section.metadata_string("licence");
  source_section.metadata_string("paper");
  source_section.finish();
  top.finish();
  return manifest;
}

Index3 inference_window(const InferenceSpec& inference, const Index3& grid, std::string_view source, std::string_view where) {
  if (!inference.patch_voxels) return grid;
  Index3 window{};
  bool divisible = true;
  for (int a = 0; a < 3; ++a) {
    window[a] = std::min((*inference.patch_voxels)[a], grid[a]);
    divisible = divisible && window[a] % inference.spatial_multiple == 0;
  }
  if (!divisible) {
    const auto list = [](const Index3& v, const char* separator) {
      return std::to_string(v[0]) + separator + std::to_string(v[1]) + separator + std::to_string(v[2]);
    };
    throw InvalidInputError(std::string(source) + ": " + std::string(where) + "inference.patch_voxels_ijk [" + list(window, ",") + "] (within the " +
                            list(grid, "x") + " grid) must be multiples of " + std::string(where) + "input.spatial_multiple (" +
                            std::to_string(inference.spatial_multiple) + ")");
  }
  return window;
}

FlairManifest parse_flair_manifest(std::string_view json, std::string_view source_name) {
  const std::string source(source_name);
  const Json document = manifest_document(json, source, kFlairManifestFormat, "FLAIR model");
  Section top(document, "", source, kFlairManifestFormat);
  top.take("format");
  FlairManifest manifest;
  read_identity(top, source, manifest);
  flair_input(top.section("input"), manifest.spec);
  flair_preprocessing(top.section("preprocessing"), manifest.spec);
  for (int a = 0; a < 2; ++a) {
    if (manifest.spec.window_pixels[static_cast<std::size_t>(a)] % manifest.spec.spatial_multiple != 0) {
      throw InvalidInputError(source + ": preprocessing.window_pixels [" + std::to_string(manifest.spec.window_pixels[0]) + ", " +
                              std::to_string(manifest.spec.window_pixels[1]) + "] must be multiples of input.spatial_multiple (" +
                              std::to_string(manifest.spec.spatial_multiple) + ")");
    }
  }
  Section inference_section = top.section("inference");
  manifest.spec.slices_per_run = inference_section.whole("slices_per_run", manifest.spec.slices_per_run, 1);
  inference_section.finish();
  flair_output(top.section("output"), manifest);
  Section post = top.section("postprocess");
  manifest.spec.min_component_mm3 = post.number("min_component_mm3", manifest.spec.min_component_mm3);
  if (!(manifest.spec.min_component_mm3 >= 0)) {
    throw InvalidInputError(source + ": " + post.key_path("min_component_mm3") + " must be a volume >= 0 (mm^3), not " +
                            Json(manifest.spec.min_component_mm3).dump());
  }
  post.finish();
  free_form(top.section("training"));
  free_form(top.section("validation"));
  flair_parity(top.section("parity"));
  top.finish();
  return manifest;
}

}  // namespace gliolens::segmentation
