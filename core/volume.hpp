// A 3-D image on a voxel grid that knows where it lies in the world.
#pragma once
#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gliolens {

// The voxel grid: dimensions and the voxel-to-world affine (world = RAS+ millimetres, as NIfTI).
// qform and sform are kept as the file had them, so that what we write opens aligned everywhere.
struct Grid {
  std::array<std::int64_t, 3> dims{0, 0, 0};
  Eigen::Matrix4d affine = Eigen::Matrix4d::Identity();  // the one in force: sform, else qform, else pixdim
  Eigen::Matrix4d qform = Eigen::Matrix4d::Identity();
  Eigen::Matrix4d sform = Eigen::Matrix4d::Identity();
  int qform_code = 0;
  int sform_code = 0;

  [[nodiscard]] std::size_t voxel_count() const {
    return static_cast<std::size_t>(dims[0] * dims[1] * dims[2]);
  }
  // Voxel spacing in mm: the lengths of the affine's columns.
  [[nodiscard]] std::array<double, 3> spacing() const {
    return {affine.block<3, 1>(0, 0).norm(), affine.block<3, 1>(0, 1).norm(), affine.block<3, 1>(0, 2).norm()};
  }
  [[nodiscard]] double voxel_volume_mm3() const { return std::abs(affine.block<3, 3>(0, 0).determinant()); }
  [[nodiscard]] std::size_t index(std::int64_t i, std::int64_t j, std::int64_t k) const {
    return static_cast<std::size_t>(i + dims[0] * (j + dims[1] * k));
  }
};

// Voxels are stored x fastest (NIfTI order), as float: exact for every 8- and 16-bit input.
struct Volume {
  Grid grid;
  std::vector<float> voxels;
  std::string source_datatype = "FLOAT32";  // the datatype the file stored
  std::string name;                         // file name or role, for messages

  [[nodiscard]] std::span<const float> values() const { return voxels; }
  [[nodiscard]] float at(std::int64_t i, std::int64_t j, std::int64_t k) const { return voxels[grid.index(i, j, k)]; }
};

}  // namespace gliolens
