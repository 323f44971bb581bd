// Texture-matrix plumbing shared by the texture families: matrices with their voxel count, and IBSI's
// aggregation of per-slice / per-direction matrices (2D averaged, 2D slice-merged, 2.5D direction-merged,
// 2.5D merged, 3D averaged, 3D merged; for non-directional matrices 2D, 2.5D, 3D).
#pragma once
#include "core/radiomics/internal.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace gliolens::radiomics {

struct TexMat {
  Eigen::MatrixXd m;  // rows: grey levels 1..ng; columns: family-specific
  double nv = 0;      // number of voxels the matrix was built from (for percentages)
  [[nodiscard]] bool empty() const { return m.size() == 0 || m.sum() <= 0; }
  void add(const TexMat& o) {
    if (o.m.size() == 0) {
      nv += o.nv;
      return;
    }
    if (m.size() == 0) m = Eigen::MatrixXd::Zero(o.m.rows(), o.m.cols());
    const Eigen::Index r = std::max(m.rows(), o.m.rows()), c = std::max(m.cols(), o.m.cols());
    if (r != m.rows() || c != m.cols()) {
      Eigen::MatrixXd t = Eigen::MatrixXd::Zero(r, c);
      t.topLeftCorner(m.rows(), m.cols()) = m;
      m = std::move(t);
    }
    m.topLeftCorner(o.m.rows(), o.m.cols()) += o.m;
    nv += o.nv;
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
