// Hand-computed radiomic features on tiny volumes, one case per family, and bad input.
#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/radiomics/radiomics.hpp"

#include <cmath>
#include <map>

namespace {
using namespace gliolens;
using radiomics::Feature;
using radiomics::Settings;

Volume make_volume(std::array<std::int64_t, 3> dims, std::vector<float> v, double spacing = 1.0) {
  Volume vol;
  vol.grid.dims = dims;
  vol.grid.affine = Eigen::Matrix4d::Identity();
  for (int d = 0; d < 3; ++d) vol.grid.affine(d, d) = spacing;
  vol.voxels = std::move(v);
  vol.name = "test";
  return vol;
}

Settings ibsi_raw() {
  Settings s = radiomics::ibsi_defaults();
  s.discretisation = radiomics::Discretisation::none;
  return s;
}

// value of the feature with this IBSI tag and aggregation
double get(const std::vector<Feature>& f, const std::string& tag, const std::string& agg = "") {
  for (const auto& x : f)
    if (x.ibsi_tag == tag && x.aggregation == agg) {
      INFO(x.name << ": " << x.reason);
      REQUIRE(x.value.has_value());
      return *x.value;
    }
  FAIL("no feature " << tag << " [" << agg << "]");
  return 0;
}

void no_nan(const std::vector<Feature>& features) {
  for (const auto& f : features) {
    INFO(f.name);
    if (f.value) CHECK(std::isfinite(*f.value));
    else CHECK_FALSE(f.reason.empty());
  }
}

}  // namespace

TEST_CASE("radiomics: intensity statistics of 1..4", "[radiomics]") {
  const auto img = make_volume({2, 2, 1}, {1, 2, 3, 4});
  const auto msk = make_volume({2, 2, 1}, {1, 1, 1, 1});
  const auto f = radiomics::extract_features(img, msk, 1, ibsi_raw());
  CHECK(get(f, "Q4LE") == Approx(2.5));
  CHECK(get(f, "ECT3") == Approx(1.25));
  CHECK(get(f, "KE2A") == Approx(0.0).margin(1e-12));
  CHECK(get(f, "Y12H") == Approx(2.5));
  CHECK(get(f, "QG58") == Approx(1.3));
  CHECK(get(f, "8DWT") == Approx(3.7));
  CHECK(get(f, "2OJQ") == Approx(3));
  CHECK(get(f, "4FUA") == Approx(1.0));
  CHECK(get(f, "N8CA") == Approx(30));
  CHECK(get(f, "5ZWQ") == Approx(std::sqrt(7.5)));
  CHECK(get(f, "TLU2") == Approx(2.0));   // 4 equiprobable levels
  CHECK(get(f, "BJ5W") == Approx(0.25));
  no_nan(f);
}

TEST_CASE("radiomics: GLCM, NGTDM and NGLDM of two voxels 1, 2", "[radiomics]") {
  const auto img = make_volume({2, 1, 1}, {1, 2});
  const auto msk = make_volume({2, 1, 1}, {1, 1});
  const auto f = radiomics::extract_features(img, msk, 1, ibsi_raw());
  // GLCM: p(1,2) = p(2,1) = 1/2 (only the x direction has pairs)
  CHECK(get(f, "ACUI", "3D, averaged") == Approx(1.0));
  CHECK(get(f, "TU9B", "3D, averaged") == Approx(1.0));
  CHECK(get(f, "8ZQL", "3D, merged") == Approx(0.5));
  CHECK(get(f, "NI2N", "3D, averaged") == Approx(-1.0));
  CHECK(get(f, "60VM", "2D, averaged") == Approx(1.5));
  // NGTDM: s_1 = s_2 = 1, p = (1/2, 1/2)
  CHECK(get(f, "QCDE", "3D") == Approx(1.0));
  CHECK(get(f, "65HE", "3D") == Approx(0.25));
  CHECK(get(f, "NQ30", "3D") == Approx(1.0));
  CHECK(get(f, "HDEZ", "3D") == Approx(1.0));
  CHECK(get(f, "1X9X", "3D") == Approx(1.0));
  // NGLDM: no equal neighbours, dependence 1 for both
  CHECK(get(f, "SODN", "3D") == Approx(1.0));
  CHECK(get(f, "FP8K", "3D") == Approx(1.0));
  CHECK(get(f, "Z87G", "3D") == Approx(2.0));
  no_nan(f);
}

TEST_CASE("radiomics: GLRLM runs of 1 1 2", "[radiomics]") {
  const auto img = make_volume({3, 1, 1}, {1, 1, 2});
  const auto msk = make_volume({3, 1, 1}, {1, 1, 1});
  const auto f = radiomics::extract_features(img, msk, 1, ibsi_raw());
  // x: runs (1, length 2), (2, length 1): SRE 0.625; y and diagonals: three runs of 1: SRE 1
  CHECK(get(f, "22OV", "2D, averaged") == Approx((0.625 + 3.0) / 4));
  // merged over the 4 in-plane directions: 11 runs, 12 voxel-directions
  CHECK(get(f, "9ZK5", "2D, slice-merged") == Approx(11.0 / 12.0));
}

TEST_CASE("radiomics: GLSZM and GLDZM zones", "[radiomics]") {
  // 3x3 slice: level 1 L-shape, level 2 diagonal-connected, level 3 bottom row
  const auto img = make_volume({3, 3, 1}, {1, 1, 2, 1, 2, 2, 3, 3, 3});
  const auto msk = make_volume({3, 3, 1}, std::vector<float>(9, 1));
  const auto f = radiomics::extract_features(img, msk, 1, ibsi_raw());
  CHECK(get(f, "5QRC", "2D") == Approx(1.0 / 9));   // three zones of 3 voxels
  CHECK(get(f, "P30P", "2D") == Approx(3.0 / 9));
  CHECK(get(f, "JNSA", "2D") == Approx(1.0));
  CHECK(get(f, "4JP3", "2D") == Approx(3.0));
  // GLDZM: every zone touches the edge (distance 1) except none reaches the centre alone
  CHECK(get(f, "0GBI", "2D") == Approx(1.0));
  const auto flat = make_volume({3, 3, 1}, std::vector<float>(9, 5));
  const auto g = radiomics::extract_features(flat, msk, 1, ibsi_raw());
  CHECK(get(g, "0GBI", "2D") == Approx(1.0));  // one zone, edge distance 1
  CHECK(get(g, "4JP3", "2D") == Approx(1.0));
  no_nan(g);
}

TEST_CASE("radiomics: morphology of one voxel and of a 3x3x3 cube", "[radiomics]") {
  const auto img = make_volume({1, 1, 1}, {7});
  const auto msk = make_volume({1, 1, 1}, {1});
  const auto f = radiomics::extract_features(img, msk, 1, ibsi_raw());
  CHECK(get(f, "RNU0") == Approx(1.0 / 6));          // octahedron with half-diagonals 1/2
  CHECK(get(f, "C0JK") == Approx(std::sqrt(3.0)));   // 8 triangles of side sqrt(2)/2
  CHECK(get(f, "YEKZ") == Approx(1.0));
  CHECK(get(f, "L0JK") == Approx(1.0));
  no_nan(f);
  std::vector<float> v(125, 0), m(125, 0);
  for (int k = 1; k < 4; ++k)
    for (int j = 1; j < 4; ++j)
      for (int i = 1; i < 4; ++i) {
        v[i + 5 * (j + 5 * k)] = 10;
        m[i + 5 * (j + 5 * k)] = 1;
      }
  const auto cube = radiomics::extract_features(make_volume({5, 5, 5}, v, 2.0), make_volume({5, 5, 5}, m, 2.0), 1, ibsi_raw());
  CHECK(get(cube, "YEKZ") == Approx(27 * 8.0));
  CHECK(get(cube, "Q3CK") == Approx(1.0));   // isotropic
  CHECK(get(cube, "N17B") == Approx(1.0));
  CHECK(get(cube, "KLMA") == Approx(0.0).margin(1e-9));
  no_nan(cube);
}

TEST_CASE("radiomics: bad input gives reasons, never NaN or a crash", "[radiomics]") {
  const auto img = make_volume({3, 3, 3}, std::vector<float>(27, 4));
  SECTION("empty ROI") {
    const auto msk = make_volume({3, 3, 3}, std::vector<float>(27, 0));
    for (const auto mode : {radiomics::Mode::ibsi, radiomics::Mode::pyradiomics}) {
      Settings s = mode == radiomics::Mode::ibsi ? ibsi_raw() : radiomics::pyradiomics_defaults();
      const auto f = radiomics::extract_features(img, msk, 1, s);
      REQUIRE_FALSE(f.empty());
      for (const auto& x : f) {
        CHECK_FALSE(x.value.has_value());
        CHECK(x.reason.find("empty ROI") != std::string::npos);
      }
    }
  }
  SECTION("one voxel, constant intensities") {
    std::vector<float> m(27, 0);
    m[13] = 1;
    for (const auto mode : {radiomics::Mode::ibsi, radiomics::Mode::pyradiomics}) {
      Settings s = mode == radiomics::Mode::ibsi ? ibsi_raw() : radiomics::pyradiomics_defaults();
      no_nan(radiomics::extract_features(img, make_volume({3, 3, 3}, m), 1, s));
      no_nan(radiomics::extract_features(img, make_volume({3, 3, 3}, std::vector<float>(27, 1)), 1, s));
    }
  }
  SECTION("ROI emptied by resegmentation") {
    Settings s = ibsi_raw();
    s.resegment_range = std::array<double, 2>{100, 200};
    const auto f = radiomics::extract_features(img, make_volume({3, 3, 3}, std::vector<float>(27, 1)), 1, s);
    for (const auto& x : f) CHECK_FALSE(x.value.has_value());
  }
  SECTION("mask on another grid") {
    CHECK_THROWS_AS(radiomics::extract_features(img, make_volume({3, 3, 2}, std::vector<float>(18, 1)), 1, ibsi_raw()),
                    InvalidInputError);
  }
  SECTION("NaN voxels are left out of the ROI") {
    std::vector<float> v(27, 4);
    v[0] = std::nanf("");
    v[1] = 8;
    no_nan(radiomics::extract_features(make_volume({3, 3, 3}, v), make_volume({3, 3, 3}, std::vector<float>(27, 1)), 1, ibsi_raw()));
  }
}

TEST_CASE("radiomics: PyRadiomics names and discretisation", "[radiomics]") {
  const auto img = make_volume({4, 1, 1}, {-30, 0, 24, 26});
  const auto msk = make_volume({4, 1, 1}, {1, 1, 1, 1});
  Settings s = radiomics::pyradiomics_defaults();  // bin width 25 from floor(min / 25) * 25 = -50
  const auto f = radiomics::extract_features(img, msk, 1, s);
  std::map<std::string, double> by;
  for (const auto& x : f)
    if (x.value) by[x.name] = *x.value;
  REQUIRE(by.count("original_firstorder_Uniformity"));
  // levels: -30 -> 1, 0 -> 3, 24 -> 3, 26 -> 4: p = (1/4, 1/2, 1/4)
  CHECK(by["original_firstorder_Uniformity"] == Approx(0.375));
  CHECK(by["original_firstorder_Entropy"] == Approx(1.5));
  CHECK(by.count("original_glcm_Contrast"));
  CHECK(by.count("original_gldm_DependenceEntropy"));
  CHECK(by.count("original_shape_MeshVolume"));
}

// A mask whose marching-cubes mesh is open (the complement rule leaves holes at ambiguous faces), so its signed
// volume depends on the origin. Expected values from a transcription of PyRadiomics' calculate_coefficients
// (cshape.c: (z, y, x) order, its own cell table, mask cropped to the bounding box and padded by one voxel).
TEST_CASE("radiomics: PyRadiomics mesh volume of an open mesh, from its padded bounding-box origin", "[radiomics]") {
  const std::vector<std::array<int, 3>> voxels{{0, 0, 1}, {0, 0, 2}, {0, 1, 2}, {0, 2, 0}, {0, 2, 1},
                                               {1, 1, 1}, {2, 1, 1}, {2, 1, 2}, {2, 2, 2}};
  std::vector<float> v(6 * 6 * 6, 0), m(6 * 6 * 6, 0);
  float level = 1;
  for (const auto& p : voxels) {  // placed at (1, 2, 1) in the image: the origin must not matter
    const int n = (p[0] + 1) + 6 * ((p[1] + 2) + 6 * (p[2] + 1));
    v[n] = level++;
    m[n] = 1;
  }
  const auto f = radiomics::extract_features(make_volume({6, 6, 6}, v, 2.0), make_volume({6, 6, 6}, m, 2.0), 1,
                                             radiomics::pyradiomics_defaults());
  std::map<std::string, double> by;
  for (const auto& x : f)
    if (x.value) by[x.name] = *x.value;
  CHECK(by["original_shape_MeshVolume"] == Approx(35.3333333333333).epsilon(1e-12));
  CHECK(by["original_shape_SurfaceArea"] == Approx(91.6031949497463).epsilon(1e-12));
  // IBSI mode keeps its own (image) origin and |V| (30 mm^3 here); the area does not depend on the origin.
  const auto g = radiomics::extract_features(make_volume({6, 6, 6}, v, 2.0), make_volume({6, 6, 6}, m, 2.0), 1, ibsi_raw());
  CHECK(get(g, "C0JK") == Approx(91.6031949497463).epsilon(1e-12));
}

TEST_CASE("radiomics: NGTDM with a voxel that has no neighbour in the region", "[radiomics]") {
  // Levels 1, 2 side by side and an isolated 3 (x = 3; x = 2 is outside the mask).
  const auto img = make_volume({5, 1, 1}, {1, 2, 0, 3, 0});
  const auto msk = make_volume({5, 1, 1}, {1, 1, 0, 1, 0});
  SECTION("PyRadiomics mode counts the isolated voxel in n_3 with s_3 = 0") {
    Settings s = radiomics::pyradiomics_defaults();
    s.bin_width = 1;
    s.families = {"ngtdm"};
    const auto f = radiomics::extract_features(img, msk, 1, s);
    // n = (1, 1, 1), N_vp = 3, p = (1/3, 1/3, 1/3), s = (|1 - 2|, |2 - 1|, 0) = (1, 1, 0), Ng_p = 3
    CHECK(get(f, "QCDE") == Approx(1.5));        // 1 / sum p_i s_i = 1 / (2/3)
    CHECK(get(f, "65HE") == Approx(4.0 / 27));   // [sum p_i p_j (i-j)^2 / (3 * 2)] [sum s_i / 3] = (2/9)(2/3)
    CHECK(get(f, "NQ30") == Approx(0.25));       // (2/3) / sum |i p_i - j p_j| = (2/3) / (8/3)
    CHECK(get(f, "HDEZ") == Approx(5.0 / 3));    // sum |i-j| (p_i s_i + p_j s_j) / (p_i + p_j) / 3 = 5 / 3
    CHECK(get(f, "1X9X") == Approx(4.0));        // sum (p_i + p_j)(i-j)^2 / sum s_i = 8 / 2
  }
  SECTION("IBSI mode leaves it out") {
    Settings s = ibsi_raw();
    s.families = {"ngtdm"};
    const auto f = radiomics::extract_features(img, msk, 1, s);
    // n = (1, 1, 0), N_vc = 2, p = (1/2, 1/2, 0), s = (1, 1, 0)
    CHECK(get(f, "QCDE", "3D") == Approx(1.0));  // 1 / sum p_i s_i
    CHECK(get(f, "1X9X", "3D") == Approx(1.0));  // sum (p_i + p_j)(i-j)^2 / sum s_i = 2 / 2
  }
}
