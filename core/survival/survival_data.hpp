// The common input of the survival routines: one row per subject with its follow-up time, whether
// the follow-up ended in the event, its covariates and (optionally) its stratum.
#pragma once
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "core/survival/table.hpp"

namespace gliolens::survival {

struct SurvivalData {
  std::vector<double> time;                  // > 0 not required (R allows 0), finite
  std::vector<int> event;                    // 1 = event observed, 0 = censored
  Eigen::MatrixXd covariates;                // subjects x covariates (may have 0 columns)
  std::vector<std::string> covariate_names;  // one per covariate column
  std::vector<int> stratum;                  // empty, or one label per subject

  [[nodiscard]] std::size_t size() const { return time.size(); }
  [[nodiscard]] std::size_t covariate_count() const { return static_cast<std::size_t>(covariates.cols()); }
  [[nodiscard]] std::size_t event_count() const;
  [[nodiscard]] bool stratified() const { return !stratum.empty(); }
};

// Throws InvalidInputError with a message naming the first problem: sizes that disagree, missing or
// infinite values (with row and column), event codes other than 0/1, negative times.
void validate_survival_data(const SurvivalData& data);

// The columns of a table that make up a survival data set.
struct SurvivalColumns {
  std::string time;
  std::string event;
  std::vector<std::string> covariates;
  std::optional<std::string> stratum;
};

struct SelectedSurvivalData {
  SurvivalData data;
  std::vector<std::size_t> table_rows;  // the table row behind each subject
  std::size_t dropped_incomplete_rows = 0;
};

// Builds SurvivalData from the rows where every named column is present, as R's na.omit does before
// coxph; reports how many rows were dropped so the caller can say so.
[[nodiscard]] SelectedSurvivalData select_survival_data(const Table& table, const SurvivalColumns& columns);

// The subjects at `rows`, in that order (repeats allowed: bootstrap samples).
[[nodiscard]] SurvivalData subset(const SurvivalData& data, std::span<const std::size_t> rows);

}  // namespace gliolens::survival
