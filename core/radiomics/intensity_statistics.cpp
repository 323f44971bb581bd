// Intensity-based statistical features (IBSI 1, section 3.3; PyRadiomics "firstorder").
#include "core/radiomics/internal.hpp"

#include <algorithm>

namespace gliolens::radiomics {

void intensity_statistics_features(const RoiImage& roi, const Settings& s, FeatureSink& out) {
  const bool py = s.mode == Mode::pyradiomics;
  std::vector<double> x = roi.roi_intensities();
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const SampleStatistics st = describe_sorted(x);
  const double shift = py ? s.voxel_array_shift : 0.0;
  double energy = 0;
  for (double v : x) energy += sq(v + shift);
  const double skew = st.variance > 0 ? st.m3 / std::pow(st.variance, 1.5) : (py ? 0.0 : nan);
  const double kurt = st.variance > 0 ? st.m4 / sq(st.variance) - (py ? 0.0 : 3.0) : (py ? 0.0 : nan);
  const char* flat = "undefined for constant intensities";
  if (py) {
    out.add("Energy", "N8CA", "", energy);                                  // sum (X + shift)^2
    out.add("TotalEnergy", "", "", energy * roi.spacing[0] * roi.spacing[1] * roi.spacing[2]);  // voxel volume * Energy
  }
  out.add("Mean", "Q4LE", "", st.mean);                                      // mu = 1/N sum X
  out.add("Variance", "ECT3", "", st.variance);                              // 1/N sum (X - mu)^2
  out.add("Skewness", "KE2A", "", skew, flat);                               // m3 / m2^1.5
  out.add("Kurtosis", "IPH6", "", kurt, flat);                               // m4 / m2^2 - 3 (PyRadiomics: no -3)
  out.add("Median", "Y12H", "", st.median);                                  // 50th percentile
  out.add("Minimum", "1GSF", "", x.front());                                 // min X
  out.add("10Percentile", "QG58", "", st.p10);                               // P10 (linear interpolation)
  out.add("90Percentile", "8DWT", "", st.p90);                               // P90
  out.add("Maximum", "84IY", "", x.back());                                  // max X
  out.add("InterquartileRange", "SALO", "", st.p75 - st.p25);                // P75 - P25
  out.add("Range", "2OJQ", "", x.back() - x.front());                        // max - min
  out.add("MeanAbsoluteDeviation", "4FUA", "", st.mean_absolute_deviation);  // 1/N sum |X - mu|
  out.add("RobustMeanAbsoluteDeviation", "1128", "", st.robust_mean_absolute_deviation);  // MAD of P10 <= X <= P90
  out.add("RootMeanSquared", "5ZWQ", "", std::sqrt(energy / n));             // sqrt(1/N sum (X + shift)^2)
  if (py) return;
  out.add("MedianAbsoluteDeviation", "N72L", "", st.median_absolute_deviation);  // 1/N sum |X - median|
  out.add("CoefficientOfVariation", "7TET", "", st.mean != 0 ? std::sqrt(st.variance) / st.mean : nan, "mean intensity is zero");  // sigma / mu
  out.add("QuartileCoefficientOfDispersion", "9S40", "", (st.p75 + st.p25) != 0 ? (st.p75 - st.p25) / (st.p75 + st.p25) : nan,
          "P75 + P25 is zero");                                              // (P75 - P25) / (P75 + P25)
  out.add("Energy", "N8CA", "", energy);                                     // sum X^2
}

}  // namespace gliolens::radiomics
