// The morphology family keeps the geometry (mesh, hull, PCA) of recent masks: a region extracted in several
// modalities meshes once. A hit must give exactly what a fresh computation gives, a different mask must miss,
// and the intensity-dependent morphology features (Moran's I, integrated intensity) must follow the image.
#include <catch2/catch.hpp>

#include "core/radiomics/radiomics.hpp"

#include <map>
#include <random>

namespace {
using namespace gliolens;

Volume make_volume(std::array<std::int64_t, 3> dims, std::vector<float> v) {
  Volume vol;
  vol.grid.dims = dims;
  vol.grid.affine = Eigen::Matrix4d::Identity();
  vol.grid.affine(2, 2) = 2.5;  // anisotropic
  vol.voxels = std::move(v);
  vol.name = "test";
  return vol;
}

std::map<std::string, double> values(const std::vector<radiomics::Feature>& f) {
  std::map<std::string, double> m;
  for (const auto& x : f)
    if (x.value) m[x.name] = *x.value;
  return m;
}

}  // namespace

TEST_CASE("radiomics: shape geometry reused across images of one mask, recomputed for another", "[radiomics]") {
  const std::array<std::int64_t, 3> dims{14, 12, 9};
  const std::size_t n = 14 * 12 * 9;
  std::mt19937 rng(3);
  std::normal_distribution<double> g;
  std::vector<float> a(n), b(n), m1(n, 0.0f);
  for (std::size_t q = 0; q < n; ++q) {
    a[q] = static_cast<float>(100 + 20 * g(rng));
    b[q] = static_cast<float>(40 + 5 * g(rng));
  }
  for (std::int64_t k = 2; k < 7; ++k)
    for (std::int64_t j = 3; j < 10; ++j)
      for (std::int64_t i = 2; i < 12; ++i)
        if ((i - 7) * (i - 7) + (j - 6) * (j - 6) + 2 * (k - 4) * (k - 4) < 18) m1[i + 14 * (j + 12 * k)] = 1.0f;
  std::vector<float> m2 = m1;
  m2[7 + 14 * (6 + 12 * 4)] = 0.0f;  // one voxel less, same bounding box
  const Volume ia = make_volume(dims, a), ib = make_volume(dims, b);
  const Volume mask1 = make_volume(dims, m1), mask2 = make_volume(dims, m2);
  for (const auto mode : {radiomics::Mode::ibsi, radiomics::Mode::pyradiomics}) {
    radiomics::Settings s = mode == radiomics::Mode::ibsi ? radiomics::ibsi_defaults() : radiomics::pyradiomics_defaults();
    s.families = {"shape", "morphology"};
    radiomics::ExtractionCache cache;
    const auto fresh = values(radiomics::extract_features(ia, mask1, 1, s));           // no cache
    const auto first = values(radiomics::extract_features(ia, mask1, 1, s, &cache));   // computes
    const auto other = values(radiomics::extract_features(ia, mask2, 1, s, &cache));   // another mask: computed
    const auto again = values(radiomics::extract_features(ib, mask1, 1, s, &cache));   // same mask, other image
    const auto back = values(radiomics::extract_features(ia, mask1, 1, s, &cache));    // a hit
    CHECK(first == fresh);
    CHECK(back == first);
    CHECK(again == values(radiomics::extract_features(ib, mask1, 1, s)));
    REQUIRE(first.size() == again.size());
    for (const auto& [name, v] : first) {
      INFO(name);
      const bool intensity = name.find("MoransI") != std::string::npos || name.find("GearysC") != std::string::npos ||
                             name.find("IntegratedIntensity") != std::string::npos ||
                             name.find("CentreOfMassShift") != std::string::npos;
      if (intensity) CHECK(again.at(name) != v);
      else CHECK(again.at(name) == v);
    }
    const std::string vv = mode == radiomics::Mode::ibsi ? "original_morphology_VoxelVolume" : "original_shape_VoxelVolume";
    CHECK(first.at(vv) - other.at(vv) == Approx(2.5));
  }
}
