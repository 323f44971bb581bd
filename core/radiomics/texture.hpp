// Texture-matrix plumbing shared by the texture families: matrices with their voxel count, and IBSI's
// aggregation of per-slice / per-direction matrices (2D averaged, 2D slice-merged, 2.5D direction-merged,
// 2.5D merged, 3D averaged, 3D merged; for non-directional matrices 2D, 2.5D, 3D).
#pragma once
#include "core/radiomics/internal.hpp"

#include <algorithm>
#include <functional>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace gliolens::radiomics {

struct TexMat {
  Eigen::MatrixXd m;  // rows: grey levels 1..ng; columns: family-specific
  double nv = 0;      // number of voxels the matrix was built from (for percentages)
  // A square matrix over some of the family's rows (GLCM: a slice's matrix holds few of the ROI's grey levels):
  // row and column r of m are the family's row index[r], in increasing order. Empty: m's rows are the family's.
  std::vector<int> index;
  [[nodiscard]] bool empty() const { return m.size() == 0 || m.sum() <= 0; }
  void add(const TexMat& o) {
    nv += o.nv;
    if (o.m.size() == 0) return;
    if (m.size() == 0) {
      m = o.m;
      index = o.index;
      return;
    }
    if (!index.empty() || !o.index.empty()) {
      add_indexed(o);
      return;
    }
    const Eigen::Index r = std::max(m.rows(), o.m.rows()), c = std::max(m.cols(), o.m.cols());
    if (r != m.rows() || c != m.cols()) {
      Eigen::MatrixXd t = Eigen::MatrixXd::Zero(r, c);
      t.topLeftCorner(m.rows(), m.cols()) = m;
      m = std::move(t);
    }
    m.topLeftCorner(o.m.rows(), o.m.cols()) += o.m;
  }

private:
  // Sums two indexed square matrices over the union of their rows.
  void add_indexed(const TexMat& o) {
    if (index == o.index) {
      m += o.m;
      return;
    }
    std::vector<int> rows;
    rows.reserve(index.size() + o.index.size());
    std::set_union(index.begin(), index.end(), o.index.begin(), o.index.end(), std::back_inserter(rows));
    const auto positions = [&](const std::vector<int>& sub) {
      std::vector<Eigen::Index> at(sub.size());
      for (std::size_t r = 0, u = 0; r < sub.size(); ++r) {
        while (rows[u] != sub[r]) ++u;
        at[r] = static_cast<Eigen::Index>(u);
      }
      return at;
    };
    Eigen::MatrixXd t = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.size()));
    for (const TexMat* part : {static_cast<const TexMat*>(this), &o}) {
      const auto at = positions(part->index);
      t(at, at) += part->m;
    }
    m = std::move(t);
    index = std::move(rows);
  }
};

using FeatureVector = std::vector<double>;
using FeatureFn = std::function<FeatureVector(const TexMat&)>;
// Builds the matrix of one slice (z index; -1: the whole volume) along one direction (ignored when
// the family is not directional).
using MatrixFn = std::function<TexMat(int slice, const std::array<int, 3>& dir)>;

struct AggregatedFeatures {
  std::string aggregation;  // IBSI's name
  FeatureVector values;     // NaN where no matrix had data
};

// Slices (z) that hold at least one grey level.
std::vector<int> roi_slices(const RoiImage& roi);

// Directional families (GLCM, GLRLM).
std::vector<AggregatedFeatures> aggregate_directional(const RoiImage& roi, const TexturePlan& plan, const MatrixFn& build,
                                                      const FeatureFn& features, std::size_t nfeatures);
// Non-directional families (GLSZM, GLDZM, NGTDM, NGLDM): 2D per slice averaged, 2.5D merged, 3D.
std::vector<AggregatedFeatures> aggregate_slices(const RoiImage& roi, const TexturePlan& plan, const MatrixFn& build,
                                                 const FeatureFn& features, std::size_t nfeatures);

// Emits the size-zone feature set with the names given in order
// {se, le, lge, hge, slge, shge, llge, lhge, glnu, glnun, snu, snun, perc, glv, sv, entropy, energy};
// an empty name skips that feature.
struct NamedTag {
  std::string name;
  std::string tag;
};
FeatureVector size_zone_vector(const TexMat& t);
void emit(FeatureSink& out, const std::vector<AggregatedFeatures>& agg, const std::vector<NamedTag>& names,
          const std::string& reason);

}  // namespace gliolens::radiomics
