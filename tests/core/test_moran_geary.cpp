// Moran's I / Geary's C pair sums: the FFT method equals the direct pair loop on random regions (anisotropic
// spacing included), and the automatic choice honours the memory bound.
#include <catch2/catch.hpp>

#include "core/radiomics/moran_geary.hpp"

#include <cmath>
#include <random>
#include <vector>

using gliolens::radiomics::AutocorrelationMethod;
using gliolens::radiomics::inverse_distance_sums;

namespace {

struct Region {
  std::array<int, 3> dims{};
  std::array<double, 3> spacing{};
  std::vector<std::uint8_t> mask;
  std::vector<double> values;
};

// A random blob-like region (density `fill` inside an ellipsoid) with a smooth trend plus noise.
Region random_region(std::mt19937& rng, std::array<int, 3> dims, std::array<double, 3> spacing, double fill) {
  Region r{dims, spacing, {}, {}};
  const std::size_t n = static_cast<std::size_t>(dims[0]) * dims[1] * dims[2];
  r.mask.assign(n, 0);
  r.values.assign(n, std::nan(""));  // outside the mask: never read
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> g;
  const double ax = u(rng) - 0.5, ay = u(rng) - 0.5, az = u(rng) - 0.5;
  for (int k = 0; k < dims[2]; ++k)
    for (int j = 0; j < dims[1]; ++j)
      for (int i = 0; i < dims[0]; ++i) {
        const double x = (i + 0.5) / dims[0] - 0.5, y = (j + 0.5) / dims[1] - 0.5, z = (k + 0.5) / dims[2] - 0.5;
        if (x * x + y * y + z * z > 0.25 || u(rng) > fill) continue;
        const std::size_t q = static_cast<std::size_t>(i) + dims[0] * (static_cast<std::size_t>(j) + static_cast<std::size_t>(dims[1]) * k);
        r.mask[q] = 1;
        r.values[q] = 100 + 40 * (ax * i + ay * j + az * k) + 15 * g(rng);
      }
  return r;
}

bool close(double a, double b, double rel) { return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b)); }

}  // namespace

TEST_CASE("Moran/Geary sums: FFT equals the direct pair loop on random regions", "[radiomics][moran]") {
  std::mt19937 rng(2026);
  std::uniform_int_distribution<int> side(2, 19);
  const std::vector<std::array<double, 3>> spacings{{1, 1, 1}, {0.7, 1.3, 2.5}, {0.488, 0.488, 5.0}, {3, 1, 1}};
  for (int trial = 0; trial < 24; ++trial) {
    const std::array<int, 3> dims{side(rng), side(rng), side(rng)};
    const auto& sp = spacings[trial % spacings.size()];
    const Region r = random_region(rng, dims, sp, trial % 3 == 0 ? 1.0 : 0.6);
    const auto d = inverse_distance_sums(r.dims, r.spacing, r.mask, r.values, AutocorrelationMethod::direct, 0);
    const auto f = inverse_distance_sums(r.dims, r.spacing, r.mask, r.values, AutocorrelationMethod::fft, 0);
    REQUIRE(d);
    REQUIRE(f);
    CHECK(d->method == "direct");
    CHECK(f->method == "fft");
    INFO("trial " << trial << " dims " << dims[0] << "x" << dims[1] << "x" << dims[2] << " voxels " << d->n);
    REQUIRE(d->n == f->n);
    if (d->n < 2) continue;
    CHECK(close(d->weights, f->weights, 1e-10));
    CHECK(close(d->moran, f->moran, 1e-10));
    CHECK(close(d->geary, f->geary, 1e-10));
    const double nv = static_cast<double>(d->n);
    const double i_d = nv / d->weights * d->moran / d->deviation, i_f = nv / f->weights * f->moran / f->deviation;
    const double c_d = (nv - 1) / (2 * d->weights) * d->geary / d->deviation;
    const double c_f = (nv - 1) / (2 * f->weights) * f->geary / f->deviation;
    CHECK(close(i_d, i_f, 1e-10));
    CHECK(close(c_d, c_f, 1e-10));
  }
}

TEST_CASE("Moran/Geary sums: two voxels by hand; automatic method and memory bound", "[radiomics][moran]") {
  // Two voxels 2 mm apart along z (indices 0 and 2, spacing 1 mm): w = 1/2 each way.
  const std::array<int, 3> dims{1, 1, 3};
  const std::vector<std::uint8_t> mask{1, 0, 1};
  const std::vector<double> values{1, 0, 5};
  for (const auto m : {AutocorrelationMethod::direct, AutocorrelationMethod::fft}) {
    const auto s = inverse_distance_sums(dims, {1, 1, 1}, mask, values, m, 1000);
    REQUIRE(s);
    CHECK(s->weights == Approx(1.0).epsilon(1e-14));         // 2 * 1/2
    CHECK(s->moran == Approx(2 * 0.5 * -2 * 2).epsilon(1e-14));  // y = -2, 2
    CHECK(s->geary == Approx(2 * 0.5 * 16).epsilon(1e-14));
    CHECK(s->deviation == Approx(8));
  }
  std::mt19937 rng(5);
  const Region r = random_region(rng, {30, 30, 30}, {1, 1, 1}, 1.0);
  // Large enough for the FFT to be the cheaper method; with the FFT grid over the bound, the pair loop.
  const auto a = inverse_distance_sums(r.dims, r.spacing, r.mask, r.values, AutocorrelationMethod::automatic, 1u << 23);
  const auto b = inverse_distance_sums(r.dims, r.spacing, r.mask, r.values, AutocorrelationMethod::automatic, 1000);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->method == "fft");
  CHECK(b->method == "direct");
  CHECK(close(a->moran, b->moran, 1e-10));
  CHECK(gliolens::radiomics::autocorrelation_fft_points({30, 30, 30}) == 60 * 60 * 60);
}

TEST_CASE("Moran/Geary sums: a kept kernel spectrum gives the same sums as a fresh one", "[radiomics][moran]") {
  std::mt19937 rng(7);
  const Region r = random_region(rng, {12, 9, 7}, {0.7, 1.3, 2.5}, 0.6);
  Region other = r;
  for (auto& v : other.values) v = 3 * v + 1;  // another modality, same mask and box
  gliolens::radiomics::KernelCache kernels;
  const auto fft = AutocorrelationMethod::fft;
  for (const Region* region : std::vector<const Region*>{&r, &other, &r}) {
    const auto fresh = inverse_distance_sums(region->dims, region->spacing, region->mask, region->values, fft, 1u << 20);
    const auto kept = inverse_distance_sums(region->dims, region->spacing, region->mask, region->values, fft, 1u << 20,
                                            nullptr, &kernels);
    REQUIRE(fresh);
    REQUIRE(kept);
    CHECK(kept->weights == fresh->weights);
    CHECK(kept->moran == fresh->moran);
    CHECK(kept->geary == fresh->geary);
  }
}
