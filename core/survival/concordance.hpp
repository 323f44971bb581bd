// Discrimination of a risk score: Harrell's C (as R's concordance()), Uno's IPCW C (R's
// concordance(timewt = "n/G2")) and the cumulative/dynamic time-dependent AUC. A higher risk score
// means an earlier event.
#pragma once
#include <span>
#include <vector>

#include <Eigen/Dense>

namespace gliolens::survival {

struct Concordance {
  double concordance = 0.5;
  double concordant = 0.0;  // pair counts (weighted for Uno's C)
  double discordant = 0.0;
  double tied_risk = 0.0;
};

// Pairs are comparable when the shorter time is an event (a censoring at the same time counts as
// later, pairs of events at the same time are not comparable); risk ties count one half; pairs only
// within a stratum when `stratum` is not empty. O(n log n).
[[nodiscard]] Concordance harrell_concordance(std::span<const double> time, std::span<const int> event,
                                              const Eigen::VectorXd& risk, std::span<const int> stratum = {});

// Uno's C: each comparable pair weighted by 1 / G(t-)^2, G the Kaplan-Meier estimate of the censoring
// distribution, so the estimate does not depend on the censoring pattern. Event times after
// `truncation_time` are left out (infinite: none).
[[nodiscard]] Concordance uno_concordance(std::span<const double> time, std::span<const int> event,
                                          const Eigen::VectorXd& risk,
                                          double truncation_time = std::numeric_limits<double>::infinity());

// AUC(t) for "event by t" against "event-free at t" (Uno et al. 2007 / timeROC's IPCW estimator):
// cases weighted by 1 / G(T_i-), controls by 1 / G(t).
[[nodiscard]] double time_dependent_auc(std::span<const double> time, std::span<const int> event,
                                        const Eigen::VectorXd& risk, double at_time);

}  // namespace gliolens::survival
