// Intensity-volume histogram features (IBSI 1, section 3.5).
#include "core/radiomics/internal.hpp"

#include <algorithm>

namespace gliolens::radiomics {

void intensity_volume_histogram_features(const RoiImage& roi, const Settings&, FeatureSink& out) {
  // Intensities of the IVH: level l stands for ivh_base + (l - 1) * step (a fixed bin size's bin: its centre; FBN:
  // the level itself).
  std::vector<int> lv;
  for (std::size_t i = 0; i < roi.size(); ++i)
    if (roi.inten[i] && roi.ivh_levels[i] > 0) lv.push_back(roi.ivh_levels[i]);
  std::sort(lv.begin(), lv.end());
  const double n = static_cast<double>(lv.size());
  const double step = roi.ivh_step;
  // intensity of level l
  const int maxl = lv.empty() ? 1 : lv.back();
  const double base = roi.ivh_discrete ? 1.0 : roi.ivh_base;
  auto value_of = [&](int l) { return roi.ivh_discrete ? static_cast<double>(l) : base + (l - 1) * step; };
  const double xmin = roi.ivh_min, xmax = roi.ivh_max;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // fraction of the volume with intensity >= t
  auto vol_at_least = [&](double t) {
    const auto it = std::lower_bound(lv.begin(), lv.end(), t, [&](int l, double tt) { return value_of(l) < tt - 1e-9 * std::max(1.0, std::abs(tt)); });
    return static_cast<double>(lv.end() - it) / n;
  };
  auto v_at = [&](double frac) { return xmax > xmin ? vol_at_least(xmin + frac * (xmax - xmin)) : nan; };
  // lowest intensity on the level grid at which less than `frac` of the volume has that intensity or more
  auto i_at = [&](double frac) {
    const int lmax = roi.ivh_discrete ? static_cast<int>(std::lround(xmax)) : static_cast<int>(std::lround((xmax - base) / step)) + 1;
    for (int l = 1; l <= std::max(lmax, maxl) + 1; ++l)
      if (vol_at_least(value_of(l)) < frac) return value_of(l);
    return value_of(std::max(lmax, maxl) + 1);
  };
  const double v10 = v_at(0.10), v90 = v_at(0.90);
  const double i10 = i_at(0.10), i90 = i_at(0.90);
  const char* flat = "undefined for constant intensities";
  out.add("VolumeAtIntensityFraction10", "BC2M_10", "", v10, flat);  // V10: volume fraction with gamma >= 0.10
  out.add("VolumeAtIntensityFraction90", "BC2M_90", "", v90, flat);  // V90
  out.add("IntensityAtVolumeFraction10", "GBPN_10", "", i10);        // I10: min intensity with nu < 0.10
  out.add("IntensityAtVolumeFraction90", "GBPN_90", "", i90);        // I90
  out.add("VolumeFractionDifference", "DDTU", "", v10 - v90, flat);  // V10 - V90
  out.add("IntensityFractionDifference", "CNV2", "", i10 - i90);     // I10 - I90
}

}  // namespace gliolens::radiomics
