// PyRadiomics mode against PyRadiomics itself on every region (ET, TC, WT, NCR, ED) of every modality of the 14
// shared BraTS cases (issue 31): default settings (binWidth 25, 3D, no resampling, every default feature of the
// Original image). The reference values were written by PyRadiomics 3.1.0 (the peer of ../shared/tools/pyradiomics)
// into tests/reference/pyradiomics_brats/pyradiomics_brats.csv by make_reference.py beside it, so this test needs
// the BraTS images but not PyRadiomics. Tolerance: 1e-6 relative (1e-12 absolute near zero), as for brain1.
#include <catch2/catch.hpp>

#include "radiomics_test_support.hpp"

#include "core/errors.hpp"
#include "core/io/nifti.hpp"
#include "core/radiomics/extraction_cache.hpp"
#include "core/radiomics/radiomics.hpp"

#include <algorithm>
#include <filesystem>
#include <cmath>
#include <limits>
#include <map>

namespace fs = std::filesystem;
using gliolens::Volume;
using gliolens::radiomics::testing::csv_fields;

namespace {

const fs::path kReference =
    fs::path(GLIOLENS_SOURCE_DIR) / "tests" / "reference" / "pyradiomics_brats" / "pyradiomics_brats.csv";

const std::map<std::string, std::vector<int>> kRegions{
    {"ET", {4}}, {"TC", {1, 4}}, {"WT", {1, 2, 4}}, {"NCR", {1}}, {"ED", {2}}};

struct ReferenceRow {
  std::string modality, region, status;
  std::map<std::string, double> values;
};

std::vector<ReferenceRow> reference_rows(const std::string& case_id) {
  std::ifstream in(kReference);
  REQUIRE(in.good());
  std::string line;
  std::getline(in, line);
  const auto header = csv_fields(line);
  std::vector<ReferenceRow> rows;
  while (std::getline(in, line)) {
    const auto f = csv_fields(line);
    if (f.empty() || f[0] != case_id) continue;
    ReferenceRow row{f[1], f[2], f[3], {}};
    for (std::size_t i = 4; i < f.size() && i < header.size(); ++i)
      if (!f[i].empty()) row.values[header[i]] = std::stod(f[i]);
    rows.push_back(std::move(row));
  }
  return rows;
}

void check_case(const std::string& case_id) {
  const fs::path dir = gliolens::testing::shared_data_dir() / "brats2018" / case_id;
  if (gliolens::testing::skipped_without(dir / (case_id + "_seg.nii.gz"))) return;
  const auto rows = reference_rows(case_id);
  REQUIRE(rows.size() == 20);  // 4 modalities x 5 regions
  const Volume seg = gliolens::read_nifti((dir / (case_id + "_seg.nii.gz")).string()).volume;
  std::map<std::string, Volume> images;
  gliolens::radiomics::ExtractionCache cache;
  int matched = 0, total = 0, refused = 0;
  double worst = 0;
  std::string worst_at;
  for (const auto& row : rows) {
    if (!images.count(row.modality))
      images[row.modality] = gliolens::read_nifti((dir / (case_id + "_" + row.modality + ".nii.gz")).string()).volume;
    const std::string where = case_id + " " + row.modality + " " + row.region;
    const auto extract = [&] {
      return gliolens::radiomics::extract_features(images[row.modality], seg, kRegions.at(row.region),
                                                   gliolens::radiomics::pyradiomics_defaults(), &cache);
    };
    if (row.status != "ok") {
      // PyRadiomics refuses the region (e.g. no voxel of it): so do we, with an error that says why.
      INFO(where << ": PyRadiomics refused it (" << row.status << ")");
      CHECK_THROWS_AS(extract(), gliolens::InvalidInputError);
      ++refused;
      continue;
    }
    std::map<std::string, const gliolens::radiomics::Feature*> ours;
    const auto features = extract();
    for (const auto& f : features) ours[f.name] = &f;
    for (const auto& [name, ref] : row.values) {
      ++total;
      const auto it = ours.find(name);
      const bool has = it != ours.end() && it->second->value;
      const double v = has ? *it->second->value : std::nan("");
      const double error = has ? std::abs(v - ref) : std::numeric_limits<double>::infinity();
      const bool ok = error <= std::max(1e-6 * std::abs(ref), 1e-12);
      const double relative = ref != 0 ? error / std::abs(ref) : error;
      if (relative > worst && has) {
        worst = relative;
        worst_at = where + " " + name;
      }
      INFO(where << " " << name << ": PyRadiomics " << std::setprecision(15) << ref << ", ours "
                 << (has ? std::to_string(v) : (it == ours.end() ? "no such feature" : it->second->reason)));
      CHECK(ok);
      matched += ok;
    }
  }
  WARN(case_id << ": " << matched << "/" << total << " PyRadiomics values within 1e-6 over " << rows.size() - refused
               << " regions (" << refused << " refused by both); worst relative difference " << worst << " ("
               << worst_at << ")");
}

}  // namespace

// One test per case, so that CTest runs them in parallel and a failure names its case.
TEST_CASE("PyRadiomics parity on BraTS: 2013_11_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_2013_11_1"); }
TEST_CASE("PyRadiomics parity on BraTS: 2013_20_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_2013_20_1"); }
TEST_CASE("PyRadiomics parity on BraTS: 2013_3_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_2013_3_1"); }
TEST_CASE("PyRadiomics parity on BraTS: CBICA_ABM_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_CBICA_ABM_1"); }
TEST_CASE("PyRadiomics parity on BraTS: CBICA_ALU_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_CBICA_ALU_1"); }
TEST_CASE("PyRadiomics parity on BraTS: CBICA_AME_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_CBICA_AME_1"); }
TEST_CASE("PyRadiomics parity on BraTS: TCIA01_201_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_TCIA01_201_1"); }
TEST_CASE("PyRadiomics parity on BraTS: TCIA01_378_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_TCIA01_378_1"); }
TEST_CASE("PyRadiomics parity on BraTS: TCIA01_425_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_TCIA01_425_1"); }
TEST_CASE("PyRadiomics parity on BraTS: TCIA02_135_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_TCIA02_135_1"); }
TEST_CASE("PyRadiomics parity on BraTS: TCIA02_370_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_TCIA02_370_1"); }
TEST_CASE("PyRadiomics parity on BraTS: TCIA10_628_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_TCIA10_628_1"); }
TEST_CASE("PyRadiomics parity on BraTS: TCIA10_637_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_TCIA10_637_1"); }
TEST_CASE("PyRadiomics parity on BraTS: TCIA13_623_1", "[radiomics][pyradiomics][brats]") { check_case("Brats18_TCIA13_623_1"); }
