#include "core/survival/resampling.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>

#include "core/errors.hpp"

namespace gliolens::survival {

std::vector<int> assign_folds(std::size_t subjects, int folds, std::mt19937_64& random, std::span<const int> strata) {
  if (folds < 2 || static_cast<std::size_t>(folds) > subjects) {
    throw InvalidInputError("cross-validation: " + std::to_string(folds) + " folds for " + std::to_string(subjects) +
                            " subjects; use between 2 and the number of subjects");
  }
  if (!strata.empty() && strata.size() != subjects) {
    throw InvalidInputError("cross-validation: " + std::to_string(strata.size()) + " stratum labels for " +
                            std::to_string(subjects) + " subjects");
  }
  std::vector<std::size_t> order(subjects);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::shuffle(order.begin(), order.end(), random);
  if (!strata.empty()) {
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return strata[a] < strata[b]; });
  }
  // Dealing the (stratum-sorted, shuffled) subjects round-robin spreads every stratum evenly;
  // the fold numbering is then shuffled so that fold 0 is not always the largest.
  std::vector<int> relabel(static_cast<std::size_t>(folds));
  std::iota(relabel.begin(), relabel.end(), 0);
  std::shuffle(relabel.begin(), relabel.end(), random);
  std::vector<int> fold(subjects);
  for (std::size_t k = 0; k < subjects; ++k) fold[order[k]] = relabel[k % static_cast<std::size_t>(folds)];
  return fold;
}

std::vector<std::size_t> bootstrap_sample(std::size_t subjects, std::mt19937_64& random) {
  if (subjects == 0) throw InvalidInputError("bootstrap: no subjects to resample");
  std::uniform_int_distribution<std::size_t> pick(0, subjects - 1);
  std::vector<std::size_t> sample(subjects);
  for (auto& index : sample) index = pick(random);
  return sample;
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) throw InvalidInputError("quantile of no values");
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

BootstrapInterval bootstrap_interval(std::size_t subjects,
                                     const std::function<double(std::span<const std::size_t>)>& statistic,
                                     int replicates, double confidence_level, std::mt19937_64& random) {
  if (replicates < 2) throw InvalidInputError("bootstrap: needs at least 2 replicates");
  if (!(confidence_level > 0.0 && confidence_level < 1.0)) {
    throw InvalidInputError("bootstrap: confidence level must lie in (0, 1)");
  }
  std::vector<std::size_t> everyone(subjects);
  std::iota(everyone.begin(), everyone.end(), std::size_t{0});
  BootstrapInterval interval;
  interval.estimate = statistic(everyone);
  std::vector<double> values;
  for (int r = 0; r < replicates; ++r) {
    const auto sample = bootstrap_sample(subjects, random);
    try {
      const double value = statistic(sample);
      if (std::isfinite(value)) {
        values.push_back(value);
      } else {
        ++interval.failed;
      }
    } catch (const Error&) {
      ++interval.failed;
    }
  }
  interval.replicates = static_cast<int>(values.size());
  if (values.size() < 2) {
    throw NumericalError("bootstrap: only " + std::to_string(values.size()) + " of " + std::to_string(replicates) +
                         " resamples gave a value; the data are too small or degenerate for a bootstrap interval");
  }
  const double tail = (1.0 - confidence_level) / 2.0;
  interval.lower = quantile(values, tail);
  interval.upper = quantile(values, 1.0 - tail);
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  double squares = 0.0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  interval.standard_error = std::sqrt(squares / static_cast<double>(values.size() - 1));
  return interval;
}

}  // namespace gliolens::survival
