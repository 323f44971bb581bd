#include "core/survival/concordance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "core/errors.hpp"

namespace gliolens::survival {
namespace {

// Binary indexed tree of weights by risk rank: weight below, at and above a rank in O(log n).
class RankWeights {
public:
  explicit RankWeights(std::size_t ranks) : tree_(ranks + 1, 0.0), at_(ranks, 0.0) {}
  void add(std::size_t rank, double weight) {
    at_[rank] += weight;
    total_ += weight;
    for (std::size_t i = rank + 1; i < tree_.size(); i += i & (~i + 1)) tree_[i] += weight;
  }
  [[nodiscard]] double below(std::size_t rank) const {
    double sum = 0.0;
    for (std::size_t i = rank; i > 0; i -= i & (~i + 1)) sum += tree_[i];
    return sum;
  }
  [[nodiscard]] double at(std::size_t rank) const { return at_[rank]; }
  [[nodiscard]] double above(std::size_t rank) const { return total_ - below(rank) - at_[rank]; }

private:
  std::vector<double> tree_;
  std::vector<double> at_;
  double total_ = 0.0;
};

void validate(std::span<const double> time, std::span<const int> event, const Eigen::VectorXd& risk,
              const char* what) {
  if (time.size() != event.size() || time.size() != static_cast<std::size_t>(risk.size())) {
    throw InvalidInputError(std::string(what) + ": times, events and risk scores differ in length (" +
                            std::to_string(time.size()) + ", " + std::to_string(event.size()) + ", " +
                            std::to_string(risk.size()) + ")");
  }
  for (std::size_t i = 0; i < time.size(); ++i) {
    if (!std::isfinite(time[i]) || !std::isfinite(risk(static_cast<Eigen::Index>(i))) || (event[i] != 0 && event[i] != 1)) {
      throw InvalidInputError(std::string(what) + ": subject " + std::to_string(i + 1) +
                              " has a missing time or risk score, or an event code other than 0/1");
    }
  }
}

std::vector<std::size_t> risk_ranks(const Eigen::VectorXd& risk, std::span<const std::size_t> members) {
  std::vector<double> sorted;
  for (const auto i : members) sorted.push_back(risk(static_cast<Eigen::Index>(i)));
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<std::size_t> ranks(static_cast<std::size_t>(risk.size()), 0);
  for (const auto i : members) {
    ranks[i] = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), risk(static_cast<Eigen::Index>(i))) - sorted.begin());
  }
  return ranks;
}

// Counts pairs among `members`, each event's comparisons weighted by event_weight(i).
template <typename EventWeight>
void count_pairs(std::span<const double> time, std::span<const int> event, const Eigen::VectorXd& risk,
                 std::vector<std::size_t> members, EventWeight event_weight, Concordance& counts) {
  const auto ranks = risk_ranks(risk, members);
  std::stable_sort(members.begin(), members.end(), [&](std::size_t a, std::size_t b) { return time[a] > time[b]; });
  RankWeights later(members.size());
  for (std::size_t k = 0; k < members.size();) {
    std::size_t end = k;
    while (end < members.size() && time[members[end]] == time[members[k]]) ++end;
    // Censored subjects at this time outlive the events at this time: add them first.
    for (std::size_t m = k; m < end; ++m) {
      if (event[members[m]] == 0) later.add(ranks[members[m]], 1.0);
    }
    for (std::size_t m = k; m < end; ++m) {
      const std::size_t i = members[m];
      if (event[i] == 0) continue;
      const double weight = event_weight(i);
      if (weight == 0.0) continue;
      counts.concordant += weight * later.below(ranks[i]);
      counts.discordant += weight * later.above(ranks[i]);
      counts.tied_risk += weight * later.at(ranks[i]);
    }
    for (std::size_t m = k; m < end; ++m) {
      if (event[members[m]] == 1) later.add(ranks[members[m]], 1.0);
    }
    k = end;
  }
}

void finish(Concordance& counts, const char* what) {
  const double comparable = counts.concordant + counts.discordant + counts.tied_risk;
  if (!(comparable > 0.0)) {
    throw InvalidInputError(std::string(what) + ": no comparable pairs (it needs an event before another "
                            "subject's time)");
  }
  counts.concordance = (counts.concordant + 0.5 * counts.tied_risk) / comparable;
}

// The censoring distribution G as a step function. Deaths tied with a censoring happen first and are
// no longer at risk of being censored: G drops by c / (n - d) at a time with d deaths and c
// censorings among n at risk (R's fastkm1, which concordance() uses).
struct CensoringDistribution {
  std::vector<double> time;
  std::vector<double> survival;
};

CensoringDistribution censoring_distribution(std::span<const double> time, std::span<const int> event) {
  std::vector<std::size_t> order(time.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return time[a] < time[b]; });
  CensoringDistribution g;
  double at_risk = static_cast<double>(time.size());
  double survival = 1.0;
  for (std::size_t k = 0; k < order.size();) {
    const double t = time[order[k]];
    double deaths = 0.0;
    double censored = 0.0;
    for (; k < order.size() && time[order[k]] == t; ++k) (event[order[k]] == 1 ? deaths : censored) += 1.0;
    if (censored > 0.0) survival *= (at_risk - deaths - censored) / (at_risk - deaths);
    g.time.push_back(t);
    g.survival.push_back(survival);
    at_risk -= deaths + censored;
  }
  return g;
}

// G(t-): the probability of remaining uncensored until just before t.
double censoring_survival_before(const CensoringDistribution& censoring, double t) {
  const auto before = std::lower_bound(censoring.time.begin(), censoring.time.end(), t);
  if (before == censoring.time.begin()) return 1.0;
  return censoring.survival[static_cast<std::size_t>(before - censoring.time.begin()) - 1];
}

}  // namespace

Concordance harrell_concordance(std::span<const double> time, std::span<const int> event, const Eigen::VectorXd& risk,
                                std::span<const int> stratum) {
  validate(time, event, risk, "Harrell's C");
  if (!stratum.empty() && stratum.size() != time.size()) {
    throw InvalidInputError("Harrell's C: " + std::to_string(time.size()) + " subjects but " +
                            std::to_string(stratum.size()) + " stratum labels");
  }
  std::vector<int> labels(stratum.begin(), stratum.end());
  if (labels.empty()) labels.assign(time.size(), 0);
  std::vector<int> distinct = labels;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  Concordance counts;
  for (const int label : distinct) {
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == label) members.push_back(i);
    }
    count_pairs(time, event, risk, std::move(members), [](std::size_t) { return 1.0; }, counts);
  }
  finish(counts, "Harrell's C");
  return counts;
}

Concordance uno_concordance(std::span<const double> time, std::span<const int> event, const Eigen::VectorXd& risk,
                            double truncation_time) {
  validate(time, event, risk, "Uno's C");
  const CensoringDistribution censoring = censoring_distribution(time, event);
  std::vector<std::size_t> members(time.size());
  std::iota(members.begin(), members.end(), std::size_t{0});
  Concordance counts;
  count_pairs(time, event, risk, std::move(members), [&](std::size_t i) {
    if (time[i] > truncation_time) return 0.0;
    const double g = censoring_survival_before(censoring, time[i]);
    return g > 0.0 ? 1.0 / (g * g) : 0.0;
  }, counts);
  finish(counts, "Uno's C");
  return counts;
}

double time_dependent_auc(std::span<const double> time, std::span<const int> event, const Eigen::VectorXd& risk,
                          double at_time) {
  validate(time, event, risk, "time-dependent AUC");
  const CensoringDistribution censoring = censoring_distribution(time, event);
  std::vector<double> control_risks;
  for (std::size_t i = 0; i < time.size(); ++i) {
    if (time[i] > at_time) control_risks.push_back(risk(static_cast<Eigen::Index>(i)));
  }
  std::sort(control_risks.begin(), control_risks.end());
  double weighted_wins = 0.0;
  double case_weight = 0.0;
  for (std::size_t i = 0; i < time.size(); ++i) {
    if (time[i] > at_time || event[i] == 0) continue;
    const double g = censoring_survival_before(censoring, time[i]);
    if (g <= 0.0) continue;
    const double r = risk(static_cast<Eigen::Index>(i));
    const auto below = static_cast<double>(std::lower_bound(control_risks.begin(), control_risks.end(), r) - control_risks.begin());
    const auto tied = static_cast<double>(std::upper_bound(control_risks.begin(), control_risks.end(), r) - control_risks.begin()) - below;
    weighted_wins += (below + 0.5 * tied) / g;
    case_weight += 1.0 / g;
  }
  // The controls' common weight 1 / G(t) cancels between numerator and denominator.
  if (case_weight == 0.0 || control_risks.empty()) {
    throw InvalidInputError("time-dependent AUC at " + std::to_string(at_time) +
                            ": it needs at least one event by then and one subject still event-free after it");
  }
  return weighted_wins / (case_weight * static_cast<double>(control_risks.size()));
}

}  // namespace gliolens::survival
