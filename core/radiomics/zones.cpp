#include "core/radiomics/zones.hpp"

#include <climits>
#include <deque>

namespace gliolens::radiomics {

std::vector<Zone> find_zones(const RoiImage& roi, int slice, const std::vector<int>* distance) {
  std::vector<Zone> zones;
  std::vector<char> seen(roi.size(), 0);
  const std::vector<std::ptrdiff_t> nb = roi.neighbour_offsets(slice < 0);  // all in the box (interior voxels)
  const int* lv = roi.levels.data();
  std::vector<std::size_t> stack;
  roi.for_each_level_voxel(slice, [&](std::size_t n, int a) {
    if (seen[n]) return;
    Zone z{a, 0, INT_MAX};
    seen[n] = 1;
    stack.assign(1, n);
    while (!stack.empty()) {
      const std::size_t v = stack.back();
      stack.pop_back();
      ++z.size;
      if (distance) z.distance = std::min(z.distance, (*distance)[v]);
      for (const std::ptrdiff_t o : nb) {
        const std::size_t m = v + o;
        if (seen[m] || lv[m] != a) continue;
        seen[m] = 1;
        stack.push_back(m);
      }
    }
    zones.push_back(z);
  });
  return zones;
}

std::vector<int> edge_distance(const RoiImage& roi, const std::vector<std::uint8_t>& mask, bool two_d) {
  std::vector<int> dist(roi.size(), 0);
  std::deque<std::array<int, 3>> queue;
  const std::array<std::array<int, 3>, 6> nb{{{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}}};
  const int nn = two_d ? 4 : 6;
  auto in = [&](int x, int y, int z) { return roi.inside(x, y, z) && mask[roi.idx(x, y, z)]; };
  for (int k = 0; k < roi.dims[2]; ++k)
    for (int j = 0; j < roi.dims[1]; ++j)
      for (int i = 0; i < roi.dims[0]; ++i) {
        if (!mask[roi.idx(i, j, k)]) continue;
        bool edge = false;
        for (int e = 0; e < nn && !edge; ++e) edge = !in(i + nb[e][0], j + nb[e][1], k + nb[e][2]);
        if (edge) {
          dist[roi.idx(i, j, k)] = 1;
          queue.push_back({i, j, k});
        }
      }
  while (!queue.empty()) {
    const auto [i, j, k] = queue.front();
    queue.pop_front();
    const int d = dist[roi.idx(i, j, k)];
    for (int e = 0; e < nn; ++e) {
      const int x = i + nb[e][0], y = j + nb[e][1], z = k + nb[e][2];
      if (!in(x, y, z)) continue;
      auto& t = dist[roi.idx(x, y, z)];
      if (t == 0) {
        t = d + 1;
        queue.push_back({x, y, z});
      }
    }
  }
  return dist;
}

}  // namespace gliolens::radiomics
