// Intensity-based statistical features (IBSI 1, section 3.3; PyRadiomics "firstorder").
#include "core/radiomics/internal.hpp"

#include <algorithm>
#include <numeric>

namespace gliolens::radiomics {

void intensity_statistics_features(const RoiImage& roi, const Settings& s, FeatureSink& out) {
  const bool py = s.mode == Mode::pyradiomics;
  std::vector<double> x = roi.roi_intensities();
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double m2 = 0, m3 = 0, m4 = 0, mad = 0;
  for (double v : x) {
    const double d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
    mad += std::abs(d);
  }
  m2 /= n; m3 /= n; m4 /= n; mad /= n;
  const double median = percentile_sorted(x, 50);
  const double p10 = percentile_sorted(x, 10), p90 = percentile_sorted(x, 90);
  const double p25 = percentile_sorted(x, 25), p75 = percentile_sorted(x, 75);
  double rsum = 0, rcnt = 0;
  for (double v : x)
    if (v >= p10 && v <= p90) {
      rsum += v;
      rcnt += 1;
    }
  const double rmean = rsum / rcnt;
  double rmad = 0, medad = 0;
  for (double v : x) {
    if (v >= p10 && v <= p90) rmad += std::abs(v - rmean);
    medad += std::abs(v - median);
  }
  rmad /= rcnt;
  medad /= n;
  const double shift = py ? s.voxel_array_shift : 0.0;
  double energy = 0;
  for (double v : x) energy += sq(v + shift);
  const double skew = m2 > 0 ? m3 / std::pow(m2, 1.5) : (py ? 0.0 : nan);
  const double kurt = m2 > 0 ? m4 / (m2 * m2) - (py ? 0.0 : 3.0) : (py ? 0.0 : nan);
  const char* flat = "undefined for constant intensities";
  if (py) {
    out.add("Energy", "N8CA", "", energy);                                  // sum (X + shift)^2
    out.add("TotalEnergy", "", "", energy * roi.spacing[0] * roi.spacing[1] * roi.spacing[2]);  // voxel volume * Energy
  }
  out.add("Mean", "Q4LE", "", mean);                                         // mu = 1/N sum X
  out.add("Variance", "ECT3", "", m2);                                       // 1/N sum (X - mu)^2
  out.add("Skewness", "KE2A", "", skew, flat);                               // m3 / m2^1.5
  out.add("Kurtosis", "IPH6", "", kurt, flat);                               // m4 / m2^2 - 3 (PyRadiomics: no -3)
  out.add("Median", "Y12H", "", median);                                     // 50th percentile
  out.add("Minimum", "1GSF", "", x.front());                                 // min X
  out.add("10Percentile", "QG58", "", p10);                                  // P10 (linear interpolation)
  out.add("90Percentile", "8DWT", "", p90);                                  // P90
  out.add("Maximum", "84IY", "", x.back());                                  // max X
  out.add("InterquartileRange", "SALO", "", p75 - p25);                      // P75 - P25
  out.add("Range", "2OJQ", "", x.back() - x.front());                        // max - min
  out.add("MeanAbsoluteDeviation", "4FUA", "", mad);                         // 1/N sum |X - mu|
  out.add("RobustMeanAbsoluteDeviation", "1128", "", rmad);                  // MAD of P10 <= X <= P90
  out.add("RootMeanSquared", "5ZWQ", "", std::sqrt(energy / n));             // sqrt(1/N sum (X + shift)^2)
  if (py) return;
  out.add("MedianAbsoluteDeviation", "N72L", "", medad);                     // 1/N sum |X - median|
  out.add("CoefficientOfVariation", "7TET", "", mean != 0 ? std::sqrt(m2) / mean : nan, "mean intensity is zero");  // sigma / mu
  out.add("QuartileCoefficientOfDispersion", "9S40", "", (p75 + p25) != 0 ? (p75 - p25) / (p75 + p25) : nan,
          "P75 + P25 is zero");                                              // (P75 - P25) / (P75 + P25)
  out.add("Energy", "N8CA", "", energy);                                     // sum X^2
}

}  // namespace gliolens::radiomics
