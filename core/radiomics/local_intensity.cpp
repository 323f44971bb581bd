// Local intensity features (IBSI 1, section 3.2): mean intensity in a 1 cm^3 sphere.
#include "core/radiomics/internal.hpp"

#include <numbers>

namespace gliolens::radiomics {

void local_intensity_features(const RoiImage& roi, const Settings& s, FeatureSink& out) {
  const double r = std::cbrt(3.0 * s.local_intensity_volume_cc * 1000.0 / (4.0 * std::numbers::pi));
  const auto& sp = roi.spacing;
  std::vector<std::array<int, 3>> offs;
  std::array<int, 3> rr{};
  for (int d = 0; d < 3; ++d) rr[d] = static_cast<int>(std::floor(r / sp[d]));
  for (int k = -rr[2]; k <= rr[2]; ++k)
    for (int j = -rr[1]; j <= rr[1]; ++j)
      for (int i = -rr[0]; i <= rr[0]; ++i)
        if (sq(i * sp[0]) + sq(j * sp[1]) + sq(k * sp[2]) <= r * r) offs.push_back({i, j, k});
  auto local_mean = [&](int i, int j, int k) {
    double sum = 0, cnt = 0;
    for (const auto& o : offs) {
      const int a = i + o[0], b = j + o[1], c = k + o[2];
      if (!roi.inside(a, b, c)) continue;
      const double v = roi.intensity[roi.idx(a, b, c)];
      if (!std::isfinite(v)) continue;
      sum += v;
      cnt += 1;
    }
    return sum / cnt;
  };
  double vmax = -std::numeric_limits<double>::infinity();
  for (std::size_t n = 0; n < roi.size(); ++n)
    if (roi.inten[n]) vmax = std::max(vmax, roi.intensity[n]);
  double local_peak = -std::numeric_limits<double>::infinity(), global_peak = local_peak;
  for (int k = 0; k < roi.dims[2]; ++k)
    for (int j = 0; j < roi.dims[1]; ++j)
      for (int i = 0; i < roi.dims[0]; ++i) {
        const auto n = roi.idx(i, j, k);
        if (!roi.inten[n]) continue;
        const double m = local_mean(i, j, k);
        global_peak = std::max(global_peak, m);
        if (roi.intensity[n] == vmax) local_peak = std::max(local_peak, m);
      }
  out.add("LocalIntensityPeak", "VJGA", "", local_peak);    // mean in the sphere around the maximum-intensity voxel
  out.add("GlobalIntensityPeak", "0F91", "", global_peak);  // max over ROI voxels of the sphere mean
}

}  // namespace gliolens::radiomics
