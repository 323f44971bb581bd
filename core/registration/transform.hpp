// The transforms registration searches over, as maps from the fixed image's world (RAS mm) to the moving image's:
// rigid (3 Euler angles + translation, 6 parameters) and affine (a 3x3 matrix + translation, 12 parameters), both
// about a centre (the fixed image's centre of mass), so that rotating does not swing the brain about a far origin.
#pragma once
#include <Eigen/Dense>

#include <array>

namespace gliolens::registration {

enum class TransformKind { rigid, affine };

struct Transform {
  TransformKind kind = TransformKind::rigid;
  Eigen::Vector3d centre = Eigen::Vector3d::Zero();
  // rigid: [rx, ry, rz (radians), tx, ty, tz (mm)]; affine: [a00 a01 a02 a10 ... a22, tx, ty, tz].
  Eigen::VectorXd parameters;

  [[nodiscard]] static Transform identity(TransformKind kind, const Eigen::Vector3d& centre);
  // The affine transform with the same mapping as `rigid`.
  [[nodiscard]] static Transform affine_from(const Transform& rigid);

  [[nodiscard]] int size() const { return static_cast<int>(parameters.size()); }
  // The 3x3 linear part and the 4x4 world matrix: moving = linear * (fixed - centre) + centre + translation.
  [[nodiscard]] Eigen::Matrix3d linear() const;
  [[nodiscard]] Eigen::Matrix4d matrix() const;
  // d(moving point)/d(parameters) at fixed world point `x`: a 3 x size() matrix.
  [[nodiscard]] Eigen::Matrix<double, 3, Eigen::Dynamic> jacobian(const Eigen::Vector3d& x) const;
  // What one unit of each parameter moves a point at distance `radius_mm` from the centre, in mm: the optimiser
  // divides the gradient by these so that one step is about as many mm for every parameter.
  [[nodiscard]] Eigen::VectorXd scales(double radius_mm) const;
};

// The rotation R = Rz * Ry * Rx of Euler angles (radians), and its derivatives by each angle.
[[nodiscard]] Eigen::Matrix3d euler_rotation(double rx, double ry, double rz);
[[nodiscard]] std::array<Eigen::Matrix3d, 3> euler_rotation_derivatives(double rx, double ry, double rz);

}  // namespace gliolens::registration
