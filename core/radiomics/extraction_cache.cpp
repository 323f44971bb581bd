#include "core/radiomics/extraction_cache.hpp"

#include "core/radiomics/extraction_cache_parts.hpp"

namespace gliolens::radiomics {

ExtractionCache::ExtractionCache() : geometry_(std::make_unique<GeometryCache>()), kernels_(std::make_unique<KernelCache>()) {}
ExtractionCache::~ExtractionCache() = default;
ExtractionCache::ExtractionCache(ExtractionCache&&) noexcept = default;
ExtractionCache& ExtractionCache::operator=(ExtractionCache&&) noexcept = default;

void ExtractionCache::clear() {
  geometry_->clear();
  kernels_->clear();
}

}  // namespace gliolens::radiomics
