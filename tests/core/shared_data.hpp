// Where the C++ tests find the shared reference data (../shared/data, or $GLIOLENS_SHARED_DATA as for the Node
// tests), and how a test that needs it reports itself skipped where it is absent: a warning that starts with
// the marker below, which CTest turns into "Skipped" (SKIP_REGULAR_EXPRESSION in CMakeLists.txt), not "Passed".
#pragma once
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace gliolens::testing {

inline std::filesystem::path shared_data_dir() {
  const char* chosen = std::getenv("GLIOLENS_SHARED_DATA");
  return chosen && *chosen ? std::filesystem::path(chosen) : std::filesystem::path(GLIOLENS_SHARED_DATA);
}

// True (with the skip warning) when `needed` is absent: the test returns at once.
inline bool skipped_without(const std::filesystem::path& needed) {
  if (std::filesystem::exists(needed)) return false;
  WARN("GLIOLENS-TEST-SKIPPED: " << needed.string() << " is absent (shared reference data not here)");
  return true;
}

}  // namespace gliolens::testing
