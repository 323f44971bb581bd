#include "core/radiomics/convex_hull.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace gliolens::radiomics {
namespace {

struct Face {
  int a, b, c;
  Eigen::Vector3d n;  // outward normal (unnormalised)
  double d;           // plane: n.x = d
  bool alive = true;
  double tol = 0;     // visibility threshold: eps * |n|
};

}  // namespace

HullMeasures convex_hull(const std::vector<Eigen::Vector3d>& pts) {
  HullMeasures h;
  const int n = static_cast<int>(pts.size());
  if (n < 4) {
    h.vertices = pts;
    return h;
  }
  Eigen::Vector3d lo = pts[0], hi = pts[0];
  for (const auto& p : pts) {
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  }
  const double scale = std::max(1e-12, (hi - lo).norm());
  const double eps = 1e-9 * scale;
  // Initial tetrahedron: two far points, the point farthest from their line, then from their plane.
  int i0 = 0, i1 = 0;
  for (int i = 0; i < n; ++i) {
    if (pts[i].x() < pts[i0].x()) i0 = i;
    if (pts[i].x() > pts[i1].x()) i1 = i;
  }
  if (i0 == i1) {
    for (int i = 0; i < n; ++i)
      if ((pts[i] - pts[i0]).norm() > (pts[i1] - pts[i0]).norm()) i1 = i;
  }
  const Eigen::Vector3d u = (pts[i1] - pts[i0]);
  if (u.norm() <= eps) {
    h.vertices = {pts[i0]};
    return h;
  }
  int i2 = -1;
  double best = eps * scale;
  for (int i = 0; i < n; ++i) {
    const double d = u.cross(pts[i] - pts[i0]).norm();
    if (d > best) {
      best = d;
      i2 = i;
    }
  }
  if (i2 < 0) {
    h.vertices = {pts[i0], pts[i1]};
    return h;
  }
  const Eigen::Vector3d nrm = u.cross(pts[i2] - pts[i0]);
  int i3 = -1;
  best = eps * nrm.norm();
  for (int i = 0; i < n; ++i) {
    const double d = std::abs(nrm.dot(pts[i] - pts[i0]));
    if (d > best) {
      best = d;
      i3 = i;
    }
  }
  if (i3 < 0) {
    // planar: vertices are all points (used only for diameters)
    h.vertices = pts;
    return h;
  }
  std::vector<Face> faces;
  auto make_face = [&](int a, int b, int c) {
    Face f{a, b, c, (pts[b] - pts[a]).cross(pts[c] - pts[a]), 0, true, 0};
    f.d = f.n.dot(pts[a]);
    f.tol = eps * f.n.norm();
    return f;
  };
  const Eigen::Vector3d centre = (pts[i0] + pts[i1] + pts[i2] + pts[i3]) / 4.0;
  auto add_oriented = [&](int a, int b, int c) {
    Face f = make_face(a, b, c);
    if (f.n.dot(centre) - f.d > 0) f = make_face(a, c, b);
    faces.push_back(f);
  };
  add_oriented(i0, i1, i2);
  add_oriented(i0, i1, i3);
  add_oriented(i0, i2, i3);
  add_oriented(i1, i2, i3);

  // Process points in an order that tends to reach the hull quickly: far from the centre first.
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return (pts[a] - centre).squaredNorm() > (pts[b] - centre).squaredNorm();
  });
  std::unordered_map<long long, int> edge_count;
  std::vector<int> visible;
  std::size_t dead = 0;  // faces not alive in `faces`
  for (int p : order) {
    if (p == i0 || p == i1 || p == i2 || p == i3) continue;
    visible.clear();
    for (int f = 0; f < static_cast<int>(faces.size()); ++f) {
      if (!faces[f].alive) continue;
      const double dist = faces[f].n.dot(pts[p]) - faces[f].d;
      if (dist > faces[f].tol) visible.push_back(f);
    }
    if (visible.empty()) continue;
    // Horizon: directed edges of visible faces whose reverse is not on a visible face.
    edge_count.clear();
    auto key = [&](int a, int b) { return static_cast<long long>(a) * n + b; };
    for (int f : visible) {
      const auto& F = faces[f];
      edge_count[key(F.a, F.b)]++;
      edge_count[key(F.b, F.c)]++;
      edge_count[key(F.c, F.a)]++;
    }
    std::vector<std::pair<int, int>> horizon;
    for (int f : visible) {
      const auto& F = faces[f];
      const int e[3][2] = {{F.a, F.b}, {F.b, F.c}, {F.c, F.a}};
      for (const auto& ed : e)
        if (!edge_count.count(key(ed[1], ed[0]))) horizon.emplace_back(ed[0], ed[1]);
    }
    for (int f : visible) faces[f].alive = false;
    for (const auto& [a, b] : horizon) faces.push_back(make_face(a, b, p));
    // compact occasionally
    dead += visible.size();
    if (dead > 64 && dead * 2 > faces.size()) {
      dead = 0;
      faces.erase(std::remove_if(faces.begin(), faces.end(), [](const Face& f) { return !f.alive; }), faces.end());
    }
  }
  std::vector<char> on_hull(n, 0);
  for (const auto& f : faces) {
    if (!f.alive) continue;
    h.area += 0.5 * f.n.norm();
    h.volume += pts[f.a].dot(pts[f.b].cross(pts[f.c])) / 6.0;
    on_hull[f.a] = on_hull[f.b] = on_hull[f.c] = 1;
  }
  h.volume = std::abs(h.volume);
  for (int i = 0; i < n; ++i)
    if (on_hull[i]) h.vertices.push_back(pts[i]);
  h.degenerate = false;
  return h;
}

}  // namespace gliolens::radiomics
