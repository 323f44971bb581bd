// A 3-D convex hull (incremental, with visibility tests in exact-enough double arithmetic) for the
// morphology features that need one: its volume, area, and the vertices spanning the maximum diameter.
#pragma once
#include <Eigen/Dense>
#include <vector>

namespace gliolens::radiomics {

struct HullMeasures {
  double volume = 0;
  double area = 0;
  std::vector<Eigen::Vector3d> vertices;  // points on the hull
  bool degenerate = true;                 // fewer than 4 non-coplanar points
};

[[nodiscard]] HullMeasures convex_hull(const std::vector<Eigen::Vector3d>& points);

}  // namespace gliolens::radiomics
