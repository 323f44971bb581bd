// Test support for the manifest readers' refusal tests: one member of a JSON document changed by its key path.
#pragma once
#include "core/common/json.hpp"

#include <initializer_list>
#include <vector>

namespace gliolens::test {

// document["a"]["b"]... = value (members added when missing).
inline void put(Json& document, std::initializer_list<const char*> path, Json value) {
  Json* at = &document;
  std::vector<const char*> keys(path);
  for (std::size_t n = 0; n + 1 < keys.size(); ++n) {
    if (!at->find(keys[n])) at->set(keys[n], Json(Json::Object{}));
    at = const_cast<Json*>(at->find(keys[n]));
  }
  at->set(keys.back(), std::move(value));
}

}  // namespace gliolens::test
