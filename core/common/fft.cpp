// 3-D DFTs as 1-D transforms along each axis. Lines along y and z are gathered a block of neighbouring x at a
// time (contiguous reads), transformed, and scattered back.
#include "core/common/fft.hpp"

#include <unsupported/Eigen/FFT>

#include <algorithm>

namespace gliolens::fft {
namespace {

constexpr std::size_t kBlock = 16;  // lines gathered at once along y and z

// Transforms the lines along `axis` that start at (i, j, k) with i < lim[0], j < lim[1], k < lim[2] (the limit
// of `axis` itself is ignored: a line is the whole axis).
void transform_axis(std::vector<Complex>& data, const Dims& dims, int axis, Dims lim, bool inverse,
                    Eigen::FFT<double>& engine) {
  const std::size_t n = dims[axis];
  if (n <= 1) return;
  lim[axis] = 1;
  const std::size_t stride = axis == 0 ? 1 : axis == 1 ? dims[0] : dims[0] * dims[1];
  std::vector<Complex> in(n * kBlock), out(n);
  auto run = [&](const Complex* src, Complex* dst) {
    if (inverse) engine.inv(dst, src, static_cast<Eigen::Index>(n));
    else engine.fwd(dst, src, static_cast<Eigen::Index>(n));
  };
  for (std::size_t k = 0; k < lim[2]; ++k)
    for (std::size_t j = 0; j < lim[1]; ++j) {
      const std::size_t row = dims[0] * (j + dims[1] * k);
      if (axis == 0) {
        Complex* line = data.data() + row;
        run(line, out.data());
        std::copy(out.begin(), out.end(), line);
        continue;
      }
      for (std::size_t i0 = 0; i0 < lim[0]; i0 += kBlock) {
        const std::size_t b = std::min(kBlock, lim[0] - i0);
        Complex* base = data.data() + row + i0;
        for (std::size_t t = 0; t < n; ++t)
          for (std::size_t q = 0; q < b; ++q) in[q * n + t] = base[t * stride + q];
        for (std::size_t q = 0; q < b; ++q) {
          run(in.data() + q * n, out.data());
          for (std::size_t t = 0; t < n; ++t) base[t * stride + q] = out[t];
        }
      }
    }
}

}  // namespace

std::size_t good_size(std::size_t n) {
  for (std::size_t m = std::max<std::size_t>(n, 1);; ++m) {
    std::size_t r = m;
    for (const std::size_t p : {2, 3, 5})
      while (r % p == 0) r /= p;
    if (r == 1) return m;
  }
}

void forward_3d(std::vector<Complex>& data, const Dims& dims, const Dims& nonzero) {
  Eigen::FFT<double> engine;
  // After the x pass the data are still zero outside y < nonzero[1], z < nonzero[2]; after y, outside z < nonzero[2].
  transform_axis(data, dims, 0, {dims[0], nonzero[1], nonzero[2]}, false, engine);
  transform_axis(data, dims, 1, {dims[0], dims[1], nonzero[2]}, false, engine);
  transform_axis(data, dims, 2, dims, false, engine);
}

void inverse_3d(std::vector<Complex>& data, const Dims& dims, const Dims& wanted) {
  Eigen::FFT<double> engine;  // scales each 1-D inverse by 1/n: 1/N in all
  transform_axis(data, dims, 2, dims, true, engine);
  transform_axis(data, dims, 1, {dims[0], dims[1], wanted[2]}, true, engine);
  transform_axis(data, dims, 0, {dims[0], wanted[1], wanted[2]}, true, engine);
}

}  // namespace gliolens::fft
