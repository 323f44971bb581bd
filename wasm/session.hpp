// The volumes one JavaScript `Gliolens` object has loaded, by id. Every binding that reads or adds a
// volume takes the Session, so state lives in the object JavaScript holds, not in the module.
#pragma once
#include "core/errors.hpp"
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

  void release(int id) { volumes_.erase(id); }
  [[nodiscard]] int count() const { return static_cast<int>(volumes_.size()); }

private:
  std::map<int, Volume> volumes_;
  int next_id_ = 1;
};

}  // namespace gliolens::js
