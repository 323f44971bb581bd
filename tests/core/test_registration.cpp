// Registration (core/registration): Mattes mutual information, its analytic gradient, and the recovery of known
// rigid and affine transforms between two contrasts of a synthetic head.
#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/registration/apply.hpp"
#include "core/registration/mattes_mi.hpp"
#include "core/registration/registration.hpp"

#include <cmath>
#include <numbers>
#include <sstream>

namespace reg = gliolens::registration;
using gliolens::Volume;

namespace {

struct Blob {
  Eigen::Vector3d centre;
  double radius;
  double value;
};

// A head-like phantom, 2 mm voxels, world origin at the grid's centre: an ellipsoid "brain" with blobs of
// different intensity (asymmetric, so that every rotation shows). `contrast` remaps intensities as a second MR
// sequence would (non-monotonically), so that the images share structure but not grey values.
Volume phantom(bool second_contrast) {
  Volume v;
  v.name = second_contrast ? "phantom-t2" : "phantom-t1";
  v.grid.dims = {56, 64, 48};
  v.grid.affine = Eigen::Matrix4d::Identity();
  for (int d = 0; d < 3; ++d) {
    v.grid.affine(d, d) = 2.0;
    v.grid.affine(d, 3) = -static_cast<double>(v.grid.dims[d] - 1);
  }
  v.grid.qform = v.grid.sform = v.grid.affine;
  const std::vector<Blob> blobs{{{20, 10, 5}, 14, 0.9}, {{-25, -5, 10}, 10, 0.2}, {{0, 30, -10}, 12, 0.6},
                                {{5, -35, 0}, 9, 1.0},  {{-10, 10, -25}, 8, 0.3}, {{15, -10, 25}, 7, 0.8}};
  v.voxels.resize(v.grid.voxel_count());
  for (std::int64_t k = 0; k < v.grid.dims[2]; ++k)
    for (std::int64_t j = 0; j < v.grid.dims[1]; ++j)
      for (std::int64_t i = 0; i < v.grid.dims[0]; ++i) {
        const Eigen::Vector3d x = (v.grid.affine * Eigen::Vector4d(i, j, k, 1)).head<3>();
        const double e = (x[0] / 40) * (x[0] / 40) + (x[1] / 52) * (x[1] / 52) + (x[2] / 38) * (x[2] / 38);
        double value = 0;
        if (e < 1) {
          double tissue = 0.5;
          for (const auto& b : blobs) {
            const double r2 = (x - b.centre).squaredNorm() / (b.radius * b.radius);
            tissue += (b.value - 0.5) * std::exp(-r2);
          }
          value = second_contrast ? 100.0 * (1.2 - tissue) * (1.2 - tissue) + 5.0 : 100.0 * tissue + 20.0;
        }
        v.voxels[v.grid.index(i, j, k)] = static_cast<float>(value);
      }
  return v;
}

Eigen::Matrix4d rigid_matrix(double rx_deg, double ry_deg, double rz_deg, const Eigen::Vector3d& t) {
  const double k = std::numbers::pi / 180.0;
  Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
  m.block<3, 3>(0, 0) = reg::euler_rotation(rx_deg * k, ry_deg * k, rz_deg * k);
  m.block<3, 1>(0, 3) = t;
  return m;
}

// Mean distance (mm) between where two matrices send the fixed image's non-zero voxels.
double mean_displacement(const Volume& fixed, const Eigen::Matrix4d& a, const Eigen::Matrix4d& b) {
  double sum = 0;
  std::size_t n = 0;
  for (std::int64_t k = 0; k < fixed.grid.dims[2]; ++k)
    for (std::int64_t j = 0; j < fixed.grid.dims[1]; ++j)
      for (std::int64_t i = 0; i < fixed.grid.dims[0]; ++i) {
        if (fixed.at(i, j, k) == 0.0f) continue;
        const Eigen::Vector4d x = fixed.grid.affine * Eigen::Vector4d(i, j, k, 1);
        sum += ((a * x) - (b * x)).head<3>().norm();
        ++n;
      }
  return sum / static_cast<double>(n);
}

reg::FixedSamples all_nonzero(const Volume& v) {
  reg::FixedSamples s;
  for (std::int64_t k = 0; k < v.grid.dims[2]; ++k)
    for (std::int64_t j = 0; j < v.grid.dims[1]; ++j)
      for (std::int64_t i = 0; i < v.grid.dims[0]; ++i) {
        if (v.at(i, j, k) == 0.0f) continue;
        s.points.push_back((v.grid.affine * Eigen::Vector4d(i, j, k, 1)).head<3>());
        s.values.push_back(v.at(i, j, k));
      }
  return s;
}

}  // namespace

TEST_CASE("registration: transforms, their matrices and Jacobians", "[registration]") {
  reg::Transform t = reg::Transform::identity(reg::TransformKind::rigid, Eigen::Vector3d(10, -5, 3));
  t.parameters << 0.1, -0.2, 0.15, 3, -4, 5;
  const Eigen::Vector3d x(30, 20, -10);
  const Eigen::Vector3d y = (t.matrix() * x.homogeneous()).head<3>();
  const auto j = t.jacobian(x);
  for (int p = 0; p < t.size(); ++p) {
    reg::Transform h = t;
    h.parameters[p] += 1e-6;
    const Eigen::Vector3d yh = (h.matrix() * x.homogeneous()).head<3>();
    CHECK(((yh - y) / 1e-6 - j.col(p)).norm() < 1e-4);
  }
  const reg::Transform a = reg::Transform::affine_from(t);
  CHECK((a.matrix() - t.matrix()).norm() < 1e-12);
  CHECK(a.size() == 12);
}

TEST_CASE("registration: mutual information of an image with itself is largest at the identity", "[registration]") {
  const Volume image = phantom(false);
  const reg::MattesMutualInformation metric(all_nonzero(image), image);
  const reg::Transform identity = reg::Transform::identity(reg::TransformKind::rigid, Eigen::Vector3d::Zero());
  const double best = metric.evaluate(identity, false).mutual_information;
  const double best_normalized = metric.evaluate(identity, false).normalized_mutual_information;
  for (int p = 0; p < 6; ++p) {
    for (const double delta : {-1.0, 1.0}) {
      reg::Transform moved = identity;
      moved.parameters[p] = delta * (p < 3 ? 2.0 * std::numbers::pi / 180.0 : 1.0);  // 2 degrees or 1 mm
      CHECK(metric.evaluate(moved, false).mutual_information < best);
      CHECK(metric.evaluate(moved, false).normalized_mutual_information < best_normalized);
    }
  }
}

TEST_CASE("registration: the analytic gradient matches finite differences", "[registration]") {
  const Volume fixed = phantom(false);
  const Volume moving = phantom(true);
  const reg::MattesMutualInformation metric(all_nonzero(fixed), moving);
  for (const auto kind : {reg::TransformKind::rigid, reg::TransformKind::affine}) {
    reg::Transform t = reg::Transform::identity(kind, Eigen::Vector3d(1, 2, -1));
    if (kind == reg::TransformKind::rigid) {
      t.parameters << 0.05, -0.03, 0.04, 2.3, -1.7, 1.1;
    } else {
      t.parameters << 1.02, 0.03, -0.02, -0.04, 0.97, 0.05, 0.01, -0.03, 1.01, 2.3, -1.7, 1.1;
    }
    const Eigen::VectorXd analytic = metric.evaluate(t, true).gradient;
    const Eigen::VectorXd scales = t.scales(40.0);
    Eigen::VectorXd numeric(t.size());
    for (int p = 0; p < t.size(); ++p) {
      const double h = 1e-4 / scales[p];  // 0.1 um at the brain's radius
      reg::Transform plus = t, minus = t;
      plus.parameters[p] += h;
      minus.parameters[p] -= h;
      numeric[p] = (metric.evaluate(plus, false).mutual_information - metric.evaluate(minus, false).mutual_information) /
                   (2 * h);
    }
    // Compared per mm of movement (scaled), relative to the gradient's size.
    const Eigen::VectorXd a = analytic.cwiseQuotient(scales);
    const Eigen::VectorXd n = numeric.cwiseQuotient(scales);
    INFO("analytic " << a.transpose() << "\nnumeric  " << n.transpose());
    CHECK((a - n).norm() < 0.02 * n.norm());
  }
}

TEST_CASE("registration: a second contrast moved by a known rigid transform is recovered", "[registration]") {
  const Volume fixed = phantom(false);
  const Volume second = phantom(true);
  // The moving image is the second contrast with its content moved: moving(T(x)) = second(x).
  const Eigen::Matrix4d truth = rigid_matrix(6, -4, 8, Eigen::Vector3d(5, -7, 4));
  const Volume moving = reg::resample_through(second, second.grid, truth.inverse(), gliolens::Interpolator::linear);
  const reg::Result r = reg::register_images(fixed, moving);
  const double error = mean_displacement(fixed, r.matrix, truth);
  INFO("mean error " << error << " mm, " << r.iterations << " iterations, MI " << r.mutual_information);
  CHECK(error < 0.5);
  CHECK(r.converged);
  CHECK(r.warnings.empty());
  CHECK(r.mutual_information > r.initial_mutual_information);
}

TEST_CASE("registration: an affine transform is recovered from moments", "[registration]") {
  const Volume fixed = phantom(false);
  const Volume second = phantom(true);
  Eigen::Matrix4d truth = rigid_matrix(-5, 3, 4, Eigen::Vector3d(6, 4, -3));
  truth.block<3, 3>(0, 0) *= Eigen::Vector3d(1.08, 0.95, 1.04).asDiagonal();
  const Volume moving = reg::resample_through(second, second.grid, truth.inverse(), gliolens::Interpolator::linear);
  reg::Options o;
  o.kind = reg::TransformKind::affine;
  o.initialisation = reg::Initialisation::moments;
  const reg::Result r = reg::register_images(fixed, moving, o);
  const double error = mean_displacement(fixed, r.matrix, truth);
  std::ostringstream levels;
  for (const auto& l : r.levels) levels << l.stage << " " << l.spacing_mm << " mm: " << l.iterations << " it, MI " << l.mutual_information << (l.converged ? "" : " (limit)") << "\n";
  INFO("mean error " << error << " mm\n" << levels.str());
  CHECK(error < 0.7);
}

TEST_CASE("registration: bad input gives typed errors", "[registration]") {
  const Volume fixed = phantom(false);
  Volume empty;
  empty.name = "empty.nii.gz";
  CHECK_THROWS_AS(reg::register_images(fixed, empty), gliolens::InvalidInputError);
  CHECK_THROWS_AS(reg::register_images(empty, fixed), gliolens::InvalidInputError);
  Volume far = phantom(true);
  far.grid.affine(0, 3) += 1000.0;  // a metre away: no overlap
  CHECK_THROWS_WITH(reg::register_images(fixed, far), Catch::Contains("overlap"));
  Volume flat = fixed;
  std::fill(flat.voxels.begin(), flat.voxels.end(), 7.0f);
  CHECK_THROWS_AS(reg::register_images(fixed, flat), gliolens::InvalidInputError);
  Volume wrong_mask = fixed;
  wrong_mask.grid.dims = {2, 2, 2};
  wrong_mask.voxels.assign(8, 1.0f);
  CHECK_THROWS_AS(reg::register_images(fixed, fixed, {}, {&wrong_mask, nullptr}), gliolens::InvalidInputError);
}
