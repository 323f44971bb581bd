#include "core/errors.hpp"
#include "core/io/nifti.hpp"
#include "shared_data.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using namespace gliolens;
namespace fs = std::filesystem;

namespace {
const fs::path shared_data = gliolens::testing::shared_data_dir();
const fs::path brats_case = shared_data / "brats2018" / "Brats18_2013_11_1";

fs::path temp_file(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "gliolens_tests";
  fs::create_directories(dir);
  return dir / name;
}
}  // namespace

TEST_CASE("BraTS header reads with its known geometry", "[io]") {
  const auto path = brats_case / "Brats18_2013_11_1_t1.nii.gz";
  if (gliolens::testing::skipped_without(path)) return;
  const NiftiHeader h = read_nifti_header(path.string());
  CHECK(h.nifti_version == 1);
  CHECK(h.dims == std::vector<std::int64_t>{240, 240, 155});
  CHECK(h.datatype == "INT16");
  CHECK(h.pixdim[0] == Approx(1.0));
}

TEST_CASE("NIfTI round trip keeps voxels and geometry", "[io]") {
  Volume v;
  v.grid.dims = {5, 4, 3};
  v.grid.affine << -0.8, 0, 0, 10, 0, 1.2, 0, -20, 0, 0, 2.5, 30, 0, 0, 0, 1;
  v.grid.sform = v.grid.affine;
  v.grid.sform_code = 2;
  v.voxels.resize(v.grid.voxel_count());
  for (std::size_t i = 0; i < v.voxels.size(); ++i) v.voxels[i] = static_cast<float>(i) - 7.5f;
  for (const std::string ext : {".nii", ".nii.gz"}) {
    const auto path = temp_file("roundtrip" + ext).string();
    write_nifti(path, v, StoredType::float32);
    const NiftiImage back = read_nifti(path);
    CHECK(back.volume.voxels == v.voxels);
    CHECK(back.volume.grid.dims == v.grid.dims);
    CHECK(back.volume.grid.affine.isApprox(v.grid.affine, 1e-6));
    CHECK(back.header.orientation == "LAS");
    CHECK(back.header.sform_code == 2);
  }
}

TEST_CASE("unreadable files give a typed error naming the file", "[io]") {
  CHECK_THROWS_AS(read_nifti("/nonexistent/x.nii.gz"), FileError);
  CHECK_THROWS_WITH(read_nifti("/nonexistent/x.nii.gz"), Catch::Contains("x.nii.gz") && Catch::Contains("not found"));
  const auto garbage = temp_file("garbage.nii");
  std::ofstream(garbage) << std::string(400, 'x');
  CHECK_THROWS_AS(read_nifti(garbage.string()), FormatError);
  CHECK_THROWS_WITH(read_nifti(garbage.string()), Catch::Contains("not a NIfTI file"));
  const auto bad_gz = temp_file("bad.nii.gz");
  std::ofstream(bad_gz, std::ios::binary) << std::string("\x1f\x8b\x08\x00garbagegarbagegarbage", 25);
  CHECK_THROWS_AS(read_nifti(bad_gz.string()), FileError);
}
