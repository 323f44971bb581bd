// Round trips through our writer: every stored type, NIfTI-1 and -2, .nii/.nii.gz/.hdr pairs;
// qform and sform kept as they were (codes and matrices), values identical.
#include "core/errors.hpp"
#include "core/io/nifti.hpp"
#include "tests/core/test_io_support.hpp"

#include <catch2/catch.hpp>

using namespace gliolens;
using gliolens::test::io_temp;

TEST_CASE("read, write, read: identical voxels and geometry for every type and file form", "[io][writer]") {
  Volume v;
  v.name = "roundtrip";
  v.grid.dims = {6, 5, 4};
  // A rigid rotation with voxel sizes (representable as a quaternion) for the qform, and a
  // sheared sform (only representable as a matrix): both must survive.
  const double c = std::cos(0.3), s = std::sin(0.3);
  v.grid.qform << c * 0.9, -s * 1.1, 0, 10, s * 0.9, c * 1.1, 0, -20, 0, 0, 2.5, 30, 0, 0, 0, 1;
  v.grid.qform_code = 1;
  v.grid.sform << -0.9, 0.05, 0, 12, 0, 1.1, 0.02, -18, 0, 0, 2.5, 33, 0, 0, 0, 1;
  v.grid.sform_code = 2;
  v.grid.affine = v.grid.sform;
  v.voxels.resize(v.grid.voxel_count());
  for (std::size_t i = 0; i < v.voxels.size(); ++i) v.voxels[i] = static_cast<float>(i % 100);

  const std::vector<std::pair<StoredType, std::string>> types = {
      {StoredType::uint8, "UINT8"},   {StoredType::int8, "INT8"},     {StoredType::int16, "INT16"},
      {StoredType::uint16, "UINT16"}, {StoredType::int32, "INT32"},   {StoredType::uint32, "UINT32"},
      {StoredType::float32, "FLOAT32"}, {StoredType::float64, "FLOAT64"}};
  for (const auto& [type, name] : types) {
    {
      for (const std::string ext : {".nii", ".nii.gz", ".hdr"}) {
        const auto path = io_temp("w_" + name + ext).string();
        INFO(path);
        write_nifti(path, v, type);
        const NiftiImage back = read_nifti(path);
        CHECK(back.header.datatype == name);
        CHECK(back.header.nifti_version == 1);
        CHECK(back.volume.voxels == v.voxels);
        CHECK(back.volume.grid.dims == v.grid.dims);
        CHECK(back.volume.grid.qform_code == 1);
        CHECK(back.volume.grid.sform_code == 2);
        CHECK((back.volume.grid.sform - v.grid.sform).cwiseAbs().maxCoeff() < 1e-5);
        CHECK((back.volume.grid.qform - v.grid.qform).cwiseAbs().maxCoeff() < 1e-5);
        CHECK((back.volume.grid.affine - v.grid.affine).cwiseAbs().maxCoeff() < 1e-5);
        // A second round trip changes nothing at all.
        write_nifti(path, back.volume, type);
        const NiftiImage again = read_nifti(path);
        CHECK(again.volume.voxels == back.volume.voxels);
        CHECK((again.volume.grid.sform - back.volume.grid.sform).cwiseAbs().maxCoeff() < 1e-5);
        CHECK((again.volume.grid.qform - back.volume.grid.qform).cwiseAbs().maxCoeff() < 1e-5);
      }
    }
  }
}

TEST_CASE("integer types round and clamp; fits_stored_type says when values survive", "[io][writer]") {
  Volume v;
  v.grid.dims = {4, 1, 1};
  v.voxels = {-3.4f, 2.6f, 300.0f, 0.5f};
  CHECK_FALSE(fits_stored_type(v, StoredType::uint8));
  CHECK(fits_stored_type(v, StoredType::float32));
  write_nifti(io_temp("clamp.nii").string(), v, StoredType::uint8);
  CHECK(read_nifti(io_temp("clamp.nii").string()).volume.voxels == std::vector<float>{0, 3, 255, 0});
  v.voxels = {-3, 2, 300, 0};
  CHECK(fits_stored_type(v, StoredType::int16));
  CHECK_FALSE(fits_stored_type(v, StoredType::int8));
  CHECK(stored_type_for("UINT16") == StoredType::uint16);
  CHECK(stored_type_for("COMPLEX64") == StoredType::float32);
  CHECK_THROWS_AS(write_nifti(io_temp("x.png").string(), v, StoredType::int16), InvalidInputError);
}
