// The filtered image types against independent references (tests/reference/filters, written by the Python
// scripts there): the Wavelet image type against PyWavelets in PyRadiomics' convention, the Laplacian of Gaussian
// against scipy.ndimage (IBSI mode, sampled kernel) and ITK's LaplacianRecursiveGaussianImageFilter (PyRadiomics
// mode), and the filters' behaviour on bad input (tiny ROIs, ROIs at the border, small and large sigma).
// Tolerance: 1e-6 relative, with the absolute floor stated at each check (voxels are stored as float32).
#include <catch2/catch.hpp>

#include "radiomics_test_support.hpp"

#include "core/errors.hpp"
#include "core/io/nifti.hpp"
#include "core/radiomics/filters.hpp"
#include "core/radiomics/params.hpp"
#include "core/radiomics/pyradiomics_resampling.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace {
namespace fs = std::filesystem;
using namespace gliolens::radiomics;
using namespace gliolens::radiomics::testing;
using gliolens::Volume;

const fs::path kRef = fs::path(GLIOLENS_SOURCE_DIR) / "tests" / "reference" / "filters";

// The synthetic volume of the reference scripts: ((7i + 13j + 29k + 3ij) mod 23) - 5 + k/4, exact in float32.
gliolens::Volume synthetic(std::array<std::int64_t, 3> dims, std::array<double, 3> spacing = {1, 1, 1}) {
  auto v = make_volume(dims, spacing);
  for (std::int64_t k = 0; k < dims[2]; ++k)
    for (std::int64_t j = 0; j < dims[1]; ++j)
      for (std::int64_t i = 0; i < dims[0]; ++i)
        v.voxels[v.grid.index(i, j, k)] =
            static_cast<float>(((i * 7 + j * 13 + k * 29 + i * j * 3) % 23) - 5 + 0.25 * static_cast<double>(k));
  return v;
}

std::map<std::string, double> by_name(const std::vector<Feature>& fs) {
  std::map<std::string, double> m;
  for (const auto& f : fs)
    if (f.value) m[f.name] = *f.value;
  return m;
}

// |a - ref| <= 1e-6 * max(|ref|, floor)
bool close(double a, double ref, double floor) { return std::abs(a - ref) <= 1e-6 * std::max(std::abs(ref), floor); }

struct Agreement {
  int checked = 0, bad = 0;
  double worst = 0;  // largest |ours - ref| / max(|ref|, floor)
};

// Every row of a per-voxel reference CSV (reference value in column `ref_column`) against `ours(row)`, with the
// absolute floor 1 (filtered values here are O(1-10)); the first mismatches are reported with their row.
template <class Ours>
Agreement compare_voxels(const std::vector<std::vector<std::string>>& rows, std::size_t ref_column, Ours ours_of) {
  Agreement a;
  for (const auto& r : rows) {
    const double ref = std::stod(r[ref_column]);
    const double ours = ours_of(r);
    ++a.checked;
    a.worst = std::max(a.worst, std::abs(ours - ref) / std::max(std::abs(ref), 1.0));
    if (!close(ours, ref, 1.0)) {
      ++a.bad;
      if (a.bad < 10) FAIL_CHECK(r[0] << " (" << r[1] << "," << r[2] << "," << r[3] << "): " << ours << " vs " << ref);
    }
  }
  return a;
}

// First-order features of filtered images (rows: full feature name, reference value) against ours. Floors: 1 for
// the dimensionless skewness and kurtosis, none for energy, else the image type's RootMeanSquared in the reference.
Agreement compare_first_order(const std::map<std::string, double>& ours,
                              const std::vector<std::vector<std::string>>& rows) {
  const auto image_type = [](const std::string& name) { return name.substr(0, name.find("_firstorder")); };
  std::map<std::string, double> rms;
  for (const auto& r : rows)
    if (r[0].find("RootMeanSquared") != std::string::npos) rms[image_type(r[0])] = std::stod(r[1]);
  Agreement a;
  for (const auto& r : rows) {
    INFO(r[0]);
    REQUIRE(ours.count(r[0]));
    const double ref = std::stod(r[1]), value = ours.at(r[0]);
    const bool dimensionless = r[0].find("Skewness") != std::string::npos || r[0].find("Kurtosis") != std::string::npos;
    const double floor = dimensionless                              ? 1.0
                         : r[0].find("Energy") != std::string::npos ? 0.0
                                                                    : rms.at(image_type(r[0]));
    a.worst = std::max(a.worst, std::abs(value - ref) / std::max(std::abs(ref), floor));
    CHECK(close(value, ref, floor));
    ++a.checked;
  }
  return a;
}

}  // namespace

TEST_CASE("wavelet: every voxel of the eight coif1 sub-bands equals PyWavelets (5x4x3, odd axes padded)",
          "[radiomics][filters][wavelet]") {
  const auto img = synthetic({5, 4, 3});
  const auto bands = wavelet_coif1(img);
  std::vector<std::string> names;
  for (const auto& [name, v] : bands) names.push_back(name);
  CHECK(names == std::vector<std::string>{"LLH", "LHL", "LHH", "HLL", "HLH", "HHL", "HHH", "LLL"});
  std::map<std::string, const gliolens::Volume*> vol;
  for (const auto& [name, v] : bands) vol[name] = &v;
  const auto a = compare_voxels(read_csv_rows(kRef / "wavelet_tiny.csv"), 4, [&](const auto& r) {
    return vol.at(r[0])->at(std::stoll(r[1]), std::stoll(r[2]), std::stoll(r[3]));
  });
  INFO("worst relative difference " << a.worst);
  CHECK(a.checked == 480);
  CHECK(a.bad == 0);
}

TEST_CASE("wavelet: ROIs at the image border through the pipeline equal PyWavelets (wrap padding, periodic)",
          "[radiomics][filters][wavelet]") {
  const auto img = synthetic({9, 8, 7});
  struct M { std::array<std::int64_t, 3> lo, hi; };  // inclusive
  const std::map<std::string, M> masks{{"corner_low", {{0, 0, 0}, {2, 1, 1}}},
                                       {"corner_high", {{6, 5, 4}, {8, 7, 6}}},
                                       {"slab_x", {{0, 3, 2}, {8, 4, 4}}},
                                       {"interior", {{3, 3, 2}, {5, 4, 4}}}};
  const Params p = parse_params("imageType:\n  Wavelet: {}\nfeatureClass:\n  firstorder: [Mean, Minimum, Maximum, Energy]\n");
  int checked = 0;
  for (const auto& r : read_csv_rows(kRef / "wavelet_border.csv")) {
    const auto it = masks.find(r[0]);
    if (it == masks.end()) continue;  // "single": a one-voxel ROI, see the bad-input tests
    auto mask = make_volume({9, 8, 7}, {1, 1, 1});
    for (std::int64_t k = it->second.lo[2]; k <= it->second.hi[2]; ++k)
      for (std::int64_t j = it->second.lo[1]; j <= it->second.hi[1]; ++j)
        for (std::int64_t i = it->second.lo[0]; i <= it->second.hi[0]; ++i) mask.voxels[mask.grid.index(i, j, k)] = 1;
    const auto f = by_name(extract_with_params(img, mask, 1, p));
    const std::string pre = "wavelet-" + r[1] + "_firstorder_";
    const double n = std::stod(r[2]), sum = std::stod(r[3]), sum2 = std::stod(r[4]);
    const double rms = std::sqrt(sum2 / n);
    INFO(r[0] << " " << r[1]);
    REQUIRE(f.count(pre + "Mean"));
    CHECK(close(f.at(pre + "Mean"), sum / n, rms));  // floor: the band's RMS within the ROI
    CHECK(close(f.at(pre + "Energy"), sum2, 0));
    CHECK(close(f.at(pre + "Minimum"), std::stod(r[5]), rms));
    CHECK(close(f.at(pre + "Maximum"), std::stod(r[6]), rms));
    ++checked;
  }
  CHECK(checked == 4 * 8);
}

TEST_CASE("wavelet: brain1 first-order features of the eight sub-bands equal PyWavelets in PyRadiomics' convention",
          "[radiomics][filters][wavelet][pyradiomics]") {
  const auto brain1 = load_brain1();
  if (!brain1) return;
  const Volume& image = brain1->image;
  const Volume& mask = brain1->mask;
  const Params p = parse_params("imageType:\n  Wavelet: {}\nfeatureClass:\n  firstorder:\n");
  const auto f = by_name(extract_with_params(image, mask, 1, p));
  const auto a = compare_first_order(f, read_csv_rows(kRef / "wavelet_brain1.csv"));
  CHECK(a.checked == 8 * 15);
  WARN("brain1 wavelet first-order: " << a.checked << " values, worst relative difference " << a.worst);
}

TEST_CASE("LoG, PyRadiomics mode: every voxel equals ITK's LaplacianRecursiveGaussianImageFilter (7x6x5, anisotropic)",
          "[radiomics][filters][log]") {
  const auto img = synthetic({7, 6, 5}, {1.0, 0.8, 1.5});
  std::map<double, gliolens::Volume> out;
  const auto a = compare_voxels(read_csv_rows(kRef / "log_itk_tiny.csv"), 4, [&](const auto& r) {
    const double sigma = std::stod(r[0]);
    if (!out.count(sigma)) out[sigma] = laplacian_of_gaussian_recursive(img, sigma);
    return out[sigma].at(std::stoll(r[1]), std::stoll(r[2]), std::stoll(r[3]));
  });
  INFO("worst relative difference " << a.worst);
  CHECK(a.checked == 3 * 210);
  CHECK(a.bad == 0);
}

TEST_CASE("LoG, IBSI mode: every voxel of the sampled-kernel LoG equals scipy.ndimage with the same kernels",
          "[radiomics][filters][log]") {
  const auto img = synthetic({7, 6, 5}, {1.0, 0.8, 1.5});
  std::map<double, gliolens::Volume> out;
  double plain = 0;
  const auto a = compare_voxels(read_csv_rows(kRef / "log_sampled_tiny.csv"), 4, [&](const auto& r) {
    const double sigma = std::stod(r[0]);
    if (!out.count(sigma)) out[sigma] = laplacian_of_gaussian(img, sigma);
    const double ours = out[sigma].at(std::stoll(r[1]), std::stoll(r[2]), std::stoll(r[3]));
    if (sigma >= 1.0) plain = std::max(plain, std::abs(ours - std::stod(r[5])));
    return ours;
  });
  INFO("worst relative difference " << a.worst);
  CHECK(a.checked == 3 * 210);
  CHECK(a.bad == 0);
  // scipy's own (unnormalised) sampled derivative differs from our zero-sum, second-moment-2 kernel: recorded, and
  // bounded so that a change of either kernel is noticed (values here are up to ~7).
  CHECK(plain < 0.3);
}

TEST_CASE("LoG, PyRadiomics mode: brain1 first-order features equal ITK's recursive LoG (sigma 0.5, 1, 3, 5 mm)",
          "[radiomics][filters][log][pyradiomics]") {
  const auto brain1 = load_brain1();
  if (!brain1) return;
  const Volume& image = brain1->image;
  const Volume& mask = brain1->mask;
  // sigma 0.5 mm is smaller than the voxels (0.78 x 0.78 x 6.5 mm): PyRadiomics computes it all the same.
  const Params p = parse_params("imageType:\n  LoG: {sigma: [0.5, 1.0, 3.0, 5.0]}\nfeatureClass:\n  firstorder:\n");
  const auto f = by_name(extract_with_params(image, mask, 1, p));
  const auto a = compare_first_order(f, read_csv_rows(kRef / "log_itk_brain1.csv"));
  CHECK(a.checked == 4 * 15);
  WARN("brain1 LoG first-order vs ITK: " << a.checked << " values, worst relative difference " << a.worst);
}

TEST_CASE("wavelet: a single slice (z axis of length 1) equals PyWavelets", "[radiomics][filters][wavelet]") {
  const auto img = synthetic({6, 5, 1});
  std::map<std::string, gliolens::Volume> vol;
  for (auto& [name, v] : wavelet_coif1(img)) vol[name] = std::move(v);
  const auto a = compare_voxels(read_csv_rows(kRef / "wavelet_slice.csv"), 4,
                                [&](const auto& r) { return vol.at(r[0]).at(std::stoll(r[1]), std::stoll(r[2]), 0); });
  CHECK(a.checked == 240);
  CHECK(a.bad == 0);
}

TEST_CASE("filters on bad input: tiny ROIs, ROIs at the border, sigma small or large, small images",
          "[radiomics][filters]") {
  SECTION("a one-voxel ROI in a corner: the filtered value there, as PyWavelets gives it") {
    const auto img = synthetic({9, 8, 7});
    auto mask = make_volume({9, 8, 7}, {1, 1, 1});
    mask.voxels[mask.grid.index(8, 0, 6)] = 1;
    const auto f = by_name(extract_with_params(
        img, mask, 1, parse_params("imageType:\n  Wavelet: {}\nfeatureClass:\n  firstorder: [Mean]\n")));
    int checked = 0;
    for (const auto& r : read_csv_rows(kRef / "wavelet_border.csv"))
      if (r[0] == "single") {
        INFO(r[1]);
        REQUIRE(f.count("wavelet-" + r[1] + "_firstorder_Mean"));
        CHECK(close(f.at("wavelet-" + r[1] + "_firstorder_Mean"), std::stod(r[3]), 1.0));
        ++checked;
      }
    CHECK(checked == 8);
  }
  SECTION("LoG of a ROI at the border equals the whole-image filter there (both modes)") {
    const auto img = synthetic({12, 10, 9}, {1.0, 0.8, 1.5});
    auto mask = make_volume({12, 10, 9}, {1.0, 0.8, 1.5});
    double sum_rec = 0, sum_samp = 0;
    const auto whole_rec = laplacian_of_gaussian_recursive(img, 1.5);
    const auto whole_samp = laplacian_of_gaussian(img, 1.5);
    int n = 0;
    for (std::int64_t k = 6; k < 9; ++k)
      for (std::int64_t j = 0; j < 3; ++j)
        for (std::int64_t i = 9; i < 12; ++i) {
          mask.voxels[mask.grid.index(i, j, k)] = 1;
          sum_rec += whole_rec.at(i, j, k);
          sum_samp += whole_samp.at(i, j, k);
          ++n;
        }
    const auto py = by_name(extract_with_params(
        img, mask, 1, parse_params("imageType:\n  LoG: {sigma: [1.5]}\nfeatureClass:\n  firstorder: [Mean]\n")));
    REQUIRE(py.count("log-sigma-1-5-mm-3D_firstorder_Mean"));
    CHECK(py.at("log-sigma-1-5-mm-3D_firstorder_Mean") == Approx(sum_rec / n).epsilon(1e-6));
    // IBSI mode: the sampled kernel on the box around the ROI; at the image border its edge extension is the image's.
    bool found = false;
    for (const auto& f : extract_with_params(
             img, mask, 1,
             parse_params("imageType:\n  LoG: {sigma: [1.5]}\nfeatureClass:\n  intensity_statistics: [Mean]\n",
                          Mode::ibsi)))
      if (f.value && f.name == "log-sigma-1-5-mm-3D_intensity_statistics_Mean") {
        CHECK(*f.value == Approx(sum_samp / n).epsilon(1e-6));
        found = true;
      }
    CHECK(found);
  }
  SECTION("sigma smaller than the voxel: computed (PyRadiomics computes it); sigma <= 0: a parse error") {
    const auto img = synthetic({8, 8, 8}, {2, 2, 2});
    const auto out = laplacian_of_gaussian_recursive(img, 0.3);
    for (const float v : out.voxels) CHECK(std::isfinite(v));
    CHECK_THROWS_AS(laplacian_of_gaussian_recursive(img, 0.0), gliolens::InvalidInputError);
    CHECK_THROWS_AS(parse_params("imageType:\n  LoG: {sigma: [0]}\n"), gliolens::InvalidInputError);
    CHECK_THROWS_AS(parse_params("imageType:\n  LoG: {sigma: [-1.0]}\n"), gliolens::InvalidInputError);
  }
  SECTION("sigma too large for the image or an image under 4 voxels along an axis: LoG skipped, as PyRadiomics") {
    auto img = synthetic({10, 10, 6}, {1, 1, 1});
    auto mask = make_volume({10, 10, 6}, {1, 1, 1});
    for (std::int64_t k = 2; k < 4; ++k)
      for (std::int64_t j = 3; j < 6; ++j)
        for (std::int64_t i = 3; i < 6; ++i) mask.voxels[mask.grid.index(i, j, k)] = 1;
    // PyRadiomics keeps sigma when size >= ceil(sigma / spacing) + 1 along every axis: 5 mm fits 6 voxels, 5.5 not.
    const auto f = by_name(extract_with_params(
        img, mask, 1, parse_params("imageType:\n  LoG: {sigma: [5.0, 5.5]}\nfeatureClass:\n  firstorder: [Mean]\n")));
    CHECK(f.count("log-sigma-5-0-mm-3D_firstorder_Mean"));
    CHECK_FALSE(f.count("log-sigma-5-5-mm-3D_firstorder_Mean"));
    const auto thin = synthetic({10, 10, 3});
    auto thin_mask = make_volume({10, 10, 3}, {1, 1, 1});
    thin_mask.voxels[thin_mask.grid.index(4, 4, 1)] = 1;
    thin_mask.voxels[thin_mask.grid.index(5, 4, 1)] = 1;
    const auto g = by_name(extract_with_params(
        thin, thin_mask, 1,
        parse_params("imageType:\n  LoG: {sigma: [1.0]}\n  Wavelet: {}\nfeatureClass:\n  firstorder: [Mean]\n")));
    CHECK_FALSE(g.count("log-sigma-1-0-mm-3D_firstorder_Mean"));
    CHECK(g.count("wavelet-LLH_firstorder_Mean"));  // the wavelet has no minimum size
    CHECK_THROWS_AS(laplacian_of_gaussian_recursive(thin, 1.0), gliolens::InvalidInputError);
  }
  SECTION("an empty ROI: filtered features without values, with the reason") {
    const auto img = synthetic({9, 8, 7});
    const auto mask = make_volume({9, 8, 7}, {1, 1, 1});
    const auto fs = extract_with_params(
        img, mask, 1, parse_params("imageType:\n  LoG: {sigma: [1.0]}\n  Wavelet: {}\nfeatureClass:\n  firstorder: [Mean]\n"));
    CHECK(fs.size() == 9);
    for (const auto& f : fs) {
      CHECK_FALSE(f.value.has_value());
      CHECK_THAT(f.reason, Catch::Contains("empty ROI"));
    }
  }
}

TEST_CASE("filters with resampling: computed on PyRadiomics' cropped resampled image, as PyRadiomics",
          "[radiomics][filters][pyradiomics]") {
  const auto brain1 = load_brain1();
  if (!brain1) return;
  const Volume& image = brain1->image;
  const Volume& mask = brain1->mask;
  // PyRadiomics resamples to the bounding box plus padDistance (5) voxels and filters that cropped image whole:
  // the wavelet wraps around its ends, the recursive LoG extends its edge values.
  const auto [img, msk] = pyradiomics_resample(image, mask, 1, {2, 2, 2}, Interpolation::bspline, 5.0, false);
  const auto f = by_name(extract_with_params(
      image, mask, 1,
      parse_params("setting:\n  resampledPixelSpacing: [2, 2, 2]\nimageType:\n  LoG: {sigma: [3.0]}\n  Wavelet: {}\n"
                   "featureClass:\n  firstorder: [Mean]\n")));
  const auto mean_in_mask = [&](const gliolens::Volume& v) {
    double s = 0, n = 0;
    for (std::size_t i = 0; i < v.voxels.size(); ++i)
      if (msk.voxels[i] > 0.5f) { s += v.voxels[i]; n += 1; }
    return s / n;
  };
  REQUIRE(f.count("log-sigma-3-0-mm-3D_firstorder_Mean"));
  CHECK(f.at("log-sigma-3-0-mm-3D_firstorder_Mean") ==
        Approx(mean_in_mask(laplacian_of_gaussian_recursive(img, 3.0))).epsilon(1e-9));
  int checked = 0;
  for (const auto& [name, band] : wavelet_coif1(img)) {
    INFO(name);
    REQUIRE(f.count("wavelet-" + name + "_firstorder_Mean"));
    CHECK(f.at("wavelet-" + name + "_firstorder_Mean") == Approx(mean_in_mask(band)).epsilon(1e-9).margin(1e-9));
    ++checked;
  }
  CHECK(checked == 8);
}

TEST_CASE("wavelet with force2D: x and y only, four sub-bands named as PyRadiomics, equal to PyWavelets",
          "[radiomics][filters][wavelet]") {
  const auto img = synthetic({5, 4, 3});
  std::map<std::string, gliolens::Volume> vol;
  std::vector<std::string> names;
  for (auto& [name, v] : wavelet_coif1(img, true)) {
    names.push_back(name);
    vol[name] = std::move(v);
  }
  CHECK(names == std::vector<std::string>{"LH", "HL", "HH", "LL"});
  const auto a = compare_voxels(read_csv_rows(kRef / "wavelet_tiny2d.csv"), 4, [&](const auto& r) {
    return vol.at(r[0]).at(std::stoll(r[1]), std::stoll(r[2]), std::stoll(r[3]));
  });
  CHECK(a.checked == 240);
  CHECK(a.bad == 0);
  // Through the pipeline: force2D names the image types wavelet-LH ... wavelet-LL.
  const auto big = synthetic({9, 8, 7});
  auto mask = make_volume({9, 8, 7}, {1, 1, 1});
  for (std::int64_t k = 2; k < 5; ++k)
    for (std::int64_t j = 2; j < 6; ++j)
      for (std::int64_t i = 2; i < 7; ++i) mask.voxels[mask.grid.index(i, j, k)] = 1;
  const auto f = by_name(extract_with_params(
      big, mask, 1,
      parse_params("setting:\n  force2D: true\nimageType:\n  Wavelet: {}\nfeatureClass:\n  firstorder: [Mean]\n")));
  CHECK(f.size() == 4);
  for (const std::string b : {"LH", "HL", "HH", "LL"}) CHECK(f.count("wavelet-" + b + "_firstorder_Mean"));
}

TEST_CASE("filtered images are exact wherever local intensity reads them (outside the ROI, IBSI mode)",
          "[radiomics][filters]") {
  const auto img = synthetic({26, 24, 20});
  auto mask = make_volume({26, 24, 20}, {1, 1, 1});
  for (std::int64_t k = 8; k < 11; ++k)
    for (std::int64_t j = 10; j < 13; ++j)
      for (std::int64_t i = 11; i < 15; ++i) mask.voxels[mask.grid.index(i, j, k)] = 1;
  const Params p = parse_params("imageType:\n  Wavelet: {}\n  LoG: {sigma: [1.0]}\nfeatureClass:\n  local_intensity:\n",
                                Mode::ibsi);
  const auto f = by_name(extract_with_params(img, mask, 1, p));
  // The same features on the whole-image filtered volumes.
  std::vector<std::pair<std::string, gliolens::Volume>> whole = wavelet_coif1(img);
  for (auto& [name, v] : whole) name = "wavelet-" + name;
  whole.emplace_back("log-sigma-1-0-mm-3D", laplacian_of_gaussian(img, 1.0));
  int checked = 0;
  for (const auto& [type, v] : whole) {
    Settings st = p.settings;
    st.families = {"local_intensity"};
    st.image_type = type;
    for (const auto& ref : extract_features(v, mask, 1, st)) {
      INFO(ref.name);
      REQUIRE(ref.value);
      REQUIRE(f.count(ref.name));
      CHECK(f.at(ref.name) == Approx(*ref.value).epsilon(1e-12).margin(1e-12));
      ++checked;
    }
  }
  CHECK(checked == 9 * 2);  // local and global intensity peak of 8 sub-bands and one LoG
}
