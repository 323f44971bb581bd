#include "core/registration/transform.hpp"

#include <cmath>

namespace gliolens::registration {
namespace {

Eigen::Matrix3d rot_x(double a) {
  Eigen::Matrix3d m;
  m << 1, 0, 0, 0, std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a);
  return m;
}
Eigen::Matrix3d rot_y(double a) {
  Eigen::Matrix3d m;
  m << std::cos(a), 0, std::sin(a), 0, 1, 0, -std::sin(a), 0, std::cos(a);
  return m;
}
Eigen::Matrix3d rot_z(double a) {
  Eigen::Matrix3d m;
  m << std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1;
  return m;
}
Eigen::Matrix3d d_rot_x(double a) {
  Eigen::Matrix3d m;
  m << 0, 0, 0, 0, -std::sin(a), -std::cos(a), 0, std::cos(a), -std::sin(a);
  return m;
}
Eigen::Matrix3d d_rot_y(double a) {
  Eigen::Matrix3d m;
  m << -std::sin(a), 0, std::cos(a), 0, 0, 0, -std::cos(a), 0, -std::sin(a);
  return m;
}
Eigen::Matrix3d d_rot_z(double a) {
  Eigen::Matrix3d m;
  m << -std::sin(a), -std::cos(a), 0, std::cos(a), -std::sin(a), 0, 0, 0, 0;
  return m;
}

}  // namespace

Eigen::Matrix3d euler_rotation(double rx, double ry, double rz) { return rot_z(rz) * rot_y(ry) * rot_x(rx); }

std::array<Eigen::Matrix3d, 3> euler_rotation_derivatives(double rx, double ry, double rz) {
  return {rot_z(rz) * rot_y(ry) * d_rot_x(rx), rot_z(rz) * d_rot_y(ry) * rot_x(rx),
          d_rot_z(rz) * rot_y(ry) * rot_x(rx)};
}

Transform Transform::identity(TransformKind kind, const Eigen::Vector3d& centre) {
  Transform t;
  t.kind = kind;
  t.centre = centre;
  if (kind == TransformKind::rigid) {
    t.parameters = Eigen::VectorXd::Zero(6);
  } else {
    t.parameters = Eigen::VectorXd::Zero(12);
    t.parameters[0] = t.parameters[4] = t.parameters[8] = 1.0;
  }
  return t;
}

Transform Transform::affine_from(const Transform& rigid) {
  if (rigid.kind == TransformKind::affine) return rigid;
  Transform t = identity(TransformKind::affine, rigid.centre);
  const Eigen::Matrix3d a = rigid.linear();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) t.parameters[3 * r + c] = a(r, c);
  t.parameters.tail<3>() = rigid.parameters.tail<3>();
  return t;
}

Eigen::Matrix3d Transform::linear() const {
  if (kind == TransformKind::rigid) return euler_rotation(parameters[0], parameters[1], parameters[2]);
  Eigen::Matrix3d a;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) a(r, c) = parameters[3 * r + c];
  return a;
}

Eigen::Matrix4d Transform::matrix() const {
  const Eigen::Matrix3d a = linear();
  const Eigen::Vector3d t = parameters.tail<3>();
  Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
  m.block<3, 3>(0, 0) = a;
  m.block<3, 1>(0, 3) = centre + t - a * centre;
  return m;
}

Eigen::Matrix<double, 3, Eigen::Dynamic> Transform::jacobian(const Eigen::Vector3d& x) const {
  Eigen::Matrix<double, 3, Eigen::Dynamic> j(3, size());
  const Eigen::Vector3d d = x - centre;
  if (kind == TransformKind::rigid) {
    const auto dr = euler_rotation_derivatives(parameters[0], parameters[1], parameters[2]);
    for (int a = 0; a < 3; ++a) j.col(a) = dr[static_cast<std::size_t>(a)] * d;
    j.rightCols<3>().setIdentity();
    return j;
  }
  j.setZero();
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) j(r, 3 * r + c) = d[c];
  j.rightCols<3>().setIdentity();
  return j;
}

Eigen::VectorXd Transform::scales(double radius_mm) const {
  Eigen::VectorXd s = Eigen::VectorXd::Ones(size());
  const int linear_count = kind == TransformKind::rigid ? 3 : 9;
  s.head(linear_count).setConstant(radius_mm);
  return s;
}

}  // namespace gliolens::registration
