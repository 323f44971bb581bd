// PyRadiomics parameter files (YAML subset), the pipeline over them (normalisation, PyRadiomics' resampling
// grid, resegmentation modes, image types LoG and Wavelet, feature-class selection), and PyRadiomics parity on
// the brain1 columns that need them (brain1_normalization, brain1_resampling, brain1_resegmentation).
#include <catch2/catch.hpp>

#include "radiomics_test_support.hpp"

#include "core/errors.hpp"
#include "core/io/nifti.hpp"
#include "core/radiomics/filters.hpp"
#include "core/radiomics/params.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

namespace {
namespace fs = std::filesystem;
using namespace gliolens::radiomics;
using namespace gliolens::radiomics::testing;
using gliolens::Volume;

const char* kParams = R"(# a PyRadiomics parameter file
setting:
  binWidth: 5            # comment after a value
  label: 2
  interpolator: 'sitkBSpline'
  resampledPixelSpacing: [2, 2, 0]
  normalize: true
  normalizeScale: 100
  voxelArrayShift: 300
  resegmentRange: [-3, 3]
  resegmentMode: sigma
  force2D: false
  force2Ddimension: 0
  distances: [1]
imageType:
  Original: {}
  LoG:
    sigma: [1.0, 2.5, 3]
  Wavelet: {}
featureClass:
  shape:
  firstorder: []
  glcm:
    - Contrast
    - "JointEntropy"
)";

}  // namespace

TEST_CASE("parameter file: settings, image types and feature classes", "[radiomics][params]") {
  const Params p = parse_params(kParams);
  CHECK(p.settings.bin_width == 5);
  CHECK(p.settings.discretisation == Discretisation::fixed_bin_size);
  CHECK(p.label == 2);
  CHECK(p.settings.interpolation == Interpolation::bspline);
  REQUIRE(p.settings.resampled_spacing);
  CHECK((*p.settings.resampled_spacing)[1] == 2);
  CHECK((*p.settings.resampled_spacing)[2] == 0);
  CHECK(p.normalize);
  CHECK(p.normalize_scale == 100);
  CHECK(p.settings.voxel_array_shift == 300);
  CHECK(p.resegment_range == std::vector<double>{-3, 3});
  CHECK(p.resegment_mode == "sigma");
  REQUIRE(p.image_types.size() == 3);
  CHECK(p.image_types[1].kind == "log");
  CHECK(p.image_types[1].sigma_text == std::vector<std::string>{"1.0", "2.5", "3"});
  CHECK(p.image_types[2].kind == "wavelet");
  REQUIRE(p.feature_classes.size() == 3);
  CHECK(p.feature_classes.at("shape").empty());
  CHECK(p.feature_classes.at("glcm") == std::vector<std::string>{"Contrast", "JointEntropy"});

  const Params q = parse_params("setting:\n  binCount: 16\n  binWidth: 3\n");
  CHECK(q.settings.discretisation == Discretisation::fixed_bin_number);
  CHECK(q.settings.bin_count == 16);
  CHECK(q.image_types.size() == 1);  // Original by default
  CHECK(q.settings.interpolation == Interpolation::bspline);  // PyRadiomics' default interpolator
  CHECK(parse_params("").settings.bin_width == 25);
  CHECK(parse_params("setting: {binWidth: 10, label: 3}").label == 3);
  CHECK(parse_params("featureClass:\n  glcm:\n  - Contrast\n").feature_classes.at("glcm").size() == 1);
}

TEST_CASE("parameter file: errors name the line", "[radiomics][params]") {
  auto message = [](const std::string& yaml) {
    try {
      (void)parse_params(yaml);
    } catch (const gliolens::InvalidInputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message("setting:\n  binWidht: 5\n"), Catch::Contains("line 2") && Catch::Contains("binWidht"));
  CHECK_THAT(message("setting:\n  binWidth: five\n"), Catch::Contains("line 2") && Catch::Contains("not a number"));
  CHECK_THAT(message("imageType:\n  Square: {}\n"), Catch::Contains("Square") && Catch::Contains("not supported"));
  CHECK_THAT(message("setting:\n  distances: [1, 2]\n"), Catch::Contains("distances"));
  CHECK_THAT(message("setting:\n  binWidth: [1, 2\n"), Catch::Contains("line 2"));
  CHECK_THAT(message("foo:\n  bar: 1\n"), Catch::Contains("unknown section"));
  CHECK_THAT(message("setting:\n\tbinWidth: 5\n"), Catch::Contains("tabs"));
  CHECK_THAT(message("setting:\n  binWidth: 5\n  binWidth: 6\n"), Catch::Contains("duplicate"));
  CHECK_THAT(message("featureClass:\n  glcmm:\n"), Catch::Contains("glcmm"));
}

TEST_CASE("wavelet coif1: constant and separable checks", "[radiomics][params]") {
  auto img = make_volume({8, 7, 6}, {1, 1, 2}, 10.0f);
  const auto bands = wavelet_coif1(img);
  REQUIRE(bands.size() == 8);
  CHECK(bands[0].first == "LLH");
  CHECK(bands[7].first == "LLL");
  // Low-pass sums to sqrt(2), high-pass to 0: a constant image gives 10 * 2^1.5 in LLL and 0 elsewhere.
  for (const auto& [name, v] : bands)
    for (const float x : v.voxels) CHECK(x == Approx(name == "LLL" ? 10.0 * std::pow(2.0, 1.5) : 0.0).margin(1e-4));
  // A ramp along z only: every band with H in x or y is zero.
  for (std::int64_t k = 0; k < 6; ++k)
    for (std::int64_t j = 0; j < 7; ++j)
      for (std::int64_t i = 0; i < 8; ++i) img.voxels[img.grid.index(i, j, k)] = static_cast<float>(k * k);
  for (const auto& [name, v] : wavelet_coif1(img))
    if (name[0] == 'H' || name[1] == 'H')
      for (const float x : v.voxels) CHECK(x == Approx(0.0).margin(1e-3));
}

TEST_CASE("Laplacian of Gaussian: zero on constants, sigma^2 * 2 on x^2", "[radiomics][params]") {
  auto img = make_volume({32, 32, 32}, {1, 1, 1}, 5.0f);
  auto out = laplacian_of_gaussian(img, 2.0);
  CHECK(out.voxels[img.grid.index(16, 16, 16)] == Approx(0.0).margin(1e-4));
  for (std::int64_t k = 0; k < 32; ++k)
    for (std::int64_t j = 0; j < 32; ++j)
      for (std::int64_t i = 0; i < 32; ++i)
        img.voxels[img.grid.index(i, j, k)] = static_cast<float>((i - 16.0) * (i - 16.0));
  out = laplacian_of_gaussian(img, 2.0);
  CHECK(out.voxels[img.grid.index(16, 16, 16)] == Approx(2.0 * 4.0).epsilon(1e-4));
}

TEST_CASE("pipeline: image types, names and feature-class selection", "[radiomics][params]") {
  auto img = make_volume({20, 20, 12}, {1, 1, 1});
  auto mask = make_volume({20, 20, 12}, {1, 1, 1});
  for (std::int64_t k = 0; k < 12; ++k)
    for (std::int64_t j = 0; j < 20; ++j)
      for (std::int64_t i = 0; i < 20; ++i) {
        const auto n = img.grid.index(i, j, k);
        img.voxels[n] = static_cast<float>((i * 7 + j * 13 + k * 5) % 50);
        if (i > 4 && i < 15 && j > 3 && j < 16 && k > 2 && k < 9) mask.voxels[n] = 1;
      }
  const Params p = parse_params(R"(
imageType:
  Original: {}
  LoG: {sigma: [1.0, 2]}
  Wavelet: {}
featureClass:
  shape: [VoxelVolume]
  firstorder: [Mean, Entropy]
  glcm: [Contrast]
setting:
  binWidth: 5
)");
  const auto features = extract_with_params(img, mask, 1, p);
  std::set<std::string> names;
  for (const auto& f : features) {
    names.insert(f.name);
    CHECK((f.value.has_value() || !f.reason.empty()));
  }
  CHECK(names.count("original_shape_VoxelVolume"));
  CHECK(names.count("original_firstorder_Mean"));
  CHECK(names.count("original_glcm_Contrast"));
  CHECK(names.count("log-sigma-1-0-mm-3D_firstorder_Mean"));
  CHECK(names.count("log-sigma-2-mm-3D_glcm_Contrast"));
  CHECK(names.count("wavelet-LLH_firstorder_Entropy"));
  CHECK(names.count("wavelet-LLL_glcm_Contrast"));
  CHECK_FALSE(names.count("log-sigma-1-0-mm-3D_shape_VoxelVolume"));
  CHECK_FALSE(names.count("original_glcm_JointEnergy"));
  CHECK(names.size() == 1 + 3 + 2 * 3 + 8 * 3);
  for (const auto& f : features)
    if (f.name == "original_glcm_Contrast") CHECK(f.ibsi_tag == "ACUI");
}

TEST_CASE("PyRadiomics parity: brain1 normalization, resampling, resegmentation via parameter files",
          "[radiomics][pyradiomics][params]") {
  const auto brain1 = load_brain1();
  if (!brain1) return;
  const fs::path& dir = brain1->dir;
  const Volume& image = brain1->image;
  const Volume& mask = brain1->mask;
  // The settings of each column, as its diagnostics_Configuration_Settings row states them.
  const std::vector<std::pair<std::string, std::string>> columns{
      {"brain1_normalization", "setting:\n  normalize: true\n  normalizeScale: 100\n  binWidth: 5\n  interpolator: sitkBSpline\n"},
      {"brain1_resampling", "setting:\n  resampledPixelSpacing: [2, 2, 2]\n"},  // sitkBSpline: the default
      {"brain1_resegmentation", "setting:\n  resegmentRange: [-3, 3]\n  resegmentMode: sigma\n"},
      {"brain1", "setting:\n  binWidth: 25\n  voxelArrayShift: 2000\n"},
  };
  // The mesh gap of the plain brain1 column (a development build of PyRadiomics made that column; see
  // test_radiomics_pyradiomics.cpp); the other columns, brain1_resampling's mesh included, match.
  const std::set<std::string> mesh{"original_shape_MeshVolume", "original_shape_SurfaceArea",
                                   "original_shape_SurfaceVolumeRatio", "original_shape_Sphericity"};
  for (const auto& [column, yaml] : columns) {
    const auto features = extract_with_params(image, mask, 1, parse_params(yaml));
    const auto a = compare_to_pyradiomics_baseline(features, dir, column, mesh);
    WARN("PyRadiomics " << column << " (parameter file): " << a.matched << "/" << a.total << " within 1e-6 relative; "
                        << a.gaps << " mesh gaps\n" << a.report);
  }
}

// Records every brain1 feature (PyRadiomics defaults with the brain1 column's settings) with 17 digits, for the
// Node test that checks the WASM build gives the same numbers (tests/node/features.test.mjs).
TEST_CASE("brain1 native feature record for the WASM comparison", "[radiomics][params]") {
  const auto brain1 = load_brain1();
  if (!brain1) return;
  const Volume& image = brain1->image;
  const Volume& mask = brain1->mask;
  const fs::path out_dir = fs::path(GLIOLENS_SOURCE_DIR) / "build" / "native";
  fs::create_directories(out_dir);
  for (const auto& [file, mode] : {std::pair{"radiomics_brain1_pyradiomics.csv", Mode::pyradiomics},
                                   std::pair{"radiomics_brain1_ibsi.csv", Mode::ibsi}}) {
    Params p = default_params(mode);
    if (mode == Mode::pyradiomics) p.settings.voxel_array_shift = 2000;
    const auto features = extract_with_params(image, mask, 1, p);
    std::ofstream out(out_dir / file);
    out << "name,value\n";
    char buf[64];
    for (const auto& f : features) {
      if (f.value) std::snprintf(buf, sizeof buf, "%.17g", *f.value);
      out << f.name << "," << (f.value ? buf : "") << "\n";
    }
    CHECK(features.size() > 100);
  }
}

TEST_CASE("label_matches agrees with std::lround", "[radiomics][params]") {
  for (int label = -3; label <= 3; ++label) {
    for (float v = -4.0f; v <= 4.0f; v += 0.125f) CHECK(label_matches(v, label) == (std::lround(v) == label));
    CHECK_FALSE(label_matches(std::nanf(""), label));
    CHECK(label_matches(std::nextafter(label + 0.5f, -10.0f), label));
  }
}

TEST_CASE("parameter file, IBSI mode: rounding, mask interpolation, outlier filtering, the IVH's own bins",
          "[radiomics][params]") {
  const Params p = parse_params(R"(setting:
  resampledPixelSpacing: [2, 2, 2]
  interpolator: sitkBSpline
  roundIntensities: true
  maskInterpolator: sitkNearestNeighbor
  maskPartialVolumeThreshold: 0.4
  resegmentRange: [-1000, 400]
  resegmentOutlierSigma: 3
  binCount: 32
  ivhBinCount: 1000
)",
                                Mode::ibsi);
  CHECK(p.settings.round_intensities);
  CHECK(p.settings.interpolation == Interpolation::bspline);
  CHECK(p.settings.mask_interpolation == Interpolation::nearest);
  CHECK(p.settings.mask_threshold == 0.4);
  CHECK(p.resegment_range == std::vector<double>{-1000, 400});
  REQUIRE(p.settings.resegment_sigma);
  CHECK(*p.settings.resegment_sigma == 3);
  CHECK(p.settings.ivh_discretisation == Discretisation::fixed_bin_number);
  CHECK(p.settings.ivh_bin_count == 1000);
  CHECK(parse_params("setting:\n  ivhBinWidth: 2.5\n", Mode::ibsi).settings.ivh_discretisation ==
        Discretisation::fixed_bin_size);
  CHECK(parse_params("setting:\n  ivhBinWidth: 2.5\n", Mode::ibsi).settings.ivh_bin_width == 2.5);
  CHECK(parse_params("setting:\n  ivhBinWidth: null\n", Mode::ibsi).settings.ivh_discretisation == Discretisation::none);
  // IBSI defaults: no rounding, trilinear mask kept at 0.5, the IVH on the intensities as they are.
  const Params d = parse_params("", Mode::ibsi);
  CHECK_FALSE(d.settings.round_intensities);
  CHECK(d.settings.mask_interpolation == Interpolation::linear);
  CHECK(d.settings.mask_threshold == 0.5);
  CHECK(d.settings.ivh_discretisation == Discretisation::none);
  // force2D in IBSI mode: IBSI's 2D approach, texture per slice and 2.5D only.
  const auto dims = parse_params("setting:\n  force2D: true\n", Mode::ibsi).settings.texture_dims;
  CHECK((dims.d2 && dims.d25 && !dims.d3));
  // PyRadiomics' own spelling of 3-sigma filtering is read as IBSI's in IBSI mode (limits on the resampled grid).
  const Params s = parse_params("setting:\n  resegmentMode: sigma\n  resegmentRange: [-3, 3]\n", Mode::ibsi);
  CHECK(s.resegment_mode == "sigma");
}

TEST_CASE("parameter file: IBSI settings are refused in PyRadiomics mode, and clashes are named",
          "[radiomics][params]") {
  auto message = [](const std::string& yaml, Mode mode) {
    try {
      (void)parse_params(yaml, mode);
    } catch (const gliolens::InvalidInputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  for (const char* key : {"roundIntensities: true", "maskInterpolator: sitkLinear", "maskPartialVolumeThreshold: 0.5",
                          "resegmentOutlierSigma: 3", "ivhBinWidth: 2.5", "ivhBinCount: 1000"}) {
    INFO(key);
    CHECK_THAT(message(std::string("setting:\n  ") + key + "\n", Mode::pyradiomics),
               Catch::Contains("line 2") && Catch::Contains("PyRadiomics does not have") && Catch::Contains("--mode ibsi"));
    CHECK(message(std::string("setting:\n  ") + key + "\n", Mode::ibsi) == "no error");
  }
  CHECK_THAT(message("setting:\n  ivhBinWidth: 2.5\n  ivhBinCount: 100\n", Mode::ibsi),
             Catch::Contains("line 3") && Catch::Contains("not both"));
  CHECK_THAT(message("setting:\n  resegmentMode: sigma\n  resegmentRange: [-2, 3]\n", Mode::ibsi),
             Catch::Contains("line 3") && Catch::Contains("[-n, n]"));
  CHECK_THAT(message("setting:\n  resegmentMode: sigma\n  resegmentRange: [-3, 3]\n  resegmentOutlierSigma: 3\n",
                     Mode::ibsi),
             Catch::Contains("give one"));
  CHECK_THAT(message("setting:\n  roundIntensity: true\n", Mode::ibsi), Catch::Contains("unknown setting 'roundIntensity'"));
  CHECK_THAT(message("setting:\n  maskPartialVolumeThreshold: 0\n", Mode::ibsi), Catch::Contains("(0, 1]"));
  CHECK_THAT(message("setting:\n  ivhBinCount: 0\n", Mode::ibsi), Catch::Contains("at least 1"));
  // PyRadiomics mode keeps PyRadiomics' asymmetric sigma limits.
  CHECK(message("setting:\n  resegmentMode: sigma\n  resegmentRange: [-2, 3]\n", Mode::pyradiomics) == "no error");
}

TEST_CASE("IVH with a fixed bin size: each bin stands for its centre", "[radiomics][ibsi][params]") {
  // 101 voxels: 0..99 HU and one more 0. Range [-100, 100], bins of 10 HU from -100: the voxels fall in the bins
  // centred on 5, 15, ..., 95 HU, and the IVH's total range is [-95, 95] (IBSI: X_gl,min + w/2 .. X_gl,max - w/2).
  auto image = make_volume({13, 12, 3}, {1, 1, 1});
  auto mask = make_volume({13, 12, 3}, {1, 1, 1});
  int v = 0;
  for (std::int64_t j = 1; j <= 10; ++j)
    for (std::int64_t i = 1; i <= 10; ++i) {
      image.voxels[image.grid.index(i, j, 1)] = static_cast<float>(v++);
      mask.voxels[mask.grid.index(i, j, 1)] = 1.0f;
    }
  mask.voxels[mask.grid.index(11, 1, 1)] = 1.0f;  // intensity 0
  Settings s = ibsi_defaults();
  s.families = {"intensity_volume_histogram"};
  s.resegment_range = std::array<double, 2>{-100, 100};
  s.ivh_discretisation = Discretisation::fixed_bin_size;
  s.ivh_bin_width = 10;
  std::map<std::string, double> got;
  for (const auto& f : extract_features(image, mask, 1, s))
    if (f.value) got[f.ibsi_tag] = *f.value;
  CHECK(got.at("GBPN_10") == Approx(95));  // 10 of 101 voxels reach the top bin: below 10 %
  CHECK(got.at("GBPN_90") == Approx(15));  // 101 reach the bin at 5, 90 the one at 15: below 90 %
  CHECK(got.at("CNV2") == Approx(80));
  CHECK(got.at("BC2M_10") == Approx(1.0));         // gamma >= 0.1 first at the level -75: every voxel
  CHECK(got.at("BC2M_90") == Approx(20.0 / 101));  // gamma >= 0.9 first at the level 85
}
