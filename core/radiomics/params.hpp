// Extraction parameters in PyRadiomics' YAML parameter-file format (sections setting, imageType,
// featureClass), and the extraction pipeline over them: normalisation, resampling (PyRadiomics' grid in
// PyRadiomics mode, IBSI's in IBSI mode), resegmentation, the image types Original, LoG and Wavelet,
// and the feature-class selection.
#pragma once
#include "core/radiomics/radiomics.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gliolens::radiomics {

struct ImageTypeSpec {
  std::string kind;                   // "original", "log", "wavelet"
  std::vector<double> sigma;          // LoG: standard deviations in mm
  std::vector<std::string> sigma_text;  // as PyRadiomics prints them in the image-type name ("1.0", "3")
};

struct Params {
  Settings settings = pyradiomics_defaults();
  std::optional<int> label;           // setting: label (the command line's --label wins)
  bool normalize = false;             // PyRadiomics normalize: (v - mean) / sd * normalizeScale, whole image
  double normalize_scale = 1.0;
  std::vector<double> resegment_range;  // PyRadiomics resegmentRange (1 or 2 values)
  std::string resegment_mode = "absolute";  // absolute | relative | sigma
  double pad_distance = 5.0;          // PyRadiomics' resampling crop margin (voxels of the new grid)
  std::vector<ImageTypeSpec> image_types{ImageTypeSpec{"original", {}, {}}};
  // featureClass: family -> feature names (empty vector: all features of the family). Empty map: all families.
  std::map<std::string, std::vector<std::string>> feature_classes;
  std::vector<std::string> warnings;  // settings read but without effect here
};

// Defaults of the mode: PyRadiomics' (bin width 25, 3D) or IBSI's (all aggregations, 32 bins).
[[nodiscard]] Params default_params(Mode mode);

// Parses a PyRadiomics parameter file (a YAML subset: block mappings and sequences, flow [..] and {..},
// quoted and plain scalars, comments) on top of the defaults of `mode`. Throws InvalidInputError with the
// line number on malformed YAML, an unknown setting or a setting this engine does not support.
[[nodiscard]] Params parse_params(const std::string& yaml, Mode mode = Mode::pyradiomics);

// Runs the pipeline: every enabled image type, every enabled feature class. Feature names follow
// PyRadiomics (original_glcm_Contrast, log-sigma-1-0-mm-3D_firstorder_Mean, wavelet-LLH_glszm_...).
// `cache` (optional) shares the mask-only work between the extractions of one case (extraction_cache.hpp).
[[nodiscard]] std::vector<Feature> extract_with_params(const Volume& image, const Volume& mask, int label,
                                                       const Params& params, ExtractionCache* cache = nullptr);
// The same for the union of several labels (tumour core = {1, 4}).
[[nodiscard]] std::vector<Feature> extract_with_params(const Volume& image, const Volume& mask,
                                                       const std::vector<int>& labels, const Params& params,
                                                       ExtractionCache* cache = nullptr);
// extract_with_params() with the grey levels of each image type's discretisation.
[[nodiscard]] Extraction extract_with_params_and_diagnostics(const Volume& image, const Volume& mask,
                                                             const std::vector<int>& labels, const Params& params,
                                                             ExtractionCache* cache = nullptr);

}  // namespace gliolens::radiomics
