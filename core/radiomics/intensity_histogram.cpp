// Intensity histogram features on the discretised intensities (IBSI 1, section 3.4; PyRadiomics'
// firstorder Entropy and Uniformity).
#include "core/radiomics/internal.hpp"

#include <algorithm>

namespace gliolens::radiomics {

void intensity_histogram_features(const RoiImage& roi, const Settings& s, FeatureSink& out) {
  const bool py = s.mode == Mode::pyradiomics;
  std::vector<double> x;
  for (std::size_t i = 0; i < roi.size(); ++i)
    if (roi.inten[i] && roi.levels[i] > 0) x.push_back(roi.levels[i]);
  std::sort(x.begin(), x.end());
  const int ng = std::max(roi.ng, x.empty() ? 1 : static_cast<int>(x.back()));
  std::vector<double> h(static_cast<std::size_t>(ng) + 1, 0.0);
  for (double v : x) h[static_cast<std::size_t>(v)] += 1;
  const double n = static_cast<double>(x.size());
  double entropy = 0, uniformity = 0;
  for (int i = 1; i <= ng; ++i) {
    const double p = h[i] / n;
    if (p > 0) entropy -= p * std::log2(p);
    uniformity += p * p;
  }
  if (py) {
    out.add("Entropy", "TLU2", "", entropy);        // -sum p log2 p
    out.add("Uniformity", "BJ5W", "", uniformity);  // sum p^2
    return;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const SampleStatistics st = describe_sorted(x);
  int mode = 1;
  for (int i = 1; i <= ng; ++i)
    if (h[i] > h[mode]) mode = i;
  // histogram gradient: central differences, one-sided at the ends
  std::vector<double> grad(static_cast<std::size_t>(ng) + 1, 0.0);
  for (int i = 1; i <= ng; ++i) {
    if (ng == 1) grad[i] = 0;
    else if (i == 1) grad[i] = h[2] - h[1];
    else if (i == ng) grad[i] = h[ng] - h[ng - 1];
    else grad[i] = (h[i + 1] - h[i - 1]) / 2.0;
  }
  int gmax = 1, gmin = 1;
  for (int i = 1; i <= ng; ++i) {
    if (grad[i] > grad[gmax]) gmax = i;
    if (grad[i] < grad[gmin]) gmin = i;
  }
  const char* flat = "undefined for constant intensities";
  out.add("Mean", "X6K6", "", st.mean);                               // mean discretised intensity
  out.add("Variance", "CH89", "", st.variance);                       // 1/N sum (i - mu)^2
  out.add("Skewness", "88K1", "", st.variance > 0 ? st.m3 / std::pow(st.variance, 1.5) : nan, flat);  // m3 / m2^1.5
  out.add("Kurtosis", "C3I7", "", st.variance > 0 ? st.m4 / sq(st.variance) - 3 : nan, flat);  // m4 / m2^2 - 3
  out.add("Median", "WIFQ", "", st.median);                           // median level
  out.add("Minimum", "1PR8", "", x.front());                          // min level
  out.add("10Percentile", "GPMT", "", st.p10);                        // P10
  out.add("90Percentile", "OZ0C", "", st.p90);                        // P90
  out.add("Maximum", "3NCY", "", x.back());                           // max level
  out.add("Mode", "AMMC", "", mode);                                  // most frequent level
  out.add("InterquartileRange", "WR0O", "", st.p75 - st.p25);         // P75 - P25
  out.add("Range", "5Z3W", "", x.back() - x.front());                 // max - min
  out.add("MeanAbsoluteDeviation", "D2ZX", "", st.mean_absolute_deviation);  // 1/N sum |i - mu|
  out.add("RobustMeanAbsoluteDeviation", "WRZB", "", st.robust_mean_absolute_deviation);  // MAD within P10..P90
  out.add("MedianAbsoluteDeviation", "4RNL", "", st.median_absolute_deviation);  // 1/N sum |i - median|
  out.add("CoefficientOfVariation", "CWYJ", "", std::sqrt(st.variance) / st.mean);  // sigma / mu
  out.add("QuartileCoefficientOfDispersion", "SLWD", "", (st.p75 - st.p25) / (st.p75 + st.p25));  // (P75-P25)/(P75+P25)
  out.add("Entropy", "TLU2", "", entropy);                            // -sum p log2 p
  out.add("Uniformity", "BJ5W", "", uniformity);                      // sum p^2
  out.add("MaximumGradient", "12CE", "", grad[gmax]);                 // max H'(i)
  out.add("MaximumGradientIntensity", "8E6O", "", gmax);              // argmax H'(i)
  out.add("MinimumGradient", "VQB3", "", grad[gmin]);                 // min H'(i)
  out.add("MinimumGradientIntensity", "RHQZ", "", gmin);              // argmin H'(i)
}

}  // namespace gliolens::radiomics
