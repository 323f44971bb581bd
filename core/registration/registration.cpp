#include "core/registration/registration.hpp"

#include "core/errors.hpp"
#include "core/imaging/resample.hpp"
#include "core/registration/mattes_mi.hpp"
#include "core/registration/pyramid.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <sstream>

namespace gliolens::registration {
namespace {

void check_image(const Volume& v, const char* role) {
  if (v.grid.voxel_count() == 0 || v.voxels.size() != v.grid.voxel_count()) {
    throw InvalidInputError(std::string("registration: the ") + role + " image '" + v.name + "' is empty");
  }
}

void check_mask(const Volume* mask, const Volume& image, const char* role) {
  if (!mask) return;
  if (mask->grid.dims != image.grid.dims || mask->voxels.size() != image.voxels.size()) {
    throw InvalidInputError(std::string("registration: the ") + role + " mask '" + mask->name +
                            "' is not on the grid of '" + image.name + "'");
  }
  if (std::none_of(mask->voxels.begin(), mask->voxels.end(), [](float v) { return v != 0.0f; })) {
    throw InvalidInputError(std::string("registration: the ") + role + " mask '" + mask->name + "' is empty");
  }
}

// The box around the fixed image's voxels above its minimum, 10 mm wider on every side: samples on the background
// just outside the head anchor its outline (a mask of the head alone lets mutual information grow by shrinking the
// head into the moving image's interior).
Volume default_fixed_mask(const Volume& fixed) {
  const float lowest = *std::min_element(fixed.voxels.begin(), fixed.voxels.end());
  const auto& d = fixed.grid.dims;
  std::array<std::int64_t, 3> lo{d[0], d[1], d[2]}, hi{-1, -1, -1};
  for (std::int64_t k = 0; k < d[2]; ++k)
    for (std::int64_t j = 0; j < d[1]; ++j)
      for (std::int64_t i = 0; i < d[0]; ++i) {
        if (fixed.at(i, j, k) <= lowest) continue;
        const std::array<std::int64_t, 3> p{i, j, k};
        for (int a = 0; a < 3; ++a) {
          lo[a] = std::min(lo[a], p[a]);
          hi[a] = std::max(hi[a], p[a]);
        }
      }
  Volume mask;
  mask.grid = fixed.grid;
  mask.name = fixed.name + " (its content's box)";
  mask.voxels.assign(fixed.voxels.size(), 0.0f);
  if (hi[0] < 0) return mask;  // one intensity throughout: the metric says so
  const auto spacing = fixed.grid.spacing();
  for (int a = 0; a < 3; ++a) {
    const auto margin = static_cast<std::int64_t>(std::ceil(10.0 / spacing[a]));
    lo[a] = std::max<std::int64_t>(0, lo[a] - margin);
    hi[a] = std::min<std::int64_t>(d[a] - 1, hi[a] + margin);
  }
  for (std::int64_t k = lo[2]; k <= hi[2]; ++k)
    for (std::int64_t j = lo[1]; j <= hi[1]; ++j)
      for (std::int64_t i = lo[0]; i <= hi[0]; ++i) mask.voxels[fixed.grid.index(i, j, k)] = 1.0f;
  return mask;
}

Volume strip(const Volume& image, const Volume& mask) {
  Volume out = image;
  const float lowest = *std::min_element(image.voxels.begin(), image.voxels.end());
  for (std::size_t n = 0; n < out.voxels.size(); ++n)
    if (mask.voxels[n] == 0.0f) out.voxels[n] = lowest;
  return out;
}

Eigen::Vector3d world_of(const Grid& g, std::int64_t i, std::int64_t j, std::int64_t k) {
  return (g.affine * Eigen::Vector4d(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k), 1.0))
      .head<3>();
}

// Intensity-weighted centre of mass (intensities above the image's minimum) within `mask` (all voxels without one).
Eigen::Vector3d centre_of_mass(const Volume& v, const Volume* mask) {
  const float lowest = *std::min_element(v.voxels.begin(), v.voxels.end());
  Eigen::Vector3d sum = Eigen::Vector3d::Zero();
  double weight = 0;
  const auto& d = v.grid.dims;
  for (std::int64_t k = 0; k < d[2]; ++k)
    for (std::int64_t j = 0; j < d[1]; ++j)
      for (std::int64_t i = 0; i < d[0]; ++i) {
        const std::size_t n = v.grid.index(i, j, k);
        if (mask && mask->voxels[n] == 0.0f) continue;
        const double w = v.voxels[n] - lowest;
        if (w <= 0) continue;
        sum += w * world_of(v.grid, i, j, k);
        weight += w;
      }
  if (weight <= 0) throw InvalidInputError("registration: the image '" + v.name + "' has no signal to centre on");
  return sum / weight;
}

// splitmix64 (Steele, Lea & Flood 2014): the same numbers natively and in WebAssembly, unlike std's distributions.
class Random {
public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  double uniform() {  // [0, 1)
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
  }

private:
  std::uint64_t state_;
};

// About `count` masked voxels of `image`, each kept with the same chance (seeded: the same points on every run and
// platform) and moved by up to half a voxel along each axis, its intensity interpolated there: points off the grid,
// so that mutual information does not peak where the two grids happen to align (Pluim et al. 2000).
FixedSamples sample_fixed(const Volume& image, const Volume& mask, int count) {
  const auto inside = static_cast<std::size_t>(
      std::count_if(mask.voxels.begin(), mask.voxels.end(), [](float v) { return v != 0.0f; }));
  const double keep = std::min(1.0, static_cast<double>(std::max(count, 1)) / static_cast<double>(std::max<std::size_t>(inside, 1)));
  FixedSamples s;
  s.points.reserve(static_cast<std::size_t>(keep * static_cast<double>(inside) * 1.1) + 16);
  s.values.reserve(s.points.capacity());
  const auto& d = image.grid.dims;
  Random random(0x676c696f6c656e73ULL);
  for (std::int64_t k = 0; k < d[2]; ++k)
    for (std::int64_t j = 0; j < d[1]; ++j)
      for (std::int64_t i = 0; i < d[0]; ++i) {
        const std::size_t n = image.grid.index(i, j, k);
        if (mask.voxels[n] == 0.0f || random.uniform() >= keep) continue;
        std::array<double, 3> p{static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)};
        for (int a = 0; a < 3; ++a) {
          if (d[a] > 1) p[a] = std::clamp(p[a] + random.uniform() - 0.5, 0.0, static_cast<double>(d[a] - 1));
        }
        s.points.push_back((image.grid.affine * Eigen::Vector4d(p[0], p[1], p[2], 1.0)).head<3>());
        s.values.push_back(static_cast<float>(sample(image, p, Interpolator::linear)));
      }
  return s;
}

// One pyramid level of an image (and its mask): its own coarser copy, or the image itself at full resolution.
struct Level {
  Volume own;
  const Volume* image = nullptr;
  Volume own_mask;
  const Volume* mask = nullptr;

  Level(const Volume& full, const Volume* full_mask, double spacing_mm) {
    if (pyramid_coarsens(full.grid, spacing_mm)) {
      own = pyramid_level(full, spacing_mm);
      image = &own;
      if (full_mask) {
        own_mask = pyramid_level_mask(*full_mask, spacing_mm);
        mask = &own_mask;
      }
    } else {
      image = &full;
      mask = full_mask;
    }
  }
  Level(const Level&) = delete;
  Level& operator=(const Level&) = delete;
};

double rms_radius(const FixedSamples& s, const Eigen::Vector3d& centre) {
  double sum = 0;
  for (const auto& p : s.points) sum += (p - centre).squaredNorm();
  return std::max(10.0, std::sqrt(sum / static_cast<double>(std::max<std::size_t>(1, s.points.size()))));
}

struct StageOutcome {
  int iterations = 0;
  bool converged = false;
};

// Regular-step gradient ascent (ITK's RegularStepGradientDescent): a step of `step_mm` along the scaled gradient's
// direction, shrunk by `relaxation` whenever the gradient turns back, until it falls below the minimum step.
StageOutcome ascend(const MattesMutualInformation& metric, Transform& t, const Eigen::VectorXd& scales, double step_mm,
                    const Options& o) {
  StageOutcome out;
  Eigen::VectorXd previous;
  double step = step_mm;
  for (; out.iterations < o.max_iterations; ++out.iterations) {
    const MetricValue v = metric.evaluate(t, true);
    const Eigen::VectorXd scaled = v.gradient.cwiseQuotient(scales);
    const double norm = scaled.norm();
    if (!(norm > 0) || !std::isfinite(norm)) {
      out.converged = true;
      break;
    }
    if (previous.size() == scaled.size() && scaled.dot(previous) < 0) step *= o.relaxation;
    if (step < o.min_step_mm) {
      out.converged = true;
      break;
    }
    t.parameters += (step / norm) * scaled.cwiseQuotient(scales);
    previous = scaled;
  }
  return out;
}

double rotation_angle_degrees(const Eigen::Matrix3d& linear) {
  // The rotation nearest to the linear part (polar decomposition through the SVD).
  const Eigen::JacobiSVD<Eigen::Matrix3d> svd(linear, Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::Matrix3d r = svd.matrixU() * svd.matrixV().transpose();
  const double c = std::clamp((r.trace() - 1.0) / 2.0, -1.0, 1.0);
  return std::acos(c) * 180.0 / std::numbers::pi;
}

std::string percent(double share) {
  std::ostringstream s;
  s.precision(3);
  s << share * 100.0 << "%";
  return s.str();
}

}  // namespace

Result register_images(const Volume& fixed, const Volume& moving, const Options& o, const Masks& masks) {
  check_image(fixed, "fixed");
  check_image(moving, "moving");
  check_mask(masks.fixed, fixed, "fixed");
  check_mask(masks.moving, moving, "moving");
  if (o.level_spacings_mm.empty()) throw InvalidInputError("registration: no pyramid level given");
  if (o.samples < 100) throw InvalidInputError("registration: at least 100 samples per level are needed");
  if (o.max_iterations < 1 || !(o.min_step_mm > 0) || !(o.relaxation > 0 && o.relaxation < 1)) {
    throw InvalidInputError("registration: iterations, minimum step and relaxation must be positive (relaxation < 1)");
  }
  // A brain mask strips its image (outside it: the image's minimum, as background), and the samples then cover the
  // box around what is left, background included: the stripped outline is the one both images share.
  const Volume stripped_fixed = masks.fixed ? strip(fixed, *masks.fixed) : Volume{};
  const Volume stripped_moving = masks.moving ? strip(moving, *masks.moving) : Volume{};
  const Volume& fixed_image = masks.fixed ? stripped_fixed : fixed;
  const Volume& moving_image = masks.moving ? stripped_moving : moving;
  const Volume fixed_mask = default_fixed_mask(fixed_image);

  const Eigen::Vector3d fixed_centre = centre_of_mass(fixed_image, nullptr);
  Transform rigid = Transform::identity(TransformKind::rigid, fixed_centre);
  if (o.initialisation == Initialisation::moments) {
    rigid.parameters.tail<3>() = centre_of_mass(moving_image, nullptr) - fixed_centre;
  }

  Result result;
  const std::vector<TransformKind> stages = o.kind == TransformKind::affine
                                                ? std::vector<TransformKind>{TransformKind::rigid, TransformKind::affine}
                                                : std::vector<TransformKind>{TransformKind::rigid};
  // The pyramid, built once for every stage.
  std::vector<std::unique_ptr<Level>> fixed_levels, moving_levels;
  for (const double spacing : o.level_spacings_mm) {
    fixed_levels.push_back(std::make_unique<Level>(fixed_image, &fixed_mask, spacing));
    moving_levels.push_back(std::make_unique<Level>(moving_image, nullptr, spacing));
  }
  Transform t = rigid;
  for (const TransformKind stage : stages) {
    if (stage == TransformKind::affine) t = Transform::affine_from(t);
    bool stage_converged = true;
    for (std::size_t l = 0; l < o.level_spacings_mm.size(); ++l) {
      const double spacing = o.level_spacings_mm[l];
      const Level& f = *fixed_levels[l];
      const Level& m = *moving_levels[l];
      const MattesMutualInformation metric(sample_fixed(*f.image, *f.mask, o.samples), *m.image, m.mask, o.bins);
      if (result.levels.empty()) {
        const MetricValue start = metric.evaluate(t, false);
        if (static_cast<double>(start.valid_samples) < 0.05 * static_cast<double>(metric.sample_count())) {
          throw InvalidInputError("registration: '" + moving.name + "' and '" + fixed.name +
                                  "' barely overlap at the start (" +
                                  percent(static_cast<double>(start.valid_samples) /
                                          static_cast<double>(metric.sample_count())) +
                                  " of the fixed samples fall inside the moving image); try moments initialisation");
        }
      }
      const Eigen::VectorXd scales = t.scales(rms_radius(sample_fixed(*f.image, *f.mask, 2000), t.centre));
      // The first step is about one voxel of the level (half that for the affine stage, which starts close).
      const double first_step = (stage == TransformKind::affine ? 0.5 : 1.0) * spacing;
      const StageOutcome outcome = ascend(metric, t, scales, first_step, o);
      const MetricValue end = metric.evaluate(t, false);
      result.levels.push_back({stage == TransformKind::rigid ? "rigid" : "affine", spacing, outcome.iterations,
                               outcome.converged, end.mutual_information, metric.sample_count()});
      result.iterations += outcome.iterations;
      stage_converged = stage_converged && outcome.converged;
    }
    result.converged = stage_converged;
  }
  fixed_levels.clear();
  moving_levels.clear();

  // The quality numbers at full resolution.
  const MattesMutualInformation finest(sample_fixed(fixed_image, fixed_mask, o.samples), moving_image, nullptr, o.bins);
  const MetricValue start = finest.evaluate(rigid, false);
  const MetricValue end = finest.evaluate(t, false);
  result.transform = t;
  result.matrix = t.matrix();
  result.mutual_information = end.mutual_information;
  result.normalized_mutual_information = end.normalized_mutual_information;
  result.initial_mutual_information = start.mutual_information;
  // Overlap is judged on the fixed image's content alone (its voxels above the minimum), not on the background box
  // around it, which may reach beyond a moving image with a tighter field of view.
  Volume content = fixed_image;
  const float lowest = *std::min_element(fixed_image.voxels.begin(), fixed_image.voxels.end());
  for (auto& v : content.voxels) v = v > lowest ? 1.0f : 0.0f;
  const FixedSamples content_samples = sample_fixed(fixed_image, content, o.samples);
  std::size_t inside = 0;
  const Eigen::Matrix4d to_moving_voxel = moving.grid.affine.inverse() * result.matrix;
  for (const auto& p : content_samples.points) {
    const Eigen::Vector3d v = (to_moving_voxel * p.homogeneous()).head<3>();
    bool in = true;
    for (int d = 0; d < 3; ++d) in = in && v[d] >= -0.5 && v[d] <= static_cast<double>(moving.grid.dims[d]) - 0.5;
    if (in) ++inside;
  }
  result.overlap = static_cast<double>(inside) / static_cast<double>(std::max<std::size_t>(1, content_samples.points.size()));

  if (result.overlap < 0.9) {
    result.warnings.push_back("only " + percent(result.overlap) + " of the fixed image's sampled voxels map inside '" +
                              moving.name + "': the images may cover different regions or the result is off");
  }
  if (!result.converged) {
    result.warnings.push_back("the optimiser stopped on its iteration limit before settling");
  }
  if (end.mutual_information < start.mutual_information) {
    result.warnings.push_back("mutual information is lower than at the start: the registration probably failed");
  }
  const Eigen::Matrix3d linear = t.linear();
  const double angle = rotation_angle_degrees(linear);
  if (angle > 30.0) {
    result.warnings.push_back("the result rotates by " + std::to_string(static_cast<int>(std::lround(angle))) +
                              " degrees: more than a head turns in a scanner, check the overlay");
  }
  if (o.kind == TransformKind::affine) {
    const Eigen::JacobiSVD<Eigen::Matrix3d> svd(linear);
    const auto sv = svd.singularValues();
    if (sv.maxCoeff() > 1.5 || sv.minCoeff() < 1.0 / 1.5) {
      result.warnings.push_back("the result scales an axis by less than 2/3 or more than 3/2: check the overlay");
    }
  }
  return result;
}

}  // namespace gliolens::registration
