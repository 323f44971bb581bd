// Native radiomics benchmark: all default features (Original image; shape, first order, GLCM, GLRLM, GLSZM, GLDM,
// NGTDM with PyRadiomics' defaults) of ET, TC and WT in the 4 modalities of a BraTS case, and of brain1.
// Usage: radiomics_bench BRATS_CASE_DIR [BRAIN1_DIR]   (run through bench/run_radiomics.sh)
// GLIOLENS_BENCH_PER_FAMILY=1: also the CPU time of each feature family alone (the 12 extractions with only that
// family; "none" is the cropping and discretisation every extraction does).
#include "core/io/nifti.hpp"
#include "core/radiomics/radiomics.hpp"

#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
gliolens::Volume region_mask(const gliolens::Volume& seg, const std::vector<int>& labels, std::size_t& voxels) {
  gliolens::Volume m = seg;
  voxels = 0;
  for (auto& v : m.voxels) {
    const long l = std::lround(v);
    bool in = false;
    for (int x : labels) in = in || l == x;
    v = in ? 1.0f : 0.0f;
    voxels += in;
  }
  return m;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: radiomics_bench BRATS_CASE_DIR [BRAIN1_DIR]\n");
    return 2;
  }
  const auto settings = gliolens::radiomics::pyradiomics_defaults();
  {
    const fs::path dir = argv[1];
    const std::string id = dir.filename().string();
    const auto seg = gliolens::read_nifti((dir / (id + "_seg.nii.gz")).string()).volume;
    const std::vector<std::pair<std::string, std::vector<int>>> regions{{"ET", {4}}, {"TC", {1, 4}}, {"WT", {1, 2, 4}}};
    std::vector<gliolens::Volume> images;
    for (const char* m : {"t1", "t1ce", "t2", "flair"})
      images.push_back(gliolens::read_nifti((dir / (id + "_" + m + ".nii.gz")).string()).volume);
    double total = 0, cpu_total = 0;
    gliolens::radiomics::ExtractionCache cache;  // one case: each region's geometry is shared by its 4 modalities
    std::size_t roi_voxels = 0, features = 0;
    for (const auto& [name, labels] : regions) {
      std::size_t n = 0;
      const auto mask = region_mask(seg, labels, n);
      const auto t0 = Clock::now();
      const std::clock_t c0 = std::clock();
      for (const auto& image : images) features += gliolens::radiomics::extract_features(image, mask, 1, settings, &cache).size();
      const double s = std::chrono::duration<double>(Clock::now() - t0).count();
      const double c = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
      std::printf("native  %s %-3s (%7zu voxels) x 4 modalities: %.3f s wall, %.3f s CPU\n", id.c_str(), name.c_str(), n, s, c);
      total += s;
      cpu_total += c;
      roi_voxels += 4 * n;
    }
    std::printf("native  %s: 12 extractions, %zu features, %.3f s wall, %.3f s CPU, %.3g ROI voxels/s\n", id.c_str(),
                features, total, cpu_total, roi_voxels / total);
    if (const char* pf = std::getenv("GLIOLENS_BENCH_PER_FAMILY"); pf && std::string(pf) == "1") {
      std::vector<gliolens::Volume> masks;
      for (const auto& [name, labels] : regions) {
        std::size_t n = 0;
        masks.push_back(region_mask(seg, labels, n));
      }
      for (const char* family : {"none", "shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"}) {
        auto s = settings;
        s.families = {family};
        const std::clock_t c0 = std::clock();
        gliolens::radiomics::ExtractionCache family_cache;
        for (const auto& mask : masks)
          for (const auto& image : images) (void)gliolens::radiomics::extract_features(image, mask, 1, s, &family_cache);
        std::printf("native  %s 12 extractions, %-10s alone: %.3f s CPU\n", id.c_str(), family,
                    static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC);
      }
    }
  }
  if (argc > 2) {
    const fs::path dir = argv[2];
    const auto image = gliolens::read_nifti((dir / "brain1_image.nii.gz").string()).volume;
    const auto label = gliolens::read_nifti((dir / "brain1_label.nii.gz").string()).volume;
    std::size_t n = 0;
    const auto mask = region_mask(label, {1}, n);
    const auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    const auto f = gliolens::radiomics::extract_features(image, mask, 1, settings);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    const double c = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    std::printf("native  brain1 (%zu voxels): %zu features, %.3f s wall, %.3f s CPU, %.3g ROI voxels/s\n", n, f.size(), s, c,
                n / s);
  }
  return 0;
}
