// The parts of an ExtractionCache (internal): the geometry of recent masks and, from moran_geary.hpp, the kernel
// spectra of recent boxes.
#pragma once
#include "core/radiomics/extraction_cache.hpp"
#include "core/radiomics/internal.hpp"
#include "core/radiomics/moran_geary.hpp"

#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <limits>
#include <list>
#include <utility>
#include <vector>

namespace gliolens::radiomics {

// Everything the features take from the morphological mask and the spacing alone: the mesh, its convex hull and
// diameters, the PCA of the voxel centres, the bounding box.
struct Geometry {
  double volume = 0, area = 0;                    // mesh
  std::size_t nmorph = 0;                         // voxels of the morphological mask
  Eigen::Vector3d centre_sum = Eigen::Vector3d::Zero();  // sum of their centres (mm)
  double hull_volume = 0, hull_area = 0;
  double max_diameter2 = 0;                       // squared
  std::array<double, 3> max_2d_diameter2{0, 0, 0};  // PyRadiomics: row (x), column (y), slice (z); squared
  Eigen::Vector3d eigenvalues = Eigen::Vector3d::Constant(std::numeric_limits<double>::quiet_NaN());  // ascending
  Eigen::Vector3d aabb_extent = Eigen::Vector3d::Zero();  // IBSI
};

// The geometry of the last few masks. A hit needs the same mode, grid, spacing, coordinate origin and morphological
// mask (compared in full, bit-packed); the values are those computed from it (morphology.cpp).
class GeometryCache {
public:
  Geometry get(const RoiImage& roi, bool py);
  void clear() { entries_.clear(); }

private:
  static constexpr std::size_t kCapacity = 8;  // 5 regions (ET, TC, WT, NCR, ED) with room to spare
  struct Key {
    bool py;
    std::array<int, 3> dims;
    std::array<double, 3> spacing;
    std::array<int, 3> coordinate_shift;
    std::vector<std::uint64_t> bits;
    bool operator==(const Key&) const = default;
  };
  static std::vector<std::uint64_t> pack(const std::vector<std::uint8_t>& mask);
  std::list<std::pair<Key, Geometry>> entries_;
};

}  // namespace gliolens::radiomics
