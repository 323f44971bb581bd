// Resampling for honest performance estimates: k-fold assignment and bootstrap confidence
// intervals. Every function takes the random generator explicitly, so a seed reproduces a result
// and no hidden global state is shared between Web Workers.
#pragma once
#include <cstddef>
#include <functional>
#include <random>
#include <span>
#include <vector>

namespace gliolens::survival {

// Fold labels 0..folds-1, as equal in size as possible, in random order. When `strata` is given
// (e.g. the event indicator) each stratum is spread evenly over the folds.
[[nodiscard]] std::vector<int> assign_folds(std::size_t subjects, int folds, std::mt19937_64& random,
                                            std::span<const int> strata = {});

// n indices drawn with replacement.
[[nodiscard]] std::vector<std::size_t> bootstrap_sample(std::size_t subjects, std::mt19937_64& random);

struct BootstrapInterval {
  double estimate = 0.0;  // the statistic on the original data
  double lower = 0.0;
  double upper = 0.0;
  double standard_error = 0.0;
  int replicates = 0;  // replicates that gave a value (a statistic may reject a degenerate resample)
  int failed = 0;
};

// Percentile interval of `statistic` over bootstrap resamples of the subjects. The statistic
// receives the resampled row indices; a resample where it throws gliolens::Error is counted as
// failed and skipped (e.g. a resample without events).
[[nodiscard]] BootstrapInterval bootstrap_interval(std::size_t subjects,
                                                   const std::function<double(std::span<const std::size_t>)>& statistic,
                                                   int replicates, double confidence_level, std::mt19937_64& random);

// The q-th quantile (0..1) of the values, type 7 interpolation as R's default quantile().
[[nodiscard]] double quantile(std::vector<double> values, double q);

}  // namespace gliolens::survival
