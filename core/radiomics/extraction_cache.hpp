// What the feature extractions of one case can share: a region is extracted in every modality (BraTS: ET, TC
// and WT x 4), and its mesh, convex hull and PCA depend on the mask alone, its Moran/Geary kernel spectrum on the
// box alone. Whoever extracts a case holds one ExtractionCache and passes it to each extraction; a hit gives
// exactly what a fresh computation gives. Not for sharing between threads.
#pragma once
#include <memory>

namespace gliolens::radiomics {

class GeometryCache;
class KernelCache;

class ExtractionCache {
public:
  ExtractionCache();
  ~ExtractionCache();
  ExtractionCache(ExtractionCache&&) noexcept;
  ExtractionCache& operator=(ExtractionCache&&) noexcept;
  ExtractionCache(const ExtractionCache&) = delete;
  ExtractionCache& operator=(const ExtractionCache&) = delete;

  [[nodiscard]] GeometryCache& geometry() { return *geometry_; }
  [[nodiscard]] KernelCache& kernels() { return *kernels_; }
  void clear();

private:
  std::unique_ptr<GeometryCache> geometry_;
  std::unique_ptr<KernelCache> kernels_;
};

}  // namespace gliolens::radiomics
