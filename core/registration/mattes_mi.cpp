#include "core/registration/mattes_mi.hpp"

#include "core/errors.hpp"
#include "core/imaging/bspline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gliolens::registration {
namespace {

// Bins kept empty at each end of the histogram, so that the cubic window of the extreme intensities stays inside.
constexpr int padding = 2;

double bspline_derivative(double u) {
  const double a = std::abs(u);
  if (a < 1.0) return -2.0 * u + 1.5 * u * a;
  if (a < 2.0) return -(u > 0 ? 1.0 : -1.0) * (2.0 - a) * (2.0 - a) / 2.0;
  return 0.0;
}

}  // namespace

MattesMutualInformation::MattesMutualInformation(FixedSamples samples, const Volume& moving,
                                                 const Volume* moving_mask, int bins)
    : samples_(std::move(samples)), moving_(moving), moving_mask_(moving_mask), bins_(bins) {
  if (bins_ < 8) throw InvalidInputError("registration: at least 8 histogram bins are needed");
  if (samples_.points.empty() || samples_.points.size() != samples_.values.size()) {
    throw InvalidInputError("registration: the fixed image has no voxel to sample (empty image or empty mask)");
  }
  if (moving_.grid.voxel_count() == 0 || moving_.voxels.size() != moving_.grid.voxel_count()) {
    throw InvalidInputError("registration: the moving image '" + moving_.name + "' is empty");
  }
  if (moving_mask_ && moving_mask_->grid.dims != moving_.grid.dims) {
    throw InvalidInputError("registration: the moving mask's grid differs from the moving image '" + moving_.name + "'");
  }
  const Eigen::Matrix3d linear = moving_.grid.affine.block<3, 3>(0, 0);
  if (std::abs(linear.determinant()) < 1e-12) {
    throw InvalidInputError(moving_.name + ": singular voxel-to-world affine, cannot register");
  }
  world_to_moving_voxel_ = moving_.grid.affine.inverse();
  voxel_gradient_to_world_ = world_to_moving_voxel_.block<3, 3>(0, 0).transpose();

  const auto [fmin_it, fmax_it] = std::minmax_element(samples_.values.begin(), samples_.values.end());
  const double fixed_min = *fmin_it;
  const double fixed_max = *fmax_it;
  const auto [mmin_it, mmax_it] = std::minmax_element(moving_.voxels.begin(), moving_.voxels.end());
  moving_min_ = *mmin_it;
  const double moving_max = *mmax_it;
  if (!(fixed_max > fixed_min)) throw InvalidInputError("registration: the fixed image's samples are all one intensity");
  if (!(moving_max > moving_min_)) {
    throw InvalidInputError("registration: the moving image '" + moving_.name + "' is all one intensity");
  }
  const double usable = static_cast<double>(bins_ - 2 * padding - 1);
  moving_bin_size_ = (moving_max - moving_min_) / usable;
  const double fixed_bin_size = (fixed_max - fixed_min) / usable;
  fixed_bins_.resize(samples_.values.size());
  for (std::size_t i = 0; i < samples_.values.size(); ++i) {
    const auto bin = static_cast<int>(std::floor((samples_.values[i] - fixed_min) / fixed_bin_size)) + padding;
    fixed_bins_[i] = std::clamp(bin, padding, bins_ - padding - 1);
  }
}

MattesMutualInformation::MovingSample MattesMutualInformation::sample_moving(const Eigen::Vector3d& world) const {
  MovingSample out;
  const Eigen::Vector3d p = (world_to_moving_voxel_ * world.homogeneous()).head<3>();
  const auto& dims = moving_.grid.dims;
  std::array<std::int64_t, 3> lo{};
  std::array<double, 3> f{};
  for (int d = 0; d < 3; ++d) {
    const double n = static_cast<double>(dims[d]);
    if (dims[d] == 1) {
      // A single-slice axis: the image is constant along it within half a voxel.
      if (std::abs(p[d]) > 0.5) return out;
      lo[d] = 0;
      f[d] = 0;
      continue;
    }
    if (!(p[d] >= 0.0 && p[d] <= n - 1.0)) return out;
    lo[d] = std::min(static_cast<std::int64_t>(p[d]), dims[d] - 2);
    f[d] = p[d] - static_cast<double>(lo[d]);
  }
  if (moving_mask_) {
    const auto nearest = [&](int d) { return std::min(lo[d] + (f[d] >= 0.5 ? 1 : 0), dims[d] - 1); };
    if (moving_mask_->at(nearest(0), nearest(1), nearest(2)) == 0.0f) return out;
  }
  const std::int64_t sx = 1;
  const std::int64_t sy = dims[0];
  const std::int64_t sz = dims[0] * dims[1];
  const std::array<std::int64_t, 3> step{dims[0] > 1 ? sx : 0, dims[1] > 1 ? sy : 0, dims[2] > 1 ? sz : 0};
  const float* base = moving_.voxels.data() + moving_.grid.index(lo[0], lo[1], lo[2]);
  // The eight corners, x fastest.
  std::array<double, 8> c{};
  for (int n = 0; n < 8; ++n) {
    c[static_cast<std::size_t>(n)] =
        base[((n & 1) ? step[0] : 0) + ((n & 2) ? step[1] : 0) + ((n & 4) ? step[2] : 0)];
  }
  const double fx = f[0], fy = f[1], fz = f[2];
  const double c00 = c[0] + fx * (c[1] - c[0]), c10 = c[2] + fx * (c[3] - c[2]);
  const double c01 = c[4] + fx * (c[5] - c[4]), c11 = c[6] + fx * (c[7] - c[6]);
  const double c0 = c00 + fy * (c10 - c00), c1 = c01 + fy * (c11 - c01);
  out.value = c0 + fz * (c1 - c0);
  // The trilinear interpolant's own derivative, so that the gradient is that of the value the metric uses.
  const double dx0 = (c[1] - c[0]) + fy * ((c[3] - c[2]) - (c[1] - c[0]));
  const double dx1 = (c[5] - c[4]) + fy * ((c[7] - c[6]) - (c[5] - c[4]));
  Eigen::Vector3d g;
  g[0] = dims[0] > 1 ? dx0 + fz * (dx1 - dx0) : 0.0;
  g[1] = dims[1] > 1 ? (c10 - c00) + fz * ((c11 - c01) - (c10 - c00)) : 0.0;
  g[2] = dims[2] > 1 ? c1 - c0 : 0.0;
  out.gradient = voxel_gradient_to_world_ * g;
  out.inside = true;
  return out;
}

MetricValue MattesMutualInformation::evaluate(const Transform& transform, bool with_gradient) const {
  const std::size_t n = samples_.points.size();
  const Eigen::Matrix4d m = transform.matrix();
  std::vector<MovingSample> moved(n);
  std::vector<double> joint(static_cast<std::size_t>(bins_ * bins_), 0.0);
  MetricValue out;
  for (std::size_t i = 0; i < n; ++i) {
    const Eigen::Vector3d y = (m * samples_.points[i].homogeneous()).head<3>();
    moved[i] = sample_moving(y);
    if (!moved[i].inside) continue;
    ++out.valid_samples;
    const double k = (moved[i].value - moving_min_) / moving_bin_size_ + padding;
    const auto first = static_cast<int>(std::floor(k)) - 1;
    double* row = joint.data() + static_cast<std::size_t>(fixed_bins_[i] * bins_);
    for (int b = first; b < first + 4; ++b) {
      if (b >= 0 && b < bins_) row[b] += bspline::basis(static_cast<double>(b) - k);
    }
  }
  if (out.valid_samples == 0) {
    throw InvalidInputError("registration: the images do not overlap ('" + moving_.name +
                            "' lies entirely outside the fixed image's sampled region under this transform)");
  }
  double total = 0;
  for (const double v : joint) total += v;
  std::vector<double> fixed_marginal(static_cast<std::size_t>(bins_), 0.0);
  std::vector<double> moving_marginal(static_cast<std::size_t>(bins_), 0.0);
  for (auto& v : joint) v /= total;
  for (int a = 0; a < bins_; ++a)
    for (int b = 0; b < bins_; ++b) {
      const double p = joint[static_cast<std::size_t>(a * bins_ + b)];
      fixed_marginal[static_cast<std::size_t>(a)] += p;
      moving_marginal[static_cast<std::size_t>(b)] += p;
    }
  // log(p(f, m) / p(m)): the factor the gradient weighs each bin's change by.
  std::vector<double> log_ratio(joint.size(), 0.0);
  double joint_entropy = 0, fixed_entropy = 0, moving_entropy = 0;
  for (int a = 0; a < bins_; ++a) {
    const double pf = fixed_marginal[static_cast<std::size_t>(a)];
    const double pm = moving_marginal[static_cast<std::size_t>(a)];
    if (pf > 1e-16) fixed_entropy -= pf * std::log(pf);
    if (pm > 1e-16) moving_entropy -= pm * std::log(pm);
  }
  for (int a = 0; a < bins_; ++a)
    for (int b = 0; b < bins_; ++b) {
      const auto ab = static_cast<std::size_t>(a * bins_ + b);
      const double p = joint[ab];
      if (p <= 1e-16) continue;
      const double pf = fixed_marginal[static_cast<std::size_t>(a)];
      const double pm = moving_marginal[static_cast<std::size_t>(b)];
      out.mutual_information += p * std::log(p / (pf * pm));
      joint_entropy -= p * std::log(p);
      log_ratio[ab] = std::log(p / pm);
    }
  if (joint_entropy > 0) out.normalized_mutual_information = (fixed_entropy + moving_entropy) / joint_entropy;
  if (!with_gradient) return out;

  out.gradient = Eigen::VectorXd::Zero(transform.size());
  const bool rigid = transform.kind == TransformKind::rigid;
  const auto rotation_derivatives = rigid ? euler_rotation_derivatives(transform.parameters[0], transform.parameters[1],
                                                                       transform.parameters[2])
                                          : std::array<Eigen::Matrix3d, 3>{};
  // dp/dmu = -(1 / (total * bin size)) sum_i beta3'(b - k_i) grad M . dT/dmu (the fixed kernel is a box).
  const double scale = -1.0 / (total * moving_bin_size_);
  for (std::size_t i = 0; i < n; ++i) {
    if (!moved[i].inside) continue;
    const double k = (moved[i].value - moving_min_) / moving_bin_size_ + padding;
    const auto first = static_cast<int>(std::floor(k)) - 1;
    const double* row = log_ratio.data() + static_cast<std::size_t>(fixed_bins_[i] * bins_);
    double weight = 0;
    for (int b = first; b < first + 4; ++b) {
      if (b >= 0 && b < bins_) weight += row[b] * bspline_derivative(static_cast<double>(b) - k);
    }
    if (weight == 0.0) continue;
    const Eigen::Vector3d g = (scale * weight) * moved[i].gradient;
    const Eigen::Vector3d d = samples_.points[i] - transform.centre;
    if (rigid) {
      for (int a = 0; a < 3; ++a) out.gradient[a] += g.dot(rotation_derivatives[static_cast<std::size_t>(a)] * d);
      out.gradient.tail<3>() += g;
    } else {
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) out.gradient[3 * r + c] += g[r] * d[c];
      out.gradient.tail<3>() += g;
    }
  }
  return out;
}

}  // namespace gliolens::registration
