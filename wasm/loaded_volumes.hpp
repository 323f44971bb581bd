// The volumes JavaScript has loaded, by id: one store per module, shared by every binding file
// (bind_session.cpp loads and releases them; bind_radiomics.cpp reads them).
#pragma once
#include "core/errors.hpp"
#include "core/volume.hpp"

#include <map>
#include <string>

namespace gliolens::js {

inline std::map<int, Volume>& loaded_volumes() {
  static std::map<int, Volume> volumes;
  return volumes;
}

inline int& next_volume_id() {
  static int id = 1;
  return id;
}

inline const Volume& loaded_volume(int id) {
  const auto it = loaded_volumes().find(id);
  if (it == loaded_volumes().end()) throw InvalidInputError("no loaded volume with id " + std::to_string(id));
  return it->second;
}

}  // namespace gliolens::js
