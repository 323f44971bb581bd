// The NIfTI reader on files written byte by byte (tests/core/test_io_support.hpp): every datatype,
// both byte orders, both versions, pairs, scaling, qform/sform precedence, 4-D, and each error.
#include "core/errors.hpp"
#include "core/io/nifti.hpp"
#include "tests/core/test_io_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <tuple>

using namespace gliolens;
using gliolens::test::io_temp;
using gliolens::test::RawNifti;

namespace {

std::vector<float> iota_floats(std::size_t n) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  return v;
}

}  // namespace

TEST_CASE("every supported datatype, both byte orders, NIfTI-1 and -2, all file forms", "[io]") {
  const std::vector<std::pair<int, std::string>> types = {{2, "UINT8"},   {256, "INT8"},   {4, "INT16"},
                                                          {512, "UINT16"}, {8, "INT32"},   {768, "UINT32"},
                                                          {16, "FLOAT32"}, {64, "FLOAT64"}};
  for (const auto& [code, name] : types) {
    for (const int version : {1, 2}) {
      for (const bool big : {false, true}) {
        for (const std::string ext : {".nii", ".nii.gz", ".hdr"}) {
          RawNifti raw;
          raw.version = version;
          raw.big_endian = big;
          raw.datatype = code;
          const auto path = io_temp("dt_" + name + "_v" + std::to_string(version) + (big ? "_be" : "_le") + ext);
          raw.write(path);
          INFO(path);
          const NiftiImage image = read_nifti(path.string());
          CHECK(image.header.datatype == name);
          CHECK(image.header.nifti_version == version);
          CHECK(image.header.big_endian == big);
          CHECK(image.header.two_files == (ext == ".hdr"));
          CHECK(image.volume.grid.dims == std::array<std::int64_t, 3>{4, 3, 2});
          CHECK(image.volume.voxels == iota_floats(24));
          CHECK(image.warnings.empty());
        }
      }
    }
  }
}

TEST_CASE("a .img path reads its pair; a missing .img is named", "[io]") {
  RawNifti raw;
  raw.datatype = 4;
  const auto hdr = io_temp("pair_named.hdr");
  raw.write(hdr);
  auto img = hdr;
  img.replace_extension(".img");
  CHECK(read_nifti(img.string()).volume.voxels == iota_floats(24));
  std::filesystem::remove(img);
  CHECK_THROWS_AS(read_nifti(hdr.string()), FileError);
  CHECK_THROWS_WITH(read_nifti(hdr.string()), Catch::Contains("pair_named.hdr"));
}

TEST_CASE("scl_slope and scl_inter apply; slope 0 means unscaled", "[io]") {
  RawNifti raw;
  raw.datatype = 4;
  raw.values = {-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 32767};
  raw.scl_slope = 0.5;
  raw.scl_inter = 100;
  raw.write(io_temp("scaled.nii"));
  const NiftiImage image = read_nifti(io_temp("scaled.nii").string());
  CHECK(image.volume.voxels[0] == Approx(98.5));
  CHECK(image.volume.voxels[23] == Approx(32767 * 0.5 + 100));
  CHECK(image.header.scl_slope == 0.5);
  raw.scl_slope = 0;
  raw.write(io_temp("unscaled.nii"));
  CHECK(read_nifti(io_temp("unscaled.nii").string()).volume.voxels[0] == -3.0f);
}

TEST_CASE("qform and sform precedence: sform when set, else qform, else pixdim", "[io]") {
  RawNifti raw;
  raw.pixdim = {1, 2, 3, 4, 1, 1, 1, 1};
  raw.quatern = {0, 0, 1};  // 180 degrees about z: x and y flip
  raw.qoffset = {10, 20, 30};
  raw.srow = {{{0, 0, 4, -5}, {2, 0, 0, -6}, {0, 3, 0, -7}}};  // PSR-like permutation, voxel axes -> S,R,A

  SECTION("both: sform wins") {
    raw.qform_code = 1;
    raw.sform_code = 2;
    raw.write(io_temp("both.nii"));
    const auto h = read_nifti_header(io_temp("both.nii").string());
    Eigen::Matrix4d expected;
    expected << 0, 0, 4, -5, 2, 0, 0, -6, 0, 3, 0, -7, 0, 0, 0, 1;
    CHECK(h.affine.isApprox(expected));
    CHECK(h.orientation == "ASR");
    const auto v = read_nifti(io_temp("both.nii").string()).volume;
    CHECK(v.grid.qform_code == 1);
    CHECK(v.grid.sform_code == 2);
    Eigen::Matrix4d q;
    q << -2, 0, 0, 10, 0, -3, 0, 20, 0, 0, 4, 30, 0, 0, 0, 1;
    CHECK(v.grid.qform.isApprox(q));
  }
  SECTION("qform only") {
    raw.qform_code = 1;
    raw.write(io_temp("qonly.nii"));
    const auto h = read_nifti_header(io_temp("qonly.nii").string());
    Eigen::Matrix4d expected;
    expected << -2, 0, 0, 10, 0, -3, 0, 20, 0, 0, 4, 30, 0, 0, 0, 1;
    CHECK(h.affine.isApprox(expected));
    CHECK(h.orientation == "LPS");
  }
  SECTION("neither: pixdim scaling") {
    raw.write(io_temp("neither.nii"));
    const auto h = read_nifti_header(io_temp("neither.nii").string());
    CHECK(h.affine.isApprox(Eigen::Vector4d(2, 3, 4, 1).asDiagonal().toDenseMatrix()));
  }
}

TEST_CASE("4-D: first volume with a warning, or the chosen one", "[io]") {
  RawNifti raw;
  raw.dim = {4, 2, 2, 2, 3, 1, 1, 1};
  raw.datatype = 4;
  for (const std::string ext : {".nii", ".nii.gz"}) {
    const auto path = io_temp("fourd" + ext);
    raw.write(path);
    const NiftiImage first = read_nifti(path.string());
    CHECK(first.volume.voxels[0] == 0.0f);
    REQUIRE(first.warnings.size() == 1);
    CHECK_THAT(first.warnings[0], Catch::Contains("3 volumes") && Catch::Contains("using volume 0"));
    ReadOptions options;
    options.volume_index = 2;
    CHECK(read_nifti(path.string(), options).volume.voxels[0] == 16.0f);
    options.volume_index = 3;
    CHECK_THROWS_AS(read_nifti(path.string(), options), InvalidInputError);
  }
}

TEST_CASE("reader errors are typed and name the file", "[io][errors]") {
  RawNifti good;
  good.datatype = 16;

  SECTION("truncated voxel data, plain and gzipped") {
    for (const std::string ext : {".nii", ".nii.gz"}) {
      const auto path = io_temp("trunc" + ext);
      good.write(path, 352 + 40);
      CHECK_THROWS_AS(read_nifti(path.string()), FileError);
      CHECK_THROWS_WITH(read_nifti(path.string()), Catch::StartsWith(path.string()) && Catch::Contains("truncated"));
    }
  }
  SECTION("truncated header") {
    const auto path = io_temp("trunc_header.nii");
    good.write(path, 200);
    CHECK_THROWS_WITH(read_nifti(path.string()), Catch::Contains("truncated header: 200 of 348 bytes"));
  }
  SECTION("wrong magic") {
    RawNifti bad = good;
    bad.magic = "xyz";
    bad.write(io_temp("magic.nii"));
    CHECK_THROWS_AS(read_nifti(io_temp("magic.nii").string()), FormatError);
    CHECK_THROWS_WITH(read_nifti(io_temp("magic.nii").string()), Catch::Contains("wrong NIfTI magic \"xyz.\""));
  }
  SECTION("corrupt gzip in the voxel data") {
    good.dim = {3, 64, 64, 16, 1, 1, 1, 1};
    good.write(io_temp("corrupt.nii.gz"));
    std::fstream f(io_temp("corrupt.nii.gz"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4000);
    const std::string junk(64, '\x55');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    f.close();
    CHECK_THROWS_AS(read_nifti(io_temp("corrupt.nii.gz").string()), FileError);
    CHECK_THROWS_WITH(read_nifti(io_temp("corrupt.nii.gz").string()), Catch::Contains("corrupt.nii.gz") &&
                                                                            Catch::Contains("gzip"));
  }
  SECTION("zero, negative and absurd dims") {
    RawNifti bad = good;
    bad.dim = {3, 4, 0, 2, 1, 1, 1, 1};
    bad.write(io_temp("zero.nii"));
    CHECK_THROWS_WITH(read_nifti(io_temp("zero.nii").string()), Catch::Contains("dimension 2 = 0 (zero)"));
    bad.dim = {3, 4, -3, 2, 1, 1, 1, 1};
    bad.write(io_temp("negative.nii"));
    CHECK_THROWS_AS(read_nifti(io_temp("negative.nii").string()), FormatError);
    CHECK_THROWS_WITH(read_nifti(io_temp("negative.nii").string()), Catch::Contains("dimension 2 = -3 (negative)"));
    bad.dim = {9, 4, 3, 2, 1, 1, 1, 1};
    bad.write(io_temp("ndim.nii"));
    CHECK_THROWS_WITH(read_nifti(io_temp("ndim.nii").string()), Catch::Contains("invalid number of dimensions 9"));
    bad.version = 2;
    bad.dim = {3, 1 << 20, 1 << 20, 1 << 20, 1, 1, 1, 1};
    bad.values = {0};
    bad.write(io_temp("huge.nii"), 600);
    CHECK_THROWS_WITH(read_nifti(io_temp("huge.nii").string()), Catch::Contains("exceed the memory budget"));
    bad.dim = {5, 4, 4, 4, std::int64_t{1} << 40, 1 << 20, 1, 1};
    bad.write(io_temp("absurd.nii"), 600);
    CHECK_THROWS_WITH(read_nifti(io_temp("absurd.nii").string()), Catch::Contains("absurd dimensions"));
    ReadOptions small;
    small.max_voxels = 10;
    good.write(io_temp("budget.nii"));
    CHECK_THROWS_WITH(read_nifti(io_temp("budget.nii").string(), small),
                      Catch::Contains("4x3x2 exceed the memory budget of 10 voxels"));
  }
  SECTION("NaN and Inf voxels are counted") {
    RawNifti bad = good;
    for (int i = 0; i < 24; ++i) bad.values.push_back(i);
    bad.values[3] = std::numeric_limits<double>::quiet_NaN();
    bad.values[7] = std::numeric_limits<double>::infinity();
    bad.values[9] = -std::numeric_limits<double>::infinity();
    for (const int type : {16, 64}) {
      bad.datatype = type;
      bad.write(io_temp("nan.nii"));
      CHECK_THROWS_AS(read_nifti(io_temp("nan.nii").string()), FormatError);
      CHECK_THROWS_WITH(read_nifti(io_temp("nan.nii").string()), Catch::Contains("3 voxels are NaN or infinite"));
    }
  }
  SECTION("unsupported datatypes by name") {
    for (const auto& [code, name] : std::vector<std::pair<int, std::string>>{
             {1024, "INT64"}, {32, "COMPLEX64"}, {128, "RGB24"}, {1, "BINARY"}, {77, "code 77"}}) {
      RawNifti bad = good;
      bad.datatype = code;
      bad.write(io_temp("unsupported.nii"));
      CHECK_THROWS_AS(read_nifti(io_temp("unsupported.nii").string()), UnsupportedError);
      CHECK_THROWS_WITH(read_nifti(io_temp("unsupported.nii").string()),
                        Catch::Contains("datatype " + name + " is not supported"));
    }
  }
  SECTION("gzip data under a .nii name") {
    good.write(io_temp("really_gz.nii.gz"));
    std::filesystem::copy_file(io_temp("really_gz.nii.gz"), io_temp("really_gz.nii"),
                               std::filesystem::copy_options::overwrite_existing);
    CHECK_THROWS_WITH(read_nifti(io_temp("really_gz.nii").string()), Catch::Contains("rename it to .nii.gz"));
  }
  SECTION("the display name is the one in messages") {
    CHECK_THROWS_WITH(read_nifti("/nonexistent/a.nii", {}, "my_scan.nii"), Catch::StartsWith("my_scan.nii: "));
  }
}

TEST_CASE("a .nii.gz of several gzip members, or with bytes after its stream, reads as its plain twin", "[io]") {
  RawNifti raw;
  raw.dim = {3, 64, 64, 16, 1, 1, 1, 1};
  raw.datatype = 4;
  raw.big_endian = true;  // the swap of the whole-file path too
  raw.write(io_temp("members_plain.nii"));
  std::ifstream in(io_temp("members_plain.nii"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const NiftiImage plain = read_nifti(io_temp("members_plain.nii").string());
  REQUIRE(plain.volume.voxels.size() == 64 * 64 * 16);
  // gzip's concatenation (what `cat a.gz b.gz` makes): zlib reads on through every member, and so must we.
  const auto members = io_temp("members.nii.gz");
  for (const auto& [mode, begin, end] : {std::tuple{"wb", std::size_t{0}, std::size_t{1000}},
                                         std::tuple{"ab", std::size_t{1000}, std::size_t{70000}},
                                         std::tuple{"ab", std::size_t{70000}, bytes.size()}}) {
    gzFile f = gzopen(members.string().c_str(), mode);
    REQUIRE(gzwrite(f, bytes.data() + begin, static_cast<unsigned>(end - begin)) == static_cast<int>(end - begin));
    gzclose(f);
  }
  CHECK(read_nifti(members.string()).volume.voxels == plain.volume.voxels);
  // Bytes after the stream (a padded transfer) are ignored, as zlib ignores them.
  std::ofstream(members, std::ios::binary | std::ios::app) << std::string(100, '\0');
  CHECK(read_nifti(members.string()).volume.voxels == plain.volume.voxels);
}
