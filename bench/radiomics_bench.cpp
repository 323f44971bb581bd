// Native side of the radiomics benchmark (bench/run_radiomics.sh runs it beside the WASM build and PyRadiomics):
//   radiomics_bench --write-masks MASK_ROOT CASE_DIR...  writes each BraTS case's regions as binary masks,
//       MASK_ROOT/<case>/{ET,TC,WT}.nii.gz (uint8, the segmentation's header), the files all three engines read;
//       an empty region gets no file. One JSON line per case on stdout: {"case", "voxels": {"ET", "TC", "WT"}}.
//   radiomics_bench --masks MASK_ROOT CASE_DIR...  times each case: reading its 4 modalities and its region masks,
//       then all default features (PyRadiomics mode, the CLI's default parameters) of each region x modality, with
//       one ExtractionCache per case as the page and the CLI hold. One JSON line per case on stdout.
// GLIOLENS_BENCH_PER_FAMILY=1: also the CPU time of each feature family alone, per case, on stderr (the same
// extractions with only that family; "none" is the cropping and discretisation every extraction does).
#include "core/io/nifti.hpp"
#include "core/radiomics/params.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Region {
  const char* name;
  std::vector<int> labels;  // BraTS: 1 necrosis, 2 oedema, 4 enhancing tumour
};

const std::vector<Region>& brats_regions() {
  static const std::vector<Region> regions{{"ET", {4}}, {"TC", {1, 4}}, {"WT", {1, 2, 4}}};
  return regions;
}

constexpr const char* modalities[] = {"t1", "t1ce", "t2", "flair"};

// Wall and CPU seconds since construction.
class Stopwatch {
public:
  [[nodiscard]] double wall() const { return std::chrono::duration<double>(Clock::now() - wall0_).count(); }
  [[nodiscard]] double cpu() const { return static_cast<double>(std::clock() - cpu0_) / CLOCKS_PER_SEC; }

private:
  Clock::time_point wall0_ = Clock::now();
  std::clock_t cpu0_ = std::clock();
};

int write_masks(const fs::path& root, const std::vector<fs::path>& cases) {
  for (const auto& dir : cases) {
    const std::string id = dir.filename().string();
    const auto seg = gliolens::read_nifti((dir / (id + "_seg.nii.gz")).string()).volume;
    fs::create_directories(root / id);
    std::string voxels_json;
    for (const auto& region : brats_regions()) {
      gliolens::Volume mask = seg;
      std::size_t voxels = 0;
      for (auto& v : mask.voxels) {
        bool in = false;
        for (const int label : region.labels) in = in || gliolens::radiomics::label_matches(v, label);
        v = in ? 1.0f : 0.0f;
        voxels += in;
      }
      if (voxels > 0) gliolens::write_nifti((root / id / (std::string(region.name) + ".nii.gz")).string(), mask, gliolens::StoredType::uint8);
      voxels_json += (voxels_json.empty() ? "" : ", ") + ("\"" + std::string(region.name) + "\": " + std::to_string(voxels));
    }
    std::printf("{\"case\": \"%s\", \"voxels\": {%s}}\n", id.c_str(), voxels_json.c_str());
    std::fflush(stdout);
  }
  return 0;
}

void per_family(const std::string& id, const std::vector<gliolens::Volume>& images,
                const std::vector<gliolens::Volume>& masks, const gliolens::radiomics::Params& params) {
  for (const char* family : {"none", "shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"}) {
    auto p = params;
    // The pipeline takes the families from feature_classes (Settings::families is overwritten from it); "none" is a
    // name no family has: the cropping and discretisation alone.
    p.feature_classes = {{family, {}}};
    gliolens::radiomics::ExtractionCache cache;
    const Stopwatch watch;
    for (const auto& mask : masks)
      for (const auto& image : images) (void)gliolens::radiomics::extract_with_params(image, mask, 1, p, &cache);
    std::fprintf(stderr, "native  %s %zu extractions, %-10s alone: %.3f s CPU\n", id.c_str(), masks.size() * images.size(),
                 family, watch.cpu());
  }
}

int time_cases(const fs::path& root, const std::vector<fs::path>& cases) {
  const auto params = gliolens::radiomics::default_params(gliolens::radiomics::Mode::pyradiomics);
  const char* per_family_env = std::getenv("GLIOLENS_BENCH_PER_FAMILY");
  const bool by_family = per_family_env != nullptr && std::string_view(per_family_env) == "1";
  for (const auto& dir : cases) {
    const std::string id = dir.filename().string();
    std::vector<const Region*> present;
    for (const auto& region : brats_regions())
      if (fs::exists(root / id / (std::string(region.name) + ".nii.gz"))) present.push_back(&region);

    const Stopwatch read_watch;
    std::vector<gliolens::Volume> images;
    for (const char* m : modalities) images.push_back(gliolens::read_nifti((dir / (id + "_" + m + ".nii.gz")).string()).volume);
    std::vector<gliolens::Volume> masks;
    for (const Region* region : present)
      masks.push_back(gliolens::read_nifti((root / id / (std::string(region->name) + ".nii.gz")).string()).volume);
    const double read_s = read_watch.wall(), read_cpu = read_watch.cpu();

    gliolens::radiomics::ExtractionCache cache;  // each region's geometry is shared by its 4 modalities
    std::size_t features = 0;
    double extract_s = 0, extract_cpu = 0;
    std::string regions_json;
    for (std::size_t r = 0; r < present.size(); ++r) {
      const Stopwatch watch;
      for (const auto& image : images) features += gliolens::radiomics::extract_with_params(image, masks[r], 1, params, &cache).size();
      const double s = watch.wall(), c = watch.cpu();
      extract_s += s;
      extract_cpu += c;
      char buffer[160];
      std::snprintf(buffer, sizeof buffer, "%s{\"name\": \"%s\", \"seconds\": %.6f, \"cpu_s\": %.6f}", r == 0 ? "" : ", ",
                    present[r]->name, s, c);
      regions_json += buffer;
    }
    std::printf("{\"engine\": \"native\", \"case\": \"%s\", \"read_s\": %.6f, \"read_cpu_s\": %.6f, \"extract_s\": %.6f, "
                "\"extract_cpu_s\": %.6f, \"extractions\": %zu, \"features\": %zu, \"regions\": [%s]}\n",
                id.c_str(), read_s, read_cpu, extract_s, extract_cpu, present.size() * images.size(), features,
                regions_json.c_str());
    std::fflush(stdout);
    if (by_family) per_family(id, images, masks, params);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view usage = "usage: radiomics_bench --write-masks MASK_ROOT CASE_DIR... | --masks MASK_ROOT CASE_DIR...\n";
  if (argc < 4 || (std::string_view(argv[1]) != "--write-masks" && std::string_view(argv[1]) != "--masks")) {
    std::fputs(usage.data(), stderr);
    return 2;
  }
  const fs::path root = argv[2];
  std::vector<fs::path> cases;
  for (int i = 3; i < argc; ++i) cases.emplace_back(fs::path(argv[i]).lexically_normal());
  for (auto& dir : cases)
    if (!dir.has_filename()) dir = dir.parent_path();  // "CASE/" names the case CASE
  try {
    return std::string_view(argv[1]) == "--write-masks" ? write_masks(root, cases) : time_cases(root, cases);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "radiomics_bench: %s\n", e.what());
    return 1;
  }
}
