// Test helper: writes NIfTI files byte by byte, independently of nifti_clib and of our writer, so
// the reader is checked against files whose every field the test chose (byte order, version,
// datatype, scaling, qform/sform, .hdr/.img pairs, deliberate damage).
#pragma once
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace gliolens::test {

struct RawNifti {
  int version = 1;
  bool big_endian = false;
  std::array<std::int64_t, 8> dim{3, 4, 3, 2, 1, 1, 1, 1};
  int datatype = 16;  // FLOAT32
  std::array<double, 8> pixdim{1, 1, 1, 1, 1, 1, 1, 1};
  double scl_slope = 0, scl_inter = 0;
  int qform_code = 0, sform_code = 0;
  std::array<double, 3> quatern{0, 0, 0};
  std::array<double, 3> qoffset{0, 0, 0};
  std::array<std::array<double, 4>, 3> srow{{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}}};
  std::vector<double> values;  // stored in `datatype`; empty: 0, 1, 2, ...
  std::string magic;           // empty: the right one

  [[nodiscard]] std::int64_t voxel_count() const {
    std::int64_t n = 1;
    for (int d = 1; d <= dim[0] && d < 8; ++d) n *= dim[d];
    return n;
  }
  [[nodiscard]] int bytes_per_voxel() const {
    switch (datatype) {
      case 2: case 256: return 1;
      case 4: case 512: return 2;
      case 8: case 768: case 16: return 4;
      case 64: case 1024: case 1280: return 8;
      default: return 4;
    }
  }

  template <typename T>
  void put(std::vector<unsigned char>& b, std::size_t offset, T v) const {
    std::array<unsigned char, sizeof(T)> bytes{};
    std::memcpy(bytes.data(), &v, sizeof(T));
    if (big_endian) std::reverse(bytes.begin(), bytes.end());
    if (b.size() < offset + sizeof(T)) b.resize(offset + sizeof(T));
    std::memcpy(b.data() + offset, bytes.data(), sizeof(T));
  }

  [[nodiscard]] std::vector<unsigned char> header(bool pair) const {
    std::vector<unsigned char> b(version == 1 ? 352 : 544, 0);
    const std::string m = !magic.empty() ? magic : std::string(pair ? "ni" : "n+") + (version == 1 ? "1" : "2");
    if (version == 1) {
      put<std::int32_t>(b, 0, 348);
      for (int d = 0; d < 8; ++d) put<std::int16_t>(b, 40 + 2 * d, static_cast<std::int16_t>(dim[d]));
      put<std::int16_t>(b, 70, static_cast<std::int16_t>(datatype));
      put<std::int16_t>(b, 72, static_cast<std::int16_t>(8 * bytes_per_voxel()));
      for (int d = 0; d < 8; ++d) put<float>(b, 76 + 4 * d, static_cast<float>(pixdim[d]));
      put<float>(b, 108, pair ? 0.0f : 352.0f);
      put<float>(b, 112, static_cast<float>(scl_slope));
      put<float>(b, 116, static_cast<float>(scl_inter));
      b[123] = 2;  // xyzt_units: mm
      put<std::int16_t>(b, 252, static_cast<std::int16_t>(qform_code));
      put<std::int16_t>(b, 254, static_cast<std::int16_t>(sform_code));
      for (int i = 0; i < 3; ++i) put<float>(b, 256 + 4 * i, static_cast<float>(quatern[i]));
      for (int i = 0; i < 3; ++i) put<float>(b, 268 + 4 * i, static_cast<float>(qoffset[i]));
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) put<float>(b, 280 + 16 * r + 4 * c, static_cast<float>(srow[r][c]));
      std::memcpy(b.data() + 344, m.data(), std::min<std::size_t>(4, m.size() + 1));
    } else {
      put<std::int32_t>(b, 0, 540);
      std::memcpy(b.data() + 4, m.data(), std::min<std::size_t>(4, m.size() + 1));
      const unsigned char tail[4] = {'\r', '\n', 032, '\n'};
      std::memcpy(b.data() + 8, tail, 4);
      put<std::int16_t>(b, 12, static_cast<std::int16_t>(datatype));
      put<std::int16_t>(b, 14, static_cast<std::int16_t>(8 * bytes_per_voxel()));
      for (int d = 0; d < 8; ++d) put<std::int64_t>(b, 16 + 8 * d, dim[d]);
      for (int d = 0; d < 8; ++d) put<double>(b, 104 + 8 * d, pixdim[d]);
      put<std::int64_t>(b, 168, pair ? 0 : 544);
      put<double>(b, 176, scl_slope);
      put<double>(b, 184, scl_inter);
      put<std::int32_t>(b, 344, qform_code);
      put<std::int32_t>(b, 348, sform_code);
      for (int i = 0; i < 3; ++i) put<double>(b, 352 + 8 * i, quatern[i]);
      for (int i = 0; i < 3; ++i) put<double>(b, 376 + 8 * i, qoffset[i]);
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) put<double>(b, 400 + 32 * r + 8 * c, srow[r][c]);
      put<std::int32_t>(b, 500, 2);  // xyzt_units: mm
    }
    if (pair) b.resize(version == 1 ? 348 : 540);
    return b;
  }

  [[nodiscard]] std::vector<unsigned char> data(std::int64_t max_count = -1) const {
    std::vector<unsigned char> b;
    const std::int64_t all = voxel_count();
    const std::int64_t n = std::max<std::int64_t>(0, max_count >= 0 && (all < 0 || max_count < all) ? max_count : all);
    const int size = bytes_per_voxel();
    b.reserve(static_cast<std::size_t>(n * size));
    for (std::int64_t i = 0; i < n; ++i) {
      const double v = values.empty() ? static_cast<double>(i) : values[static_cast<std::size_t>(i)];
      const std::size_t o = static_cast<std::size_t>(i * size);
      switch (datatype) {
        case 2: put<std::uint8_t>(b, o, static_cast<std::uint8_t>(v)); break;
        case 256: put<std::int8_t>(b, o, static_cast<std::int8_t>(v)); break;
        case 4: put<std::int16_t>(b, o, static_cast<std::int16_t>(v)); break;
        case 512: put<std::uint16_t>(b, o, static_cast<std::uint16_t>(v)); break;
        case 8: put<std::int32_t>(b, o, static_cast<std::int32_t>(v)); break;
        case 768: put<std::uint32_t>(b, o, static_cast<std::uint32_t>(v)); break;
        case 64: put<double>(b, o, v); break;
        case 1024: put<std::int64_t>(b, o, static_cast<std::int64_t>(v)); break;
        default: put<float>(b, o, static_cast<float>(v)); break;
      }
    }
    return b;
  }

  // Writes .nii, .nii.gz or .hdr (+ .img); `keep` bytes of the single file when > 0 (truncation).
  void write(const std::filesystem::path& path, std::size_t keep = 0) const {
    const std::string p = path.string();
    const bool pair = p.size() > 4 && p.substr(p.size() - 4) == ".hdr";
    const bool gz = p.size() > 3 && p.substr(p.size() - 3) == ".gz";
    std::vector<unsigned char> bytes = header(pair);
    std::vector<unsigned char> voxels = data(keep > 0 ? static_cast<std::int64_t>(keep) : -1);
    if (pair) {
      write_bytes(path, bytes, false);
      std::filesystem::path img = path;
      img.replace_extension(".img");
      write_bytes(img, voxels, false);
      return;
    }
    bytes.insert(bytes.end(), voxels.begin(), voxels.end());
    if (keep > 0 && keep < bytes.size()) bytes.resize(keep);
    write_bytes(path, bytes, gz);
  }

  static void write_bytes(const std::filesystem::path& path, const std::vector<unsigned char>& bytes, bool gz) {
    if (gz) {
      gzFile f = gzopen(path.string().c_str(), "wb");
      gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
      gzclose(f);
    } else {
      std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                  static_cast<std::streamsize>(bytes.size()));
    }
  }
};

inline std::filesystem::path io_temp(const std::string& name) {
  // One directory per process: CTest runs test cases in parallel, and engineers share machines.
  const auto dir = std::filesystem::temp_directory_path() / ("gliolens_io_tests_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

}  // namespace gliolens::test
