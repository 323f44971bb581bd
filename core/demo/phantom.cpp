#include "core/demo/phantom.hpp"

#include <cmath>
#include <numbers>
#include <random>

namespace gliolens {
namespace {

enum Tissue : int { outside, csf, grey, white, edema, enhancing, necrotic, tissue_count };

// Intensities per tissue, modality-typical (T1: WM bright, CSF dark; T1c: enhancing rim brightest;
// T2: CSF and necrosis bright; FLAIR: CSF suppressed, edema bright).
struct Contrast {
  std::array<float, tissue_count> t1{0, 300, 650, 900, 560, 600, 380};
  std::array<float, tissue_count> t1c{0, 310, 680, 920, 590, 1500, 360};
  std::array<float, tissue_count> t2{0, 1800, 820, 520, 1350, 1000, 1650};
  std::array<float, tissue_count> flair{0, 160, 620, 460, 1150, 900, 700};
};

// A smooth random field in [-1, 1]: a few random plane waves, so shapes are irregular but smooth.
class SmoothField {
public:
  SmoothField(std::mt19937_64& rng, int waves, double wavelength_mm) {
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> phase(0.0, 2 * std::numbers::pi);
    for (int w = 0; w < waves; ++w) {
      Eigen::Vector3d k(normal(rng), normal(rng), normal(rng));
      k *= 2 * std::numbers::pi / (wavelength_mm * k.norm());
      waves_.push_back({k, phase(rng)});
    }
  }
  [[nodiscard]] double operator()(const Eigen::Vector3d& p) const {
    double sum = 0;
    for (const auto& w : waves_) sum += std::sin(w.k.dot(p) + w.phase);
    return sum / static_cast<double>(waves_.size());
  }

private:
  struct Wave { Eigen::Vector3d k; double phase; };
  std::vector<Wave> waves_;
};

double ellipsoid_radius(const Eigen::Vector3d& p, const Eigen::Vector3d& centre, const Eigen::Vector3d& semi_axes) {
  return (p - centre).cwiseQuotient(semi_axes).norm();
}

Volume empty_like(const Grid& grid, const std::string& name, const std::string& datatype) {
  Volume v;
  v.grid = grid;
  v.voxels.assign(grid.voxel_count(), 0.0f);
  v.name = name;
  v.source_datatype = datatype;
  return v;
}

// 3x3x3 mean within the brain: partial-volume edges instead of staircase ones.
void soften(Volume& v, const std::vector<std::uint8_t>& tissue) {
  const auto& d = v.grid.dims;
  std::vector<float> out = v.voxels;
  for (std::int64_t k = 1; k + 1 < d[2]; ++k)
    for (std::int64_t j = 1; j + 1 < d[1]; ++j)
      for (std::int64_t i = 1; i + 1 < d[0]; ++i) {
        const auto c = v.grid.index(i, j, k);
        if (tissue[c] == outside) continue;
        float sum = 0;
        int n = 0;
        for (int dk = -1; dk <= 1; ++dk)
          for (int dj = -1; dj <= 1; ++dj)
            for (int di = -1; di <= 1; ++di) {
              const auto q = v.grid.index(i + di, j + dj, k + dk);
              if (tissue[q] == outside) continue;
              sum += v.voxels[q];
              ++n;
            }
        out[c] = sum / static_cast<float>(n);
      }
  v.voxels = std::move(out);
}

}  // namespace

DemoCase make_demo_case(const PhantomOptions& options) {
  std::mt19937_64 rng(options.seed);
  Grid grid;
  grid.dims = options.dims;
  grid.affine = Eigen::Matrix4d::Identity();
  grid.affine.block<3, 1>(0, 3) = -0.5 * Eigen::Vector3d(static_cast<double>(grid.dims[0] - 1),
                                                        static_cast<double>(grid.dims[1] - 1),
                                                        static_cast<double>(grid.dims[2] - 1));
  grid.qform = grid.sform = grid.affine;
  grid.qform_code = grid.sform_code = 1;  // scanner coordinates

  const SmoothField cortex_folds(rng, 24, 18.0);
  const SmoothField tumour_shape(rng, 16, 30.0);
  const SmoothField edema_shape(rng, 16, 45.0);
  const SmoothField bias(rng, 6, 250.0);

  const Eigen::Vector3d brain_centre(0, 0, 0), brain_axes(66, 84, 60);
  const Eigen::Vector3d tumour_centre(28, 12, 14);
  const Eigen::Vector3d ventricle_left(-9, 2, 6), ventricle_right(9, 2, 6), ventricle_axes(5, 20, 9);

  std::vector<std::uint8_t> tissue(grid.voxel_count(), outside);
  DemoCase c;
  c.segmentation = empty_like(grid, "demo_seg", "UINT8");
  for (std::int64_t k = 0; k < grid.dims[2]; ++k)
    for (std::int64_t j = 0; j < grid.dims[1]; ++j)
      for (std::int64_t i = 0; i < grid.dims[0]; ++i) {
        const Eigen::Vector3d p = (grid.affine * Eigen::Vector4d(double(i), double(j), double(k), 1)).head<3>();
        const double r_brain = ellipsoid_radius(p, brain_centre, brain_axes);
        if (r_brain > 1.0) continue;
        const auto idx = grid.index(i, j, k);
        Tissue t = white;
        if (r_brain > 0.90 + 0.04 * cortex_folds(p)) t = grey;
        if (r_brain > 0.985) t = csf;
        if (ellipsoid_radius(p, ventricle_left, ventricle_axes) < 1.0 ||
            ellipsoid_radius(p, ventricle_right, ventricle_axes) < 1.0) t = csf;
        const double d_tumour = (p - tumour_centre).norm();
        const double lump = 1.0 + 0.18 * tumour_shape(p);
        TumourLabel label = TumourLabel::background;
        if (d_tumour < 29.0 * (1.0 + 0.25 * edema_shape(p)) && t != csf) { t = edema; label = TumourLabel::edema; }
        if (d_tumour < 15.0 * lump) { t = enhancing; label = TumourLabel::enhancing; }
        if (d_tumour < 9.5 * lump) { t = necrotic; label = TumourLabel::necrotic_core; }
        tissue[idx] = static_cast<std::uint8_t>(t);
        c.segmentation.voxels[idx] = static_cast<float>(label);
      }

  const Contrast contrast;
  const auto synthesise = [&](const std::array<float, tissue_count>& table, const std::string& name) {
    Volume v = empty_like(grid, name, "INT16");
    for (std::size_t n = 0; n < tissue.size(); ++n) v.voxels[n] = table[tissue[n]];
    soften(v, tissue);
    std::normal_distribution<float> noise(0.0f, static_cast<float>(options.noise_fraction) * table[white]);
    for (std::int64_t k = 0; k < grid.dims[2]; ++k)
      for (std::int64_t j = 0; j < grid.dims[1]; ++j)
        for (std::int64_t i = 0; i < grid.dims[0]; ++i) {
          const auto idx = grid.index(i, j, k);
          if (tissue[idx] == outside) continue;
          const Eigen::Vector3d p = (grid.affine * Eigen::Vector4d(double(i), double(j), double(k), 1)).head<3>();
          const float gain = static_cast<float>(1.0 + 0.08 * bias(p));
          v.voxels[idx] = std::max(1.0f, std::round(v.voxels[idx] * gain + noise(rng)));
        }
    return v;
  };
  c.t1 = synthesise(contrast.t1, "demo_t1");
  c.t1c = synthesise(contrast.t1c, "demo_t1ce");
  c.t2 = synthesise(contrast.t2, "demo_t2");
  c.flair = synthesise(contrast.flair, "demo_flair");
  return c;
}

}  // namespace gliolens
