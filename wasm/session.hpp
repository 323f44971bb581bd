// The volumes one JavaScript `Gliolens` object has loaded, by id, and what feature extractions over them
// share. Every binding that reads or adds a volume takes the Session, so state lives in the object
// JavaScript holds, not in the module.
#pragma once
#include "core/errors.hpp"
#include "core/radiomics/extraction_cache.hpp"
#include "core/volume.hpp"

#include <map>
#include <string>

namespace gliolens::js {

class Session {
public:
  int add(Volume volume) {
    const int id = next_id_++;
    volumes_.emplace(id, std::move(volume));
    return id;
  }

  [[nodiscard]] const Volume& volume(int id) const {
    const auto it = volumes_.find(id);
    if (it == volumes_.end()) throw InvalidInputError("no loaded volume with id " + std::to_string(id));
    return it->second;
  }

  void release(int id) {
    volumes_.erase(id);
    if (volumes_.empty()) radiomics_cache_.clear();
  }
  [[nodiscard]] int count() const { return static_cast<int>(volumes_.size()); }

  // The mesh/hull/PCA of each region is computed once across the case's modalities.
  [[nodiscard]] radiomics::ExtractionCache& radiomics_cache() { return radiomics_cache_; }

private:
  // A loaded volume never moves (map nodes) and its id is never reused, so what holds its address (a segmentation
  // run) stays valid for as long as volume(id) finds it.
  std::map<int, Volume> volumes_;
  int next_id_ = 1;
  radiomics::ExtractionCache radiomics_cache_;
};

}  // namespace gliolens::js
