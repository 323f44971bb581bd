// The image filters of the extraction pipeline (filters.hpp): wavelet, sampled and recursive LoG.
#include "core/radiomics/filters.hpp"

#include "core/errors.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace gliolens::radiomics {
namespace {

// ---------------------------------------------------------------------------------------------------
// Stationary wavelet transform along one axis (pywt swt, level 1, periodic): out[o] = sum_q f[q] x[(o+3-q) mod n].
// coif1 in closed form (Daubechies): sqrt(2)/32 * {sqrt7-3, 1-sqrt7, 14-2sqrt7, 14+2sqrt7, 5+sqrt7, 1-sqrt7};
// PyWavelets 1.1 stores these values (checked against it: tests/reference/filters).
constexpr std::array<double, 6> kCoif1Lo{-0.015655728135791993, -0.07273261951252645, 0.3848648468648578,
                                         0.8525720202116004,    0.3378976624574818,   -0.07273261951252645};
constexpr std::array<double, 6> kCoif1Hi{0.07273261951252645,  0.3378976624574818, -0.8525720202116004,
                                         0.3848648468648578, 0.07273261951252645, -0.015655728135791993};

struct Block {
  std::array<std::int64_t, 3> dims{};
  std::vector<double> v;
  std::size_t idx(std::int64_t i, std::int64_t j, std::int64_t k) const {
    return static_cast<std::size_t>(i + dims[0] * (j + dims[1] * k));
  }
};

// Filters `in` along `axis`. `periodic`: the line is the whole (wrap-padded) image axis; otherwise the block holds
// the 2 voxels before and the 3 after the outputs that are used, and its ends are clamped (those values are unused).
Block filter_axis(const Block& in, int axis, const std::array<double, 6>& f, bool periodic) {
  Block out;
  out.dims = in.dims;
  out.v.resize(in.v.size());
  const std::int64_t n = in.dims[axis];
  const std::int64_t stride = axis == 0 ? 1 : axis == 1 ? in.dims[0] : in.dims[0] * in.dims[1];
  std::vector<double> line(static_cast<std::size_t>(n));
  for (std::int64_t k = 0; k < (axis == 2 ? 1 : in.dims[2]); ++k)
    for (std::int64_t j = 0; j < (axis == 1 ? 1 : in.dims[1]); ++j)
      for (std::int64_t i = 0; i < (axis == 0 ? 1 : in.dims[0]); ++i) {
        const std::int64_t base = i + in.dims[0] * (j + in.dims[1] * k);
        for (std::int64_t t = 0; t < n; ++t) line[t] = in.v[base + t * stride];
        for (std::int64_t o = 0; o < n; ++o) {
          double s = 0;
          for (int q = 0; q < 6; ++q) {
            std::int64_t src = o + 3 - q;
            if (periodic) src = ((src % n) + n) % n;
            else src = std::clamp<std::int64_t>(src, 0, n - 1);
            s += f[q] * line[src];
          }
          out.v[base + o * stride] = s;
        }
      }
  return out;
}

// Writes `block` (covering `box`) into a copy of `like`, zero elsewhere.
Volume place(const Volume& like, const FilterBox& box, const Block& block, std::array<std::int64_t, 3> block_origin) {
  Volume out;
  out.grid = like.grid;
  out.name = like.name;
  out.source_datatype = "FLOAT64";
  out.voxels.assign(like.voxels.size(), 0.0f);
  for (std::int64_t k = box.lo[2]; k <= box.hi[2]; ++k)
    for (std::int64_t j = box.lo[1]; j <= box.hi[1]; ++j)
      for (std::int64_t i = box.lo[0]; i <= box.hi[0]; ++i)
        out.voxels[like.grid.index(i, j, k)] = static_cast<float>(
            block.v[block.idx(i - block_origin[0], j - block_origin[1], k - block_origin[2])]);
  return out;
}

// Sampled 1-D kernels in mm: Gaussian (sum 1) and its second derivative (sum 0, second moment 2).
void log_kernels(double sigma, double h, std::vector<double>& g, std::vector<double>& g2) {
  const int r = std::max(1, static_cast<int>(std::ceil(4.0 * sigma / h)));
  g.assign(2 * r + 1, 0.0);
  g2.assign(2 * r + 1, 0.0);
  double sg = 0;
  for (int n = -r; n <= r; ++n) {
    const double x = n * h;
    const double e = std::exp(-x * x / (2 * sigma * sigma));
    g[n + r] = e;
    g2[n + r] = e * (x * x / (sigma * sigma * sigma * sigma) - 1.0 / (sigma * sigma));
    sg += e;
  }
  for (auto& v : g) v /= sg;
  double mean = 0;
  for (auto& v : g2) mean += v;
  mean /= static_cast<double>(g2.size());
  double m2 = 0;
  for (int n = -r; n <= r; ++n) {
    g2[n + r] -= mean;
    m2 += g2[n + r] * (n * h) * (n * h);
  }
  if (m2 != 0)
    for (auto& v : g2) v *= 2.0 / m2;
}

Block convolve_axis(const Block& in, int axis, const std::vector<double>& k) {
  Block out;
  out.dims = in.dims;
  out.v.resize(in.v.size());
  const int r = static_cast<int>(k.size() / 2);
  const std::int64_t n = in.dims[axis];
  const std::int64_t stride = axis == 0 ? 1 : axis == 1 ? in.dims[0] : in.dims[0] * in.dims[1];
  std::vector<double> line(static_cast<std::size_t>(n));
  for (std::int64_t kk = 0; kk < (axis == 2 ? 1 : in.dims[2]); ++kk)
    for (std::int64_t j = 0; j < (axis == 1 ? 1 : in.dims[1]); ++j)
      for (std::int64_t i = 0; i < (axis == 0 ? 1 : in.dims[0]); ++i) {
        const std::int64_t base = i + in.dims[0] * (j + in.dims[1] * kk);
        for (std::int64_t t = 0; t < n; ++t) line[t] = in.v[base + t * stride];
        for (std::int64_t o = 0; o < n; ++o) {
          double s = 0;
          for (int q = -r; q <= r; ++q) s += k[q + r] * line[std::clamp<std::int64_t>(o + q, 0, n - 1)];
          out.v[base + o * stride] = s;
        }
      }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// PyRadiomics' LoG: SimpleITK's LaplacianRecursiveGaussianImageFilter with NormalizeAcrossScale, i.e. ITK's
// RecursiveGaussianImageFilter (Deriche's 4th-order recursive approximation of the Gaussian and its second
// derivative, with ITK's normalisation of the coefficients and its edge-value boundary conditions). Written from
// the algorithm as ITK 5 describes it; the arithmetic follows ITK's order of operations (lines in double, images
// between the passes in float), so the result equals ITK's to float rounding (tests/reference/filters).
struct RecursiveCoefficients {
  double n0 = 0, n1 = 0, n2 = 0, n3 = 0;  // causal numerator
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0;  // anti-causal numerator
  double d1 = 0, d2 = 0, d3 = 0, d4 = 0;  // denominator (both directions)
  double bn1 = 0, bn2 = 0, bn3 = 0, bn4 = 0, bm1 = 0, bm2 = 0, bm3 = 0, bm4 = 0;  // edge-value extension
};

// order 0: Gaussian; order 2: second derivative, scaled by sigma^2 (sigma in mm) when normalising across scale.
RecursiveCoefficients recursive_gaussian(double sigma_mm, double spacing, int order) {
  RecursiveCoefficients c;
  const double sd = sigma_mm / spacing;  // sigma in voxels
  // Deriche's fit: two damped cosines, a0/b0 for the Gaussian, a2/b2 for its second derivative.
  const double w1 = 0.6681, l1 = -1.3932, w2 = 2.0787, l2 = -1.3732;
  const double cos1 = std::cos(w1 / sd), cos2 = std::cos(w2 / sd);
  const double sin1 = std::sin(w1 / sd), sin2 = std::sin(w2 / sd);
  const double e1 = std::exp(l1 / sd), e2 = std::exp(l2 / sd);
  c.d4 = e1 * e1 * e2 * e2;
  c.d3 = -2 * cos1 * e1 * e2 * e2;
  c.d3 += -2 * cos2 * e2 * e1 * e1;
  c.d2 = 4 * cos2 * cos1 * e1 * e2;
  c.d2 += e1 * e1 + e2 * e2;
  c.d1 = -2 * (e2 * cos2 + e1 * cos1);
  const double SD = 1.0 + c.d1 + c.d2 + c.d3 + c.d4;
  const double DD = c.d1 + 2 * c.d2 + 3 * c.d3 + 4 * c.d4;
  const double ED = c.d1 + 4 * c.d2 + 9 * c.d3 + 16 * c.d4;
  struct N { double n0, n1, n2, n3, s, d, e; };
  const auto numerator = [&](double a1, double b1, double a2, double b2) {
    N n{};
    n.n0 = a1 + a2;
    n.n1 = e2 * (b2 * sin2 - (a2 + 2 * a1) * cos2);
    n.n1 += e1 * (b1 * sin1 - (a1 + 2 * a2) * cos1);
    n.n2 = (a1 + a2) * cos2 * cos1;
    n.n2 -= b1 * cos2 * sin1 + b2 * cos1 * sin2;
    n.n2 *= 2 * e1 * e2;
    n.n2 += a2 * e1 * e1 + a1 * e2 * e2;
    n.n3 = e2 * e1 * e1 * (b2 * sin2 - a2 * cos2);
    n.n3 += e1 * e2 * e2 * (b1 * sin1 - a1 * cos1);
    n.s = n.n0 + n.n1 + n.n2 + n.n3;
    n.d = n.n1 + 2 * n.n2 + 3 * n.n3;
    n.e = n.n1 + 4 * n.n2 + 9 * n.n3;
    return n;
  };
  const N g0 = numerator(1.3530, 1.8151, -0.3531, 0.0902);
  if (order == 0) {
    const double alpha0 = 2 * g0.s / SD - g0.n0;  // unit DC gain
    c.n0 = g0.n0 * (1.0 / alpha0);
    c.n1 = g0.n1 * (1.0 / alpha0);
    c.n2 = g0.n2 * (1.0 / alpha0);
    c.n3 = g0.n3 * (1.0 / alpha0);
  } else {
    const N g2 = numerator(-1.3563, 5.2318, 0.3446, -2.2355);
    // Add as much of the Gaussian as makes the response to a constant zero, then scale to a unit response to x^2/2.
    const double beta = -(2 * g2.s - SD * g2.n0) / (2 * g0.s - SD * g0.n0);
    c.n0 = g2.n0 + beta * g0.n0;
    c.n1 = g2.n1 + beta * g0.n1;
    c.n2 = g2.n2 + beta * g0.n2;
    c.n3 = g2.n3 + beta * g0.n3;
    const double SN = g2.s + beta * g0.s, DN = g2.d + beta * g0.d, EN = g2.e + beta * g0.e;
    double alpha2 = EN * SD * SD - ED * SN * SD - 2 * DN * DD * SD + 2 * DD * DD * SN;
    alpha2 /= SD * SD * SD;
    const double scale = sigma_mm * sigma_mm;  // normalised across scale (sigma in physical units, as ITK)
    c.n0 *= scale / alpha2;
    c.n1 *= scale / alpha2;
    c.n2 *= scale / alpha2;
    c.n3 *= scale / alpha2;
  }
  // Both orders are symmetric kernels.
  c.m1 = c.n1 - c.d1 * c.n0;
  c.m2 = c.n2 - c.d2 * c.n0;
  c.m3 = c.n3 - c.d3 * c.n0;
  c.m4 = -c.d4 * c.n0;
  const double SN = c.n0 + c.n1 + c.n2 + c.n3;
  const double SM = c.m1 + c.m2 + c.m3 + c.m4;
  const double SD2 = 1.0 + c.d1 + c.d2 + c.d3 + c.d4;
  c.bn1 = c.d1 * SN / SD2;
  c.bn2 = c.d2 * SN / SD2;
  c.bn3 = c.d3 * SN / SD2;
  c.bn4 = c.d4 * SN / SD2;
  c.bm1 = c.d1 * SM / SD2;
  c.bm2 = c.d2 * SM / SD2;
  c.bm3 = c.d3 * SM / SD2;
  c.bm4 = c.d4 * SM / SD2;
  return c;
}

// One line (n >= 4): causal plus anti-causal pass; beyond each end the edge value is taken to extend forever.
void recursive_line(const RecursiveCoefficients& c, const double* x, double* y, double* z, std::size_t n) {
  const double a = x[0];
  y[0] = a * c.n0 + a * c.n1 + a * c.n2 + a * c.n3;
  y[1] = x[1] * c.n0 + a * c.n1 + a * c.n2 + a * c.n3;
  y[2] = x[2] * c.n0 + x[1] * c.n1 + a * c.n2 + a * c.n3;
  y[3] = x[3] * c.n0 + x[2] * c.n1 + x[1] * c.n2 + a * c.n3;
  y[0] -= a * c.bn1 + a * c.bn2 + a * c.bn3 + a * c.bn4;
  y[1] -= y[0] * c.d1 + a * c.bn2 + a * c.bn3 + a * c.bn4;
  y[2] -= y[1] * c.d1 + y[0] * c.d2 + a * c.bn3 + a * c.bn4;
  y[3] -= y[2] * c.d1 + y[1] * c.d2 + y[0] * c.d3 + a * c.bn4;
  for (std::size_t i = 4; i < n; ++i) {
    y[i] = x[i] * c.n0 + x[i - 1] * c.n1 + x[i - 2] * c.n2 + x[i - 3] * c.n3;
    y[i] -= y[i - 1] * c.d1 + y[i - 2] * c.d2 + y[i - 3] * c.d3 + y[i - 4] * c.d4;
  }
  const double b = x[n - 1];
  z[n - 1] = b * c.m1 + b * c.m2 + b * c.m3 + b * c.m4;
  z[n - 2] = x[n - 1] * c.m1 + b * c.m2 + b * c.m3 + b * c.m4;
  z[n - 3] = x[n - 2] * c.m1 + x[n - 1] * c.m2 + b * c.m3 + b * c.m4;
  z[n - 4] = x[n - 3] * c.m1 + x[n - 2] * c.m2 + x[n - 1] * c.m3 + b * c.m4;
  z[n - 1] -= b * c.bm1 + b * c.bm2 + b * c.bm3 + b * c.bm4;
  z[n - 2] -= z[n - 1] * c.d1 + b * c.bm2 + b * c.bm3 + b * c.bm4;
  z[n - 3] -= z[n - 2] * c.d1 + z[n - 1] * c.d2 + b * c.bm3 + b * c.bm4;
  z[n - 4] -= z[n - 3] * c.d1 + z[n - 2] * c.d2 + z[n - 1] * c.d3 + b * c.bm4;
  for (std::size_t i = n - 4; i > 0; --i) {
    z[i - 1] = x[i] * c.m1 + x[i + 1] * c.m2 + x[i + 2] * c.m3 + x[i + 3] * c.m4;
    z[i - 1] -= z[i] * c.d1 + z[i + 1] * c.d2 + z[i + 2] * c.d3 + z[i + 3] * c.d4;
  }
  for (std::size_t i = 0; i < n; ++i) y[i] += z[i];
}

// A float image block: `dims` voxels from image index `origin` on (float, as ITK's images between the passes).
struct FloatBlock {
  std::array<std::int64_t, 3> dims{}, origin{};
  std::vector<float> v;
};

// Filters every line of `in` (dims `in_dims`) along `axis`, whole, and keeps the outputs at [lo, hi] along it.
FloatBlock recursive_pass(const float* in, const std::array<std::int64_t, 3>& in_dims,
                          const std::array<std::int64_t, 3>& in_origin, int axis, const RecursiveCoefficients& c,
                          std::int64_t lo, std::int64_t hi) {
  FloatBlock out;
  out.dims = in_dims;
  out.origin = in_origin;
  out.dims[axis] = hi - lo + 1;
  out.origin[axis] = lo;
  out.v.resize(static_cast<std::size_t>(out.dims[0] * out.dims[1] * out.dims[2]));
  const std::int64_t n = in_dims[axis];
  const std::int64_t in_stride = axis == 0 ? 1 : axis == 1 ? in_dims[0] : in_dims[0] * in_dims[1];
  const std::int64_t out_stride = axis == 0 ? 1 : axis == 1 ? out.dims[0] : out.dims[0] * out.dims[1];
  std::vector<double> x(static_cast<std::size_t>(n)), y(x.size()), z(x.size());
  const int a1 = axis == 0 ? 1 : 0, a2 = axis == 2 ? 1 : 2;  // the other two axes
  std::array<std::int64_t, 3> p{};
  for (p[a2] = 0; p[a2] < in_dims[a2]; ++p[a2])
    for (p[a1] = 0; p[a1] < in_dims[a1]; ++p[a1]) {
      p[axis] = 0;
      const std::int64_t ib = p[0] + in_dims[0] * (p[1] + in_dims[1] * p[2]);
      const std::int64_t ob = p[0] + out.dims[0] * (p[1] + out.dims[1] * p[2]);
      for (std::int64_t t = 0; t < n; ++t) x[t] = in[ib + t * in_stride];
      recursive_line(c, x.data(), y.data(), z.data(), x.size());
      for (std::int64_t t = lo; t <= hi; ++t) out.v[static_cast<std::size_t>(ob + (t - lo) * out_stride)] = static_cast<float>(y[t]);
    }
  return out;
}

}  // namespace

FilterBox mask_box(const Volume& mask01, std::array<std::int64_t, 3> margin) {
  const auto& g = mask01.grid;
  FilterBox b;
  b.lo = {g.dims[0], g.dims[1], g.dims[2]};
  b.hi = {-1, -1, -1};
  for (std::int64_t k = 0; k < g.dims[2]; ++k)
    for (std::int64_t j = 0; j < g.dims[1]; ++j)
      for (std::int64_t i = 0; i < g.dims[0]; ++i)
        if (mask01.voxels[g.index(i, j, k)] > 0.5f) {
          b.lo = {std::min(b.lo[0], i), std::min(b.lo[1], j), std::min(b.lo[2], k)};
          b.hi = {std::max(b.hi[0], i), std::max(b.hi[1], j), std::max(b.hi[2], k)};
        }
  for (int d = 0; d < 3; ++d) {
    if (b.hi[d] < 0) { b.lo[d] = 0; b.hi[d] = g.dims[d] - 1; }
    b.lo[d] = std::max<std::int64_t>(0, b.lo[d] - margin[d]);
    b.hi[d] = std::min<std::int64_t>(g.dims[d] - 1, b.hi[d] + margin[d]);
  }
  return b;
}

// The eight sub-bands of PyRadiomics' wavelet (pywt.swtn, coif1, level 1, axes x, y, z) of the whole `image`, exact
// within `box` and zero outside it. PyRadiomics pads every odd axis by one voxel at its end, wrapping around
// (padded[n] = x[0]), transforms the padded image periodically and crops the padding again. Per axis we gather
// only the padded indices the box needs (2 before, 3 after it, modulo the padded length) or, when that is the
// whole padded axis, the whole axis transformed periodically: the values within the box are the same.
// `in_plane` (PyRadiomics' force2D, force2Ddimension 0): x and y only, four sub-bands named by two letters.
std::vector<std::pair<std::string, Volume>> wavelet_in_box(const Volume& image, const FilterBox& box, bool in_plane) {
  const int naxes = in_plane ? 2 : 3;
  const auto& g = image.grid;
  std::array<std::int64_t, 3> offset{};  // block coordinate c holds padded index (offset + c) mod padded length
  std::array<bool, 3> periodic{};
  std::array<std::vector<std::int64_t>, 3> source;  // block coordinate -> image index along the axis
  Block b;
  for (int d = 0; d < 3; ++d) {
    const std::int64_t n = g.dims[d];
    const std::int64_t padded = n + (n % 2);
    const std::int64_t len = box.hi[d] - box.lo[d] + 1;
    if (d >= naxes) {  // not transformed: the box as it is
      offset[d] = box.lo[d];
      b.dims[d] = len;
      source[d].resize(static_cast<std::size_t>(len));
      for (std::int64_t c = 0; c < len; ++c) source[d][static_cast<std::size_t>(c)] = box.lo[d] + c;
      continue;
    }
    periodic[d] = len + 5 >= padded;
    offset[d] = periodic[d] ? 0 : box.lo[d] - 2;
    b.dims[d] = periodic[d] ? padded : len + 5;
    source[d].resize(static_cast<std::size_t>(b.dims[d]));
    for (std::int64_t c = 0; c < b.dims[d]; ++c) {
      const std::int64_t p = (((offset[d] + c) % padded) + padded) % padded;
      source[d][static_cast<std::size_t>(c)] = p < n ? p : 0;  // the wrap padding repeats the first voxel
    }
  }
  b.v.resize(static_cast<std::size_t>(b.dims[0] * b.dims[1] * b.dims[2]));
  for (std::int64_t k = 0; k < b.dims[2]; ++k)
    for (std::int64_t j = 0; j < b.dims[1]; ++j)
      for (std::int64_t i = 0; i < b.dims[0]; ++i)
        b.v[b.idx(i, j, k)] = image.voxels[g.index(source[0][static_cast<std::size_t>(i)],
                                                   source[1][static_cast<std::size_t>(j)],
                                                   source[2][static_cast<std::size_t>(k)])];
  std::vector<std::pair<std::string, Volume>> out;
  // pywt.swtn with axes (x, y, z): the first letter is x's filter; keys aaa, aad, ada, ... as L/H.
  std::vector<std::pair<std::string, Block>> level{{"", std::move(b)}};
  for (int axis = 0; axis < naxes; ++axis) {
    std::vector<std::pair<std::string, Block>> next;
    for (const auto& [key, blk] : level) {
      next.emplace_back(key + "L", filter_axis(blk, axis, kCoif1Lo, periodic[axis]));
      next.emplace_back(key + "H", filter_axis(blk, axis, kCoif1Hi, periodic[axis]));
    }
    level = std::move(next);
  }
  for (std::size_t n = 1; n <= level.size(); ++n) {
    const auto& [key, blk] = level[n % level.size()];  // LLH ... HHH, then LLL (PyRadiomics' order); 2-D: LH, HL, HH, LL
    out.emplace_back(key, place(image, box, blk, offset));
  }
  return out;
}

Volume log_in_box(const Volume& image, double sigma, const FilterBox& box) {
  Block b;
  const std::array<std::int64_t, 3> origin = box.lo;
  for (int d = 0; d < 3; ++d) b.dims[d] = box.hi[d] - box.lo[d] + 1;
  b.v.resize(static_cast<std::size_t>(b.dims[0] * b.dims[1] * b.dims[2]));
  for (std::int64_t k = 0; k < b.dims[2]; ++k)
    for (std::int64_t j = 0; j < b.dims[1]; ++j)
      for (std::int64_t i = 0; i < b.dims[0]; ++i)
        b.v[b.idx(i, j, k)] = image.voxels[image.grid.index(origin[0] + i, origin[1] + j, origin[2] + k)];
  const auto sp = image.grid.spacing();
  std::array<std::vector<double>, 3> g, g2;
  for (int d = 0; d < 3; ++d) log_kernels(sigma, sp[d], g[d], g2[d]);
  Block sum;
  for (int d2 = 0; d2 < 3; ++d2) {
    Block t = b;
    for (int d = 0; d < 3; ++d) t = convolve_axis(t, d, d == d2 ? g2[d] : g[d]);
    if (sum.v.empty()) sum = std::move(t);
    else
      for (std::size_t n = 0; n < sum.v.size(); ++n) sum.v[n] += t.v[n];
  }
  for (auto& v : sum.v) v *= sigma * sigma;
  return place(image, box, sum, origin);
}

// sigma^2 * Laplacian (mm) of the whole image by ITK's recursive filters, exact within `box`, zero outside it. Each
// pass runs whole lines but keeps only what the next passes need: the box along the axes already filtered.
Volume log_recursive_in_box(const Volume& image, double sigma, const FilterBox& box) {
  const auto& g = image.grid;
  const auto dims = g.dims;
  for (int d = 0; d < 3; ++d)
    if (dims[d] < 4)
      throw InvalidInputError("LoG: the image '" + image.name + "' has fewer than 4 voxels along an axis");
  const auto sp = g.spacing();
  std::array<std::int64_t, 3> bdims{};
  for (int d = 0; d < 3; ++d) bdims[d] = box.hi[d] - box.lo[d] + 1;
  std::vector<float> sum(static_cast<std::size_t>(bdims[0] * bdims[1] * bdims[2]), 0.0f);
  for (int d = 0; d < 3; ++d) {
    // ITK: the second derivative along d first, then the Gaussian along the other axes in increasing order.
    const int o1 = d == 0 ? 1 : 0, o2 = d == 2 ? 1 : 2;
    const FloatBlock b1 = recursive_pass(image.voxels.data(), dims, {0, 0, 0}, d, recursive_gaussian(sigma, sp[d], 2),
                                         box.lo[d], box.hi[d]);
    const FloatBlock b2 = recursive_pass(b1.v.data(), b1.dims, b1.origin, o1, recursive_gaussian(sigma, sp[o1], 0),
                                         box.lo[o1], box.hi[o1]);
    const FloatBlock b3 = recursive_pass(b2.v.data(), b2.dims, b2.origin, o2, recursive_gaussian(sigma, sp[o2], 0),
                                         box.lo[o2], box.hi[o2]);
    const double inv = 1.0 / (sp[d] * sp[d]);
    for (std::size_t v = 0; v < sum.size(); ++v)
      sum[v] = static_cast<float>(static_cast<double>(sum[v]) + static_cast<double>(b3.v[v]) * inv);
  }
  Volume out;
  out.grid = g;
  out.name = image.name;
  out.source_datatype = "FLOAT32";
  out.voxels.assign(image.voxels.size(), 0.0f);
  for (std::int64_t k = 0; k < bdims[2]; ++k)
    for (std::int64_t j = 0; j < bdims[1]; ++j)
      for (std::int64_t i = 0; i < bdims[0]; ++i)
        out.voxels[g.index(box.lo[0] + i, box.lo[1] + j, box.lo[2] + k)] =
            sum[static_cast<std::size_t>(i + bdims[0] * (j + bdims[1] * k))];
  return out;
}

std::vector<std::pair<std::string, Volume>> wavelet_coif1(const Volume& image, bool in_plane) {
  Volume all = image;
  std::fill(all.voxels.begin(), all.voxels.end(), 1.0f);
  return wavelet_in_box(image, mask_box(all, {0, 0, 0}), in_plane);
}

Volume laplacian_of_gaussian(const Volume& image, double sigma_mm) {
  Volume all = image;
  std::fill(all.voxels.begin(), all.voxels.end(), 1.0f);
  return log_in_box(image, sigma_mm, mask_box(all, {0, 0, 0}));
}

Volume laplacian_of_gaussian_recursive(const Volume& image, double sigma_mm) {
  if (!(sigma_mm > 0)) throw InvalidInputError("LoG: sigma must be greater than 0");
  Volume all = image;
  std::fill(all.voxels.begin(), all.voxels.end(), 1.0f);
  return log_recursive_in_box(image, sigma_mm, mask_box(all, {0, 0, 0}));
}

}  // namespace gliolens::radiomics
