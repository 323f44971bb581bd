// The one reader of a segmentation model's manifest (format gliolens-segmentation-manifest/1, documented key by key in
// docs/manifest.md): JSON text in, the typed settings the segmentation code runs on out. A key it does not know, or a
// value the code does not implement (a normalisation other than the brain z-score, an anisotropic spacing...), is
// refused naming the file and the key, so a model never runs on settings that would be silently ignored.
#pragma once
#include "core/segmentation/brain_extraction.hpp"
#include "core/segmentation/flair_model.hpp"
#include "core/segmentation/refine_stage.hpp"
#include "core/segmentation/sliding_window.hpp"
#include "core/segmentation/whole_brain_model.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace gliolens::segmentation {

inline constexpr std::string_view kSegmentationManifestFormat = "gliolens-segmentation-manifest/1";

// How one network runs over its prepared grid: whole, or on overlapping windows blended by the core.
struct InferenceSpec {
  std::optional<Index3> patch_voxels;  // inference.patch_voxels_ijk; none: the whole grid at once
  double overlap = 0.5;                // inference.overlap, in [0, 1)
  std::int64_t spatial_multiple = 1;   // input.spatial_multiple: every window axis a multiple of it (a U-Net halves it per level)
};

// The second network of a cascade (the manifest's `refine` section).
struct RefineManifest {
  std::string model_file;
  RefineSpec spec;
  InferenceSpec inference;
};

struct SegmentationManifest {
  std::string source;  // the file it came from, for messages
  std::string name;
  std::string version;
  std::string model_file;
  WholeBrainSpec spec;
  InferenceSpec inference;
  std::optional<RefineManifest> refine;
};

inline constexpr std::string_view kBrainExtractionManifestFormat = "gliolens-brain-extraction-manifest/1";

// A brain-extraction network's manifest (format gliolens-brain-extraction-manifest/1, docs/manifest.md).
struct BrainExtractionManifest {
  std::string source;
  std::string name;
  std::string version;
  std::string model_file;
  BrainExtractionSpec spec;
};

inline constexpr std::string_view kFlairManifestFormat = "gliolens-flair-manifest/1";

// The FLAIR-only network's manifest (format gliolens-flair-manifest/1, docs/manifest.md).
struct FlairManifest {
  std::string source;
  std::string name;
  std::string version;
  std::string model_file;
  std::string region;  // output.region: what the label is, for people ("FLAIR abnormality")
  FlairSpec spec;
};

// Throws FormatError when `json` is not JSON or not a segmentation manifest, InvalidInputError naming `source` and the
// key path for an unknown key, a value of the wrong type or one the code does not support.
[[nodiscard]] SegmentationManifest parse_segmentation_manifest(std::string_view json, std::string_view source);

// The same reader for a brain-extraction manifest: the same refusals (unknown key, wrong type, unsupported value).
[[nodiscard]] BrainExtractionManifest parse_brain_extraction_manifest(std::string_view json, std::string_view source);

// The same reader for the FLAIR-only network's manifest: the same refusals (unknown key, wrong type, unsupported value).
[[nodiscard]] FlairManifest parse_flair_manifest(std::string_view json, std::string_view source);

// The window (i, j, k) a network runs on over `grid`: the manifest's patch, no larger than the grid along any axis
// (the networks are fully convolutional), or the whole grid when it names none. Throws InvalidInputError naming the
// key (`where` is "" or "refine.") when the window is not a multiple of the network's spatial_multiple.
[[nodiscard]] Index3 inference_window(const InferenceSpec& inference, const Index3& grid, std::string_view source,
                                      std::string_view where = "");

}  // namespace gliolens::segmentation
