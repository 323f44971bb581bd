// Morphological features (IBSI 1, section 3.1; PyRadiomics "shape").
// The mesh is marching cubes at iso-level 0.5 over the morphological mask, in voxel-index space scaled by
// the spacing (as IBSI and PyRadiomics), vertices at edge midpoints, Lorensen/Bourke's cell table.
#include "core/radiomics/convex_hull.hpp"
#include "core/radiomics/extraction_cache_parts.hpp"
#include "core/radiomics/internal.hpp"
#include "core/radiomics/marching_cubes_table.hpp"
#include "core/radiomics/moran_geary.hpp"

#include <algorithm>
#include <numbers>
#include <unordered_map>
#include <unordered_set>

namespace gliolens::radiomics {
namespace {

constexpr double kPi = std::numbers::pi;

// The vertices of the 2-D convex hull of points `pts` (indices into `keys`), in the plane of key axes u and w
// (Andrew's monotone chain on the integer keys: exact). Collinear points on an edge are left out.
std::vector<std::size_t> hull_2d(std::vector<std::size_t> pts, const std::vector<std::array<long long, 3>>& kk, int u,
                                 int w) {
  if (pts.size() < 3) return pts;
  std::sort(pts.begin(), pts.end(), [&](std::size_t a, std::size_t b) {
    return kk[a][u] != kk[b][u] ? kk[a][u] < kk[b][u] : kk[a][w] < kk[b][w];
  });
  auto cross = [&](std::size_t o, std::size_t a, std::size_t b) {
    return (kk[a][u] - kk[o][u]) * (kk[b][w] - kk[o][w]) - (kk[a][w] - kk[o][w]) * (kk[b][u] - kk[o][u]);
  };
  std::vector<std::size_t> h(2 * pts.size() + 1);
  std::size_t m = 0;
  for (std::size_t a = 0; a < pts.size(); ++a) {
    while (m >= 2 && cross(h[m - 2], h[m - 1], pts[a]) <= 0) --m;
    h[m++] = pts[a];
  }
  for (std::size_t a = pts.size() - 1, t = m + 1; a-- > 0;) {
    while (m >= t && cross(h[m - 2], h[m - 1], pts[a]) <= 0) --m;
    h[m++] = pts[a];
  }
  h.resize(m - 1);
  return h;
}

struct Mesh {
  double volume = 0;
  double area = 0;
  std::vector<Eigen::Vector3d> vertices;  // unique vertices (mm)
  std::vector<std::array<long long, 3>> vertex_keys;  // doubled index coordinates, for 2-D diameters
};

Mesh marching_cubes(const RoiImage& roi, bool py) {
  Mesh m;
  const auto& d = roi.dims;
  const auto& sp = roi.spacing;
  const auto& cs = roi.coordinate_shift;
  std::unordered_set<long long> seen;
  auto at = [&](int i, int j, int k) -> bool { return roi.inside(i, j, k) && roi.morph[roi.idx(i, j, k)]; };
  // The complement rule leaves holes at some ambiguous faces, and the signed volume of an open mesh depends on
  // the origin. PyRadiomics' origin is the first cell of its mask cropped to the bounding box and padded by
  // one voxel; IBSI mode keeps the image origin.
  Eigen::Vector3d origin = Eigen::Vector3d::Zero();
  if (py) {
    std::array<int, 3> lo{d[0], d[1], d[2]};
    for (int k = 0; k < d[2]; ++k)
      for (int j = 0; j < d[1]; ++j)
        for (int i = 0; i < d[0]; ++i)
          if (roi.morph[roi.idx(i, j, k)]) lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
    for (int a = 0; a < 3; ++a) origin[a] = (lo[a] - 1 + cs[a]) * sp[a];
  }
  const long long X = 2LL * d[0] + 4, Y = 2LL * d[1] + 4;
  for (int k = -1; k < d[2]; ++k)
    for (int j = -1; j < d[1]; ++j)
      for (int i = -1; i < d[0]; ++i) {
        int cube = 0;
        for (int c = 0; c < 8; ++c)
          if (at(i + mc::kCorners[c][0], j + mc::kCorners[c][1], k + mc::kCorners[c][2])) cube |= 1 << c;
        if (cube == 0 || cube == 255) continue;
        double sign = 1;
        if (cube & 0x80) {
          cube ^= 0xff;
          sign = -1;
        }
        const auto& tri = mc::kTriangles[cube];
        for (int t = 0; tri[t] >= 0; t += 3) {
          std::array<Eigen::Vector3d, 3> v;
          for (int q = 0; q < 3; ++q) {
            const auto& e = mc::kEdgeMidpoints[tri[t + q]];
            v[q] = Eigen::Vector3d((i + cs[0] + e[0]) * sp[0], (j + cs[1] + e[1]) * sp[1], (k + cs[2] + e[2]) * sp[2]);
            const long long kx = 2LL * i + static_cast<long long>(2 * e[0]) + 2, ky = 2LL * j + static_cast<long long>(2 * e[1]) + 2,
                            kz = 2LL * k + static_cast<long long>(2 * e[2]) + 2;
            if (seen.insert(kx + X * (ky + Y * kz)).second) {
              m.vertices.push_back(v[q]);
              m.vertex_keys.push_back({kx, ky, kz});
            }
          }
          m.volume += sign * (v[0] - origin).dot((v[1] - origin).cross(v[2] - origin)) / 6.0;
          m.area += 0.5 * (v[1] - v[0]).cross(v[2] - v[0]).norm();
        }
      }
  // PyRadiomics sums in (z, y, x) order, which negates every triple product, and keeps the sign; IBSI: |V|.
  m.volume = py ? -m.volume : std::abs(m.volume);
  return m;
}

// Surface area of an ellipsoid with semi-axes a >= b >= c (IBSI's Legendre series, 20 terms).
double ellipsoid_area(double a, double b, double c) {
  const double alpha = std::sqrt(std::max(0.0, 1 - b * b / (a * a)));
  const double beta = std::sqrt(std::max(0.0, 1 - c * c / (a * a)));
  const double ab = alpha * beta;
  if (ab < 1e-12) {
    if (alpha < 1e-12 && beta < 1e-12) return 4 * kPi * a * a;
    // prolate/oblate limits are approached by the series only slowly; fall back to Knud Thomsen's formula
    const double p = 1.6075;
    return 4 * kPi * std::pow((std::pow(a * b, p) + std::pow(a * c, p) + std::pow(b * c, p)) / 3.0, 1.0 / p);
  }
  const double x = (alpha * alpha + beta * beta) / (2 * ab);
  double p0 = 1, p1 = x, sum = 1.0;  // nu = 0 term: (ab)^0 / 1 * P0 = 1
  double abn = 1;
  for (int nu = 1; nu <= 20; ++nu) {
    double pn;
    if (nu == 1) pn = p1;
    else {
      pn = ((2 * nu - 1) * x * p1 - (nu - 1) * p0) / nu;
      p0 = p1;
      p1 = pn;
    }
    abn *= ab;
    sum += abn / (1.0 - 4.0 * nu * nu) * pn;
  }
  return 4 * kPi * a * b * sum;
}

Geometry compute_geometry(const RoiImage& roi, bool py) {
  Geometry g;
  const auto& sp = roi.spacing;
  const auto& cs = roi.coordinate_shift;
  const Mesh mesh = marching_cubes(roi, py);
  g.volume = mesh.volume;
  g.area = mesh.area;
  std::vector<Eigen::Vector3d> centres;
  for (int k = 0; k < roi.dims[2]; ++k)
    for (int j = 0; j < roi.dims[1]; ++j)
      for (int i = 0; i < roi.dims[0]; ++i)
        if (roi.morph[roi.idx(i, j, k)]) {
          centres.emplace_back((i + cs[0]) * sp[0], (j + cs[1]) * sp[1], (k + cs[2]) * sp[2]);
          g.centre_sum += centres.back();
          ++g.nmorph;
        }
  // Convex hull of the mesh vertices (also gives the maximum diameter). Only the first and last vertex of each
  // row (same y and z) can be hull vertices, so the others are left out: same hull, far fewer points.
  std::vector<Eigen::Vector3d> extreme;
  {
    std::unordered_map<long long, std::pair<std::size_t, std::size_t>> rows;  // (ky, kz) -> (min x, max x)
    const auto& kk = mesh.vertex_keys;
    for (std::size_t a = 0; a < kk.size(); ++a) {
      const long long key = kk[a][1] + (1LL << 31) * kk[a][2];
      const auto [it, fresh] = rows.try_emplace(key, a, a);
      if (fresh) continue;
      if (kk[a][0] < kk[it->second.first][0]) it->second.first = a;
      if (kk[a][0] > kk[it->second.second][0]) it->second.second = a;
    }
    // Then only the vertices of each slice's 2-D hull: a point inside its slice's hull is inside the 3-D hull.
    std::unordered_map<long long, std::vector<std::size_t>> slices;
    for (const auto& [key, ends] : rows) {
      slices[kk[ends.first][2]].push_back(ends.first);
      if (ends.second != ends.first) slices[kk[ends.second][2]].push_back(ends.second);
    }
    std::vector<std::size_t> keep;
    for (auto& [z, members] : slices)
      for (const std::size_t a : hull_2d(std::move(members), kk, 0, 1)) keep.push_back(a);
    std::sort(keep.begin(), keep.end());  // the mesh's vertex order, whatever the hash order
    for (const std::size_t a : keep) extreme.push_back(mesh.vertices[a]);
  }
  const HullMeasures hull = convex_hull(extreme);
  g.hull_volume = hull.volume;
  g.hull_area = hull.area;
  const std::vector<Eigen::Vector3d>& cand = hull.vertices.empty() ? mesh.vertices : hull.vertices;
  for (std::size_t a = 0; a < cand.size(); ++a)
    for (std::size_t b = a + 1; b < cand.size(); ++b)
      g.max_diameter2 = std::max(g.max_diameter2, (cand[a] - cand[b]).squaredNorm());
  if (py) {
    // PyRadiomics' 2-D diameters: largest distance between vertices of one slice (z), column (y), row (x);
    // vertices are grouped by that coordinate so only pairs within a plane are compared.
    const auto& kk = mesh.vertex_keys;
    const auto& vv = mesh.vertices;
    for (int axis = 0; axis < 3; ++axis) {
      std::unordered_map<long long, std::vector<std::size_t>> planes;
      for (std::size_t a = 0; a < vv.size(); ++a) planes[kk[a][axis]].push_back(a);
      const int u = axis == 0 ? 1 : 0, w = axis == 2 ? 1 : 2;  // the in-plane axes
      for (const auto& [key, members] : planes) {
        // The farthest pair of a plane's points are vertices of its 2-D convex hull; pairs measured in mm.
        const std::vector<std::size_t> h = hull_2d(members, kk, u, w);
        const std::size_t m = h.size();
        for (std::size_t a = 0; a < m; ++a)
          for (std::size_t b = a + 1; b < m; ++b)
            g.max_2d_diameter2[axis] = std::max(g.max_2d_diameter2[axis], (vv[h[a]] - vv[h[b]]).squaredNorm());
      }
    }
  }
  // PCA of voxel centres (IBSI: covariance with N - 1; PyRadiomics divides by N).
  if (g.nmorph >= 2) {
    const Eigen::Vector3d mean = g.centre_sum / static_cast<double>(g.nmorph);
    Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
    for (const auto& c : centres) cov += (c - mean) * (c - mean).transpose();
    cov /= static_cast<double>(py ? g.nmorph : g.nmorph - 1);
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> es(cov);
    g.eigenvalues = es.eigenvalues().cwiseMax(0.0);  // ascending
  }
  if (!py) {
    // Axis-aligned bounding box of the mesh.
    Eigen::Vector3d lo = Eigen::Vector3d::Constant(std::numeric_limits<double>::infinity()), hi = -lo;
    for (const auto& v : mesh.vertices) {
      lo = lo.cwiseMin(v);
      hi = hi.cwiseMax(v);
    }
    g.aabb_extent = hi - lo;
  }
  return g;
}

}  // namespace

Geometry GeometryCache::get(const RoiImage& roi, bool py) {
  Key key{py, roi.dims, roi.spacing, roi.coordinate_shift, pack(roi.morph)};
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->first == key) {
      entries_.splice(entries_.begin(), entries_, it);  // most recently used first
      return entries_.front().second;
    }
  Geometry g = compute_geometry(roi, py);
  entries_.emplace_front(std::move(key), g);
  if (entries_.size() > kCapacity) entries_.pop_back();
  return g;
}

std::vector<std::uint64_t> GeometryCache::pack(const std::vector<std::uint8_t>& m) {
  std::vector<std::uint64_t> bits((m.size() + 63) / 64, 0);
  for (std::size_t n = 0; n < m.size(); ++n)
    if (m[n]) bits[n / 64] |= std::uint64_t{1} << (n % 64);
  return bits;
}

void morphology_features(const RoiImage& roi, const Settings& s, ExtractionCache* cache, FeatureSink& out) {
  const bool py = s.mode == Mode::pyradiomics;
  const auto& sp = roi.spacing;
  const auto& cs = roi.coordinate_shift;
  const Geometry geom = cache ? cache->geometry().get(roi, py) : compute_geometry(roi, py);
  const double V = geom.volume, A = geom.area;
  const std::size_t nmorph = geom.nmorph;
  const Eigen::Vector3d& geo = geom.centre_sum;
  const double voxel_volume = sp[0] * sp[1] * sp[2];
  const double vvox = static_cast<double>(nmorph) * voxel_volume;
  const double nan = std::numeric_limits<double>::quiet_NaN();

  out.add("MeshVolume", "RNU0", "", V);                                            // V: marching-cubes mesh volume
  out.add("VoxelVolume", "YEKZ", "", vvox);                                        // N_v * voxel volume
  out.add("SurfaceArea", "C0JK", "", A);                                           // A: mesh area
  out.add("SurfaceVolumeRatio", "2PR5", "", V > 0 ? A / V : nan, "mesh volume is zero");  // A / V
  if (!py) {
    out.add("Compactness1", "SKGS", "", A > 0 ? V / (std::sqrt(kPi) * std::pow(A, 1.5)) : nan);  // V/(pi^1/2 A^3/2)
    out.add("Compactness2", "BQWJ", "", A > 0 ? 36 * kPi * V * V / (A * A * A) : nan);          // 36 pi V^2/A^3
    out.add("SphericalDisproportion", "KRCK", "", V > 0 ? A / std::cbrt(36 * kPi * V * V) : nan);  // A/(36 pi V^2)^1/3
  }
  out.add("Sphericity", "QCFX", "", A > 0 ? std::cbrt(36 * kPi * V * V) / A : nan);  // (36 pi V^2)^1/3 / A
  if (!py) {
    out.add("Asphericity", "25C7", "", V > 0 ? std::cbrt(A * A * A / (36 * kPi * V * V)) - 1 : nan);  // (A^3/(36 pi V^2))^1/3 - 1
    // centre of mass shift: |geometric centre (morph mask) - intensity-weighted centre (intensity mask)|
    Eigen::Vector3d wc = Eigen::Vector3d::Zero();
    double wsum = 0;
    for (int k = 0; k < roi.dims[2]; ++k)
      for (int j = 0; j < roi.dims[1]; ++j)
        for (int i = 0; i < roi.dims[0]; ++i)
          if (roi.inten[roi.idx(i, j, k)]) {
            const double w = roi.intensity[roi.idx(i, j, k)];
            wc += w * Eigen::Vector3d((i + cs[0]) * sp[0], (j + cs[1]) * sp[1], (k + cs[2]) * sp[2]);
            wsum += w;
          }
    out.add("CentreOfMassShift", "KLMA", "", (nmorph > 0 && wsum != 0) ? (geo / nmorph - wc / wsum).norm() : nan,
            "intensities sum to zero");
  }
  out.add("Maximum3DDiameter", "L0JK", "", std::sqrt(geom.max_diameter2));  // largest distance between mesh vertices
  if (py) {
    out.add("Maximum2DDiameterSlice", "", "", std::sqrt(geom.max_2d_diameter2[2]));
    out.add("Maximum2DDiameterColumn", "", "", std::sqrt(geom.max_2d_diameter2[1]));
    out.add("Maximum2DDiameterRow", "", "", std::sqrt(geom.max_2d_diameter2[0]));
  }
  const Eigen::Vector3d& ev = geom.eigenvalues;
  const double l1 = ev[2], l2 = ev[1], l3 = ev[0];
  out.add("MajorAxisLength", "TDIC", "", 4 * std::sqrt(l1), "needs at least 2 voxels");  // 4 sqrt(lambda_major)
  out.add("MinorAxisLength", "P9VJ", "", 4 * std::sqrt(l2), "needs at least 2 voxels");  // 4 sqrt(lambda_minor)
  out.add("LeastAxisLength", "7J51", "", 4 * std::sqrt(l3), "needs at least 2 voxels");  // 4 sqrt(lambda_least)
  out.add("Elongation", "Q3CK", "", l1 > 0 ? std::sqrt(l2 / l1) : nan, "undefined for a single point");  // sqrt(l_minor/l_major)
  out.add("Flatness", "N17B", "", l1 > 0 ? std::sqrt(l3 / l1) : nan, "undefined for a single point");    // sqrt(l_least/l_major)
  if (py) return;
  const Eigen::Vector3d& ext = geom.aabb_extent;
  const double vaabb = ext.prod();
  const double aaabb = 2 * (ext[0] * ext[1] + ext[0] * ext[2] + ext[1] * ext[2]);
  out.add("VolumeDensityAABB", "PBX1", "", vaabb > 0 ? V / vaabb : nan);  // V / V_aabb
  out.add("AreaDensityAABB", "R59B", "", aaabb > 0 ? A / aaabb : nan);    // A / A_aabb
  // Approximate enclosing ellipsoid: semi-axes 2 sqrt(lambda).
  const double a = 2 * std::sqrt(l1), b = 2 * std::sqrt(l2), c = 2 * std::sqrt(l3);
  const double vaee = 4 * kPi * a * b * c / 3;
  out.add("VolumeDensityAEE", "6BDE", "", vaee > 0 ? V / vaee : nan, "flat region: ellipsoid has no volume");  // V / V_aee
  const double aaee = (a > 0 && std::isfinite(a)) ? ellipsoid_area(a, b, c) : nan;
  out.add("AreaDensityAEE", "RDD2", "", aaee > 0 ? A / aaee : nan, "undefined for a single point");  // A / A_aee
  out.add("VolumeDensityConvexHull", "R3ER", "", geom.hull_volume > 0 ? V / geom.hull_volume : nan, "degenerate convex hull");  // V / V_hull
  out.add("AreaDensityConvexHull", "7T7F", "", geom.hull_area > 0 ? A / geom.hull_area : nan, "degenerate convex hull");        // A / A_hull
  // Integrated intensity: mean intensity * V.
  double sum = 0;
  std::size_t nint = 0;
  for (std::size_t q = 0; q < roi.size(); ++q)
    if (roi.inten[q]) {
      sum += roi.intensity[q];
      ++nint;
    }
  const double mu = nint == 0 ? nan : sum / static_cast<double>(nint);
  out.add("IntegratedIntensity", "99N0", "", mu * V);  // mean(X) * V
  // Moran's I and Geary's C with inverse-distance weights over the intensity mask (exact: pair loop or FFT).
  std::string why;
  const auto ac = inverse_distance_sums(roi.dims, roi.spacing, roi.inten, roi.intensity, AutocorrelationMethod::automatic,
                                        s.max_moran_fft_points, &why,
                                        cache ? &cache->kernels() : nullptr);
  if (!ac) {
    out.missing("MoransI", "N365", "", why);
    out.missing("GearysC", "NPT7", "", why);
    return;
  }
  const double nv = static_cast<double>(ac->n);
  const bool ok = ac->n >= 2 && ac->deviation > 0;
  out.add("MoransI", "N365", "", ok ? nv / ac->weights * ac->moran / ac->deviation : nan,
          "undefined for constant intensities or one voxel");  // N/W sum w (xi-mu)(xj-mu)/sum (xi-mu)^2
  out.add("GearysC", "NPT7", "", ok ? (nv - 1) / (2 * ac->weights) * ac->geary / ac->deviation : nan,
          "undefined for constant intensities or one voxel");  // (N-1)/(2W) sum w (xi-xj)^2/sum (xi-mu)^2
}

}  // namespace gliolens::radiomics
