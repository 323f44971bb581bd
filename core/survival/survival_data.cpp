#include "core/survival/survival_data.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/errors.hpp"

namespace gliolens::survival {

std::size_t SurvivalData::event_count() const {
  return static_cast<std::size_t>(std::count(event.begin(), event.end(), 1));
}

void validate_survival_data(const SurvivalData& data) {
  const std::size_t n = data.size();
  if (data.event.size() != n) {
    throw InvalidInputError("survival data: " + std::to_string(n) + " times but " +
                            std::to_string(data.event.size()) + " event indicators");
  }
  if (static_cast<std::size_t>(data.covariates.rows()) != n && data.covariates.cols() > 0) {
    throw InvalidInputError("survival data: " + std::to_string(n) + " times but " +
                            std::to_string(data.covariates.rows()) + " covariate rows");
  }
  if (data.covariate_names.size() != data.covariate_count()) {
    throw InvalidInputError("survival data: " + std::to_string(data.covariate_count()) + " covariates but " +
                            std::to_string(data.covariate_names.size()) + " names");
  }
  if (data.stratified() && data.stratum.size() != n) {
    throw InvalidInputError("survival data: " + std::to_string(n) + " subjects but " +
                            std::to_string(data.stratum.size()) + " stratum labels");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(data.time[i])) {
      throw InvalidInputError("survival data: the time of subject " + std::to_string(i + 1) +
                              " is missing or infinite; drop incomplete rows first");
    }
    if (data.time[i] < 0) {
      throw InvalidInputError("survival data: the time of subject " + std::to_string(i + 1) + " is negative (" +
                              std::to_string(data.time[i]) + ")");
    }
    if (data.event[i] != 0 && data.event[i] != 1) {
      throw InvalidInputError("survival data: the event indicator of subject " + std::to_string(i + 1) + " is " +
                              std::to_string(data.event[i]) + "; use 1 for an event and 0 for censored");
    }
    for (Eigen::Index j = 0; j < data.covariates.cols(); ++j) {
      if (!std::isfinite(data.covariates(static_cast<Eigen::Index>(i), j))) {
        throw InvalidInputError("survival data: covariate '" + data.covariate_names[static_cast<std::size_t>(j)] +
                                "' of subject " + std::to_string(i + 1) +
                                " is missing or infinite; drop incomplete rows first");
      }
    }
  }
}

SelectedSurvivalData select_survival_data(const Table& table, const SurvivalColumns& columns) {
  const auto time = table.numeric_column(columns.time);
  const auto event = table.numeric_column(columns.event);
  std::vector<std::vector<double>> covariates;
  for (const auto& name : columns.covariates) covariates.push_back(table.numeric_column(name));
  std::vector<double> stratum;
  if (columns.stratum) stratum = table.numeric_column(*columns.stratum);

  SelectedSurvivalData selected;
  for (std::size_t r = 0; r < table.row_count(); ++r) {
    bool complete = std::isfinite(time[r]) && std::isfinite(event[r]);
    for (const auto& column : covariates) complete = complete && std::isfinite(column[r]);
    if (!stratum.empty()) complete = complete && std::isfinite(stratum[r]);
    if (complete) selected.table_rows.push_back(r);
  }
  selected.dropped_incomplete_rows = table.row_count() - selected.table_rows.size();

  SurvivalData& data = selected.data;
  const auto n = static_cast<Eigen::Index>(selected.table_rows.size());
  data.covariates.resize(n, static_cast<Eigen::Index>(covariates.size()));
  data.covariate_names = columns.covariates;
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::size_t r = selected.table_rows[static_cast<std::size_t>(i)];
    data.time.push_back(time[r]);
    if (event[r] != 0.0 && event[r] != 1.0) {
      throw InvalidInputError("column '" + columns.event + "', data row " + std::to_string(r + 1) + ": event code " +
                              std::to_string(event[r]) + "; use 1 for an event and 0 for censored");
    }
    data.event.push_back(static_cast<int>(event[r]));
    for (std::size_t j = 0; j < covariates.size(); ++j) data.covariates(i, static_cast<Eigen::Index>(j)) = covariates[j][r];
    if (!stratum.empty()) data.stratum.push_back(static_cast<int>(std::lround(stratum[r])));
  }
  validate_survival_data(data);
  return selected;
}

SurvivalData subset(const SurvivalData& data, std::span<const std::size_t> rows) {
  SurvivalData result;
  result.covariate_names = data.covariate_names;
  result.covariates.resize(static_cast<Eigen::Index>(rows.size()), data.covariates.cols());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::size_t i = rows[k];
    if (i >= data.size()) throw InvalidInputError("subset: row " + std::to_string(i) + " is outside the data");
    result.time.push_back(data.time[i]);
    result.event.push_back(data.event[i]);
    if (data.covariates.cols() > 0) {
      result.covariates.row(static_cast<Eigen::Index>(k)) = data.covariates.row(static_cast<Eigen::Index>(i));
    }
    if (data.stratified()) result.stratum.push_back(data.stratum[i]);
  }
  return result;
}

}  // namespace gliolens::survival
