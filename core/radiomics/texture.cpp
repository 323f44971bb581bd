#include "core/radiomics/texture.hpp"

namespace gliolens::radiomics {
namespace {

FeatureVector nan_vector(std::size_t n) { return FeatureVector(n, std::numeric_limits<double>::quiet_NaN()); }

struct Averager {
  FeatureVector sum;
  std::vector<double> count;
  explicit Averager(std::size_t n) : sum(n, 0.0), count(n, 0.0) {}
  void add(const FeatureVector& v) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (std::isfinite(v[i])) {
        sum[i] += v[i];
        count[i] += 1;
      }
  }
  [[nodiscard]] FeatureVector mean() const {
    FeatureVector r(sum.size());
    for (std::size_t i = 0; i < sum.size(); ++i)
      r[i] = count[i] > 0 ? sum[i] / count[i] : std::numeric_limits<double>::quiet_NaN();
    return r;
  }
};

}  // namespace

std::vector<int> roi_slices(const RoiImage& roi) {
  std::vector<int> s;
  for (int k = 0; k < roi.dims[2]; ++k) {
    bool any = false;
    for (int j = 0; j < roi.dims[1] && !any; ++j)
      for (int i = 0; i < roi.dims[0] && !any; ++i) any = roi.levels[roi.idx(i, j, k)] > 0;
    if (any) s.push_back(k);
  }
  return s;
}

std::vector<AggregatedFeatures> aggregate_directional(const RoiImage& roi, const TexturePlan& plan, const MatrixFn& build,
                                                      const FeatureFn& features, std::size_t nf) {
  std::vector<AggregatedFeatures> out;
  auto eval = [&](const TexMat& t) { return t.empty() ? nan_vector(nf) : features(t); };
  if (plan.d2 || plan.d25) {
    // One slice's matrices at a time: the 2D aggregations need only that slice, the 2.5D ones a running sum
    // per direction (the matrices of all slices at once took ~1.8 GB on a 232k-voxel region).
    Averager avg(nf), smrg(nf);
    std::array<TexMat, 4> per_direction;
    for (const int slice : roi_slices(roi)) {
      TexMat merged;
      for (int d = 0; d < 4; ++d) {
        const TexMat t = build(slice, kDirections[d]);
        if (plan.d2) {
          if (!t.empty()) avg.add(eval(t));
          merged.add(t);
        }
        if (plan.d25) per_direction[d].add(t);
      }
      if (plan.d2 && !merged.empty()) smrg.add(eval(merged));
    }
    if (plan.d2) {
      out.push_back({"2D, averaged", avg.mean()});
      out.push_back({"2D, slice-merged", smrg.mean()});
    }
    if (plan.d25) {
      Averager dmrg(nf);
      TexMat all;
      for (const TexMat& dir : per_direction) {
        if (!dir.empty()) dmrg.add(eval(dir));
        all.add(dir);
      }
      out.push_back({"2.5D, direction-merged", dmrg.mean()});
      out.push_back({"2.5D, merged", eval(all)});
    }
  }
  if (plan.d3) {
    Averager avg(nf);
    TexMat all;
    for (const auto& d : kDirections) {
      TexMat t = build(-1, d);
      if (!t.empty()) avg.add(eval(t));
      all.add(t);
    }
    out.push_back({"3D, averaged", avg.mean()});
    out.push_back({"3D, merged", eval(all)});
  }
  return out;
}

std::vector<AggregatedFeatures> aggregate_slices(const RoiImage& roi, const TexturePlan& plan, const MatrixFn& build,
                                                 const FeatureFn& features, std::size_t nf) {
  std::vector<AggregatedFeatures> out;
  auto eval = [&](const TexMat& t) { return t.empty() ? nan_vector(nf) : features(t); };
  const std::array<int, 3> none{0, 0, 0};
  if (plan.d2 || plan.d25) {
    Averager avg(nf);
    TexMat all;
    for (int k : roi_slices(roi)) {
      TexMat t = build(k, none);
      if (!t.empty()) avg.add(eval(t));
      all.add(t);
    }
    if (plan.d2) out.push_back({"2D", avg.mean()});
    if (plan.d25) out.push_back({"2.5D", eval(all)});
  }
  if (plan.d3) out.push_back({"3D", eval(build(-1, none))});
  return out;
}

FeatureVector size_zone_vector(const TexMat& t) {
  const SizeZoneStats s = size_zone_stats(t.m, t.nv);
  return {s.se, s.le, s.lge, s.hge, s.slge, s.shge, s.llge, s.lhge, s.glnu, s.glnun, s.snu, s.snun, s.perc,
          s.glv, s.sv, s.entropy, s.energy};
}

void emit(FeatureSink& out, const std::vector<AggregatedFeatures>& agg, const std::vector<NamedTag>& names,
          const std::string& reason) {
  const bool py = out.mode() == Mode::pyradiomics;
  for (const auto& a : agg) {
    // PyRadiomics: per-direction matrices averaged (3D; force2D: in-plane directions over all slices).
    if (py && a.aggregation != out.pyradiomics_directional && a.aggregation != "3D" && a.aggregation != "2.5D")
      continue;
    for (std::size_t i = 0; i < names.size() && i < a.values.size(); ++i) {
      if (names[i].name.empty()) continue;
      out.add(names[i].name, names[i].tag, py ? std::string{} : a.aggregation, a.values[i], reason);
    }
  }
}

}  // namespace gliolens::radiomics
