#include "core/demo/phantom.hpp"
#include "core/imaging/labels.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace gliolens;

namespace {
double mean_in_label(const Volume& image, const Volume& seg, float label) {
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < seg.voxels.size(); ++i)
    if (seg.voxels[i] == label) { sum += image.voxels[i]; ++n; }
  return n ? sum / static_cast<double>(n) : 0.0;
}
}  // namespace

TEST_CASE("demo phantom has the three tumour sub-regions with glioma-like contrasts", "[demo]") {
  PhantomOptions options;
  options.dims = {96, 112, 88};
  const DemoCase c = make_demo_case(options);
  const auto volumes = label_volumes(c.segmentation);
  REQUIRE(volumes.size() == 3);
  CHECK(volumes[0].label == 1);
  CHECK(volumes[1].label == 2);
  CHECK(volumes[2].label == 4);
  for (const auto& v : volumes) CHECK(v.millilitres > 1.0);
  // Enhancing rim is brightest on T1c; edema brighter than necrosis on FLAIR; necrosis bright on T2.
  CHECK(mean_in_label(c.t1c, c.segmentation, 4) > 1.4 * mean_in_label(c.t1c, c.segmentation, 2));
  CHECK(mean_in_label(c.flair, c.segmentation, 2) > mean_in_label(c.flair, c.segmentation, 1));
  CHECK(mean_in_label(c.t2, c.segmentation, 1) > mean_in_label(c.t2, c.segmentation, 4));
  // Same seed, same case.
  CHECK(make_demo_case(options).t1.voxels == c.t1.voxels);
  CHECK(c.t1.grid.affine.isApprox(c.segmentation.grid.affine));
}
