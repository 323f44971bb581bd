// core/common/fft: 3-D transforms against the DFT by definition, the round trip, and the zero-line shortcuts.
#include <catch2/catch.hpp>

#include "core/common/fft.hpp"

#include <cmath>
#include <numbers>
#include <random>

using gliolens::fft::Complex;
using gliolens::fft::Dims;

namespace {

std::vector<Complex> naive_dft(const std::vector<Complex>& x, const Dims& d, double sign) {
  std::vector<Complex> out(x.size());
  const double tau = 2 * std::numbers::pi;
  for (std::size_t f2 = 0; f2 < d[2]; ++f2)
    for (std::size_t f1 = 0; f1 < d[1]; ++f1)
      for (std::size_t f0 = 0; f0 < d[0]; ++f0) {
        Complex s = 0;
        for (std::size_t k = 0; k < d[2]; ++k)
          for (std::size_t j = 0; j < d[1]; ++j)
            for (std::size_t i = 0; i < d[0]; ++i) {
              const double ph = sign * tau *
                                (static_cast<double>(f0 * i) / d[0] + static_cast<double>(f1 * j) / d[1] +
                                 static_cast<double>(f2 * k) / d[2]);
              s += x[i + d[0] * (j + d[1] * k)] * Complex(std::cos(ph), std::sin(ph));
            }
        out[f0 + d[0] * (f1 + d[1] * f2)] = s;
      }
  return out;
}

double max_abs_diff(const std::vector<Complex>& a, const std::vector<Complex>& b) {
  double m = 0;
  for (std::size_t n = 0; n < a.size(); ++n) m = std::max(m, std::abs(a[n] - b[n]));
  return m;
}

}  // namespace

TEST_CASE("fft: good_size has prime factors 2, 3, 5 only", "[fft]") {
  CHECK(gliolens::fft::good_size(1) == 1);
  CHECK(gliolens::fft::good_size(7) == 8);
  CHECK(gliolens::fft::good_size(11) == 12);
  CHECK(gliolens::fft::good_size(97) == 100);
  CHECK(gliolens::fft::good_size(129) == 135);
}

TEST_CASE("fft: 3-D forward equals the DFT; inverse undoes it", "[fft]") {
  std::mt19937 rng(7);
  std::normal_distribution<double> g;
  for (const Dims d : {Dims{1, 1, 1}, Dims{4, 1, 1}, Dims{1, 6, 1}, Dims{5, 3, 7}, Dims{8, 9, 10}, Dims{20, 3, 2}}) {
    std::vector<Complex> x(d[0] * d[1] * d[2]);
    for (auto& v : x) v = Complex(g(rng), g(rng));
    auto y = x;
    gliolens::fft::forward_3d(y, d, d);
    const auto ref = naive_dft(x, d, -1);
    CHECK(max_abs_diff(y, ref) < 1e-11 * static_cast<double>(x.size()));
    gliolens::fft::inverse_3d(y, d, d);
    CHECK(max_abs_diff(y, x) < 1e-13 * static_cast<double>(x.size()));
  }
}

TEST_CASE("fft: known-zero lines and wanted outputs give the same values", "[fft]") {
  std::mt19937 rng(11);
  std::normal_distribution<double> g;
  const Dims d{12, 10, 9}, nz{5, 4, 3};
  std::vector<Complex> x(d[0] * d[1] * d[2], Complex(0, 0));
  for (std::size_t k = 0; k < nz[2]; ++k)
    for (std::size_t j = 0; j < nz[1]; ++j)
      for (std::size_t i = 0; i < nz[0]; ++i) x[i + d[0] * (j + d[1] * k)] = Complex(g(rng), g(rng));
  auto full = x, part = x;
  gliolens::fft::forward_3d(full, d, d);
  gliolens::fft::forward_3d(part, d, nz);
  CHECK(max_abs_diff(full, part) < 1e-12);
  gliolens::fft::inverse_3d(part, d, nz);
  for (std::size_t k = 0; k < nz[2]; ++k)
    for (std::size_t j = 0; j < nz[1]; ++j)
      for (std::size_t i = 0; i < nz[0]; ++i) {
        const std::size_t q = i + d[0] * (j + d[1] * k);
        CHECK(std::abs(part[q] - x[q]) < 1e-12);
      }
}
