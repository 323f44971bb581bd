// Native side of bench/survival_bench.mjs: runs one survival workflow (the same JSON options the
// WASM build gets, report serialised to JSON text as the binding does) `repeats` times on a CSV and
// prints the median seconds per run as JSON.
// Usage: survival_bench CSV OPTIONS_JSON REPEATS
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/survival/table.hpp"
#include "core/survival/workflow.hpp"

int main(int argc, char** argv) {
  using namespace gliolens::survival;
  using gliolens::Json;
  using gliolens::parse_json;
  if (argc != 4) {
    std::fprintf(stderr, "usage: survival_bench CSV OPTIONS_JSON REPEATS\n");
    return 2;
  }
  try {
    const Table table = read_csv_file(argv[1]);
    const Json options = parse_json(argv[2]);
    const int repeats = std::max(1, std::atoi(argv[3]));
    std::vector<double> seconds;
    double c_index = 0.0;
    std::size_t bytes = 0;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      // The report is serialised too, as the WASM binding does before handing it to JavaScript.
      const Json report = cox_workflow(table, options);
      bytes = report.dump().size();
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      c_index = report.at("concordance").at("train").at("estimate").as_number();
    }
    std::sort(seconds.begin(), seconds.end());
    std::printf("{\"seconds\": %.9g, \"c_index\": %.12g, \"report_bytes\": %zu}\n", seconds[seconds.size() / 2], c_index, bytes);
    return 0;
  } catch (const gliolens::Error& e) {
    std::fprintf(stderr, "survival_bench: %s\n", e.what());
    return 1;
  }
}
