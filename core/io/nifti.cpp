#include "core/io/nifti.hpp"

#include "core/errors.hpp"
#include "core/io/gzip_whole.hpp"

#include <nifti2_io.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <span>

namespace gliolens {
namespace {

struct NiftiImageDeleter {
  void operator()(nifti_image* image) const { nifti_image_free(image); }
};
using NiftiImagePtr = std::unique_ptr<nifti_image, NiftiImageDeleter>;

struct GzFileCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFilePtr = std::unique_ptr<gzFile_s, GzFileCloser>;

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

bool ends_with(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

Eigen::Matrix4d to_eigen(const nifti_dmat44& m) {
  Eigen::Matrix4d out;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) out(r, c) = m.m[r][c];
  return out;
}

nifti_dmat44 to_nifti(const Eigen::Matrix4d& m) {
  nifti_dmat44 out{};
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) out.m[r][c] = m(r, c);
  return out;
}

// The datatypes we read, with their size in bytes; 0 for the others (refused by name).
int supported_datatype_size(int datatype) {
  switch (datatype) {
    case NIFTI_TYPE_UINT8: case NIFTI_TYPE_INT8: return 1;
    case NIFTI_TYPE_INT16: case NIFTI_TYPE_UINT16: return 2;
    case NIFTI_TYPE_INT32: case NIFTI_TYPE_UINT32: case NIFTI_TYPE_FLOAT32: return 4;
    case NIFTI_TYPE_FLOAT64: return 8;
    default: return 0;
  }
}

std::string datatype_name(int datatype) {
  const char* name = nifti_datatype_to_string(datatype);
  std::string s = name ? name : "UNKNOWN";
  if (s.rfind("NIFTI_TYPE_", 0) == 0) s = s.substr(11);
  if (s.rfind("DT_", 0) == 0) s = s.substr(3);
  if (s == "UNKNOWN" || s.empty()) s = "code " + std::to_string(datatype);
  return s;
}

// Converts `count` values of type T stored at `data` to floats at `out`, front to back, one value read before its
// float is written: `out` may overlap `data` where each float lands at or below the bytes of the value it came from.
template <typename T>
void to_float(const unsigned char* data, std::size_t count, float* out) {
  for (std::size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, data + i * sizeof(T), sizeof(T));
    const auto f = static_cast<float>(v);
    std::memcpy(out + i, &f, sizeof(float));
  }
}

void to_float(int datatype, const unsigned char* data, std::size_t count, float* out) {
  switch (datatype) {
    case NIFTI_TYPE_UINT8: to_float<std::uint8_t>(data, count, out); break;
    case NIFTI_TYPE_INT8: to_float<std::int8_t>(data, count, out); break;
    case NIFTI_TYPE_INT16: to_float<std::int16_t>(data, count, out); break;
    case NIFTI_TYPE_UINT16: to_float<std::uint16_t>(data, count, out); break;
    case NIFTI_TYPE_INT32: to_float<std::int32_t>(data, count, out); break;
    case NIFTI_TYPE_UINT32: to_float<std::uint32_t>(data, count, out); break;
    case NIFTI_TYPE_FLOAT32: to_float<float>(data, count, out); break;
    case NIFTI_TYPE_FLOAT64: to_float<double>(data, count, out); break;
    default: break;  // refused before reading
  }
}

void swap_items(std::span<unsigned char> bytes, int item) {
  const auto step = static_cast<std::size_t>(item);
  for (std::size_t i = 0; i + step <= bytes.size(); i += step)
    std::reverse(bytes.begin() + static_cast<std::ptrdiff_t>(i), bytes.begin() + static_cast<std::ptrdiff_t>(i + step));
}

// A gzipped file's header and voxels inflated whole into the float vector itself (no second volume-sized buffer,
// which would raise the WASM heap's peak): the inflated bytes fill the vector's end, and the conversion runs front
// to back, each float landing at or below the bytes it came from (so items of at most 4 bytes only). Empty when
// the file is not gzip or libdeflate cannot inflate it: the caller's zlib stream then reads it or names the problem.
std::vector<float> inflated_voxels(const std::string& path, std::int64_t offset, std::int64_t count, int datatype,
                                   int item, bool swapped) {
  constexpr std::int64_t kMaxInflatedBytes = std::int64_t{1} << 30;
  if (item > 4 || offset + count > kMaxInflatedBytes) return {};
  const auto n = static_cast<std::size_t>(count / item);
  const auto header_floats = static_cast<std::size_t>((offset + 3) / 4);
  const auto file = GzipFileBytes::read(path);  // first: see GzipFileBytes
  if (!file) return {};
  std::vector<float> voxels(n + header_floats);
  const std::span<unsigned char> all(reinterpret_cast<unsigned char*>(voxels.data()), voxels.size() * sizeof(float));
  const auto inflated = all.last(static_cast<std::size_t>(offset + count));
  if (!file->inflate_into(inflated)) return {};
  const auto data = inflated.subspan(static_cast<std::size_t>(offset));
  if (swapped && item > 1) swap_items(data, item);
  to_float(datatype, data.data(), n, voxels.data());
  voxels.resize(n);
  return voxels;
}

// --- our own look at the raw header, before nifti_clib ---------------------------------------------
// nifti_clib's complaints go to stderr and say little, and it trusts dims it should not (a product
// of huge dims overflows). So the fields that decide whether reading is safe are checked here first,
// each failure with a precise message.

template <typename T>
T load(std::span<const unsigned char> bytes, std::size_t offset, bool swapped) {
  std::array<unsigned char, sizeof(T)> b{};
  std::memcpy(b.data(), bytes.data() + offset, sizeof(T));
  if (swapped) std::reverse(b.begin(), b.end());
  T v;
  std::memcpy(&v, b.data(), sizeof(T));
  return v;
}

struct RawHeader {
  int version = 0;
  bool swapped = false;
  std::array<std::int64_t, 8> dim{};
  int datatype = 0;
  double vox_offset = 0;
};

RawHeader parse_raw_header(std::span<const unsigned char> bytes, const std::string& name, bool two_files) {
  const auto got = bytes.size();
  if (got < 4) throw FileError(name + ": truncated: " + std::to_string(got) + " bytes, too short for a NIfTI header");
  RawHeader h;
  const auto size_le = load<std::int32_t>(bytes, 0, false);
  const auto size_be = load<std::int32_t>(bytes, 0, true);
  if (size_le == 348 || size_le == 540) {
    h.version = size_le == 348 ? 1 : 2;
  } else if (size_be == 348 || size_be == 540) {
    h.version = size_be == 348 ? 1 : 2;
    h.swapped = true;
  } else {
    throw FormatError(name + ": not a NIfTI file (header size field is " + std::to_string(size_le) +
                      ", expected 348 or 540)");
  }
  const std::size_t header_size = h.version == 1 ? 348 : 540;
  if (got < header_size) {
    throw FileError(name + ": truncated header: " + std::to_string(got) + " of " + std::to_string(header_size) +
                    " bytes");
  }
  const unsigned char* magic = bytes.data() + (h.version == 1 ? 344 : 4);
  const char version_char = h.version == 1 ? '1' : '2';
  const char files_char = two_files ? 'i' : '+';
  if (!(magic[0] == 'n' && (magic[1] == '+' || magic[1] == 'i') && magic[2] == version_char && magic[3] == 0)) {
    std::string shown;
    for (int i = 0; i < 4; ++i) shown += std::isprint(magic[i]) ? static_cast<char>(magic[i]) : '.';
    throw FormatError(name + ": wrong NIfTI magic \"" + shown + "\" (ANALYZE 7.5 and other formats are not supported)");
  }
  if (magic[1] != files_char) {
    throw FormatError(name + (two_files ? ": magic \"n+" : ": magic \"ni") + version_char +
                      (two_files ? "\" says single file (.nii), but this is a .hdr/.img pair"
                                 : "\" says .hdr/.img pair, but this is a single .nii file"));
  }
  if (h.version == 1) {
    for (int d = 0; d < 8; ++d) h.dim[d] = load<std::int16_t>(bytes, 40 + 2 * d, h.swapped);
    h.datatype = load<std::int16_t>(bytes, 70, h.swapped);
    h.vox_offset = load<float>(bytes, 108, h.swapped);
  } else {
    for (int d = 0; d < 8; ++d) h.dim[d] = load<std::int64_t>(bytes, 16 + 8 * d, h.swapped);
    h.datatype = load<std::int16_t>(bytes, 12, h.swapped);
    h.vox_offset = static_cast<double>(load<std::int64_t>(bytes, 168, h.swapped));
  }
  return h;
}

// Dims and datatype checks shared by header and image reads. Returns the bytes of one 3-D volume
// and the number of volumes.
struct Extent {
  std::int64_t voxels_3d = 0;
  std::int64_t volumes = 0;
};

Extent check_extent(const RawHeader& h, const std::string& name, std::int64_t max_voxels) {
  const std::int64_t ndim = h.dim[0];
  if (ndim < 1 || ndim > 7) throw FormatError(name + ": invalid number of dimensions " + std::to_string(ndim));
  for (int d = 1; d <= ndim; ++d) {
    if (h.dim[d] < 1) {
      throw FormatError(name + ": invalid dimension " + std::to_string(d) + " = " + std::to_string(h.dim[d]) +
                        (h.dim[d] == 0 ? " (zero)" : " (negative)"));
    }
  }
  auto dim = [&](int d) { return d <= ndim ? h.dim[d] : std::int64_t{1}; };
  // Products in long double: exact enough to compare with budgets, and no integer overflow.
  const long double voxels_3d = static_cast<long double>(dim(1)) * dim(2) * dim(3);
  long double all = voxels_3d;
  for (int d = 4; d <= 7; ++d) all *= static_cast<long double>(dim(d));
  if (voxels_3d > static_cast<long double>(max_voxels)) {
    throw FormatError(name + ": dimensions " + std::to_string(dim(1)) + "x" + std::to_string(dim(2)) + "x" +
                      std::to_string(dim(3)) + " exceed the memory budget of " + std::to_string(max_voxels) +
                      " voxels");
  }
  // No real file holds more than 2^40 voxels in all volumes; beyond that the header is corrupt.
  if (all > static_cast<long double>(std::int64_t{1} << 40)) {
    throw FormatError(name + ": absurd dimensions (" + std::to_string(static_cast<double>(all)) +
                      " voxels in all volumes)");
  }
  Extent e;
  e.voxels_3d = static_cast<std::int64_t>(voxels_3d);
  e.volumes = static_cast<std::int64_t>(all / voxels_3d);
  return e;
}

void check_datatype(const RawHeader& h, const std::string& name) {
  if (supported_datatype_size(h.datatype) == 0) {
    throw UnsupportedError(name + ": datatype " + datatype_name(h.datatype) +
                           " is not supported (uint8, int8, int16, uint16, int32, uint32, float32, float64 are)");
  }
}

bool is_two_file(const std::string& path) {
  return ends_with(path, ".hdr") || ends_with(path, ".hdr.gz") || ends_with(path, ".img") ||
         ends_with(path, ".img.gz");
}

std::string owned_string(char* s) {
  std::unique_ptr<char, FreeDeleter> owned(s);
  return s ? std::string(s) : std::string();
}

// Whether a gzip file decompresses to its end: "" when it does, else what is wrong with it.
std::string gzip_problem(const std::string& path) {
  GzFilePtr file(gzopen(path.c_str(), "rb"));
  if (!file) return "cannot be opened";
  std::vector<unsigned char> chunk(1 << 16);
  int got = 0;
  while ((got = gzread(file.get(), chunk.data(), static_cast<unsigned>(chunk.size()))) > 0) {}
  int code = Z_OK;
  const char* message = gzerror(file.get(), &code);
  if (got < 0 || (code != Z_OK && code != Z_STREAM_END)) {
    const std::string m = message ? message : "";
    if (code == Z_BUF_ERROR || m.find("unexpected end") != std::string::npos) return "truncated gzip stream";
    return "corrupt gzip stream (" + m + ")";
  }
  return "";
}

// Reads `count` bytes at `offset` of a plain or gzipped file as values of `datatype` (`item` bytes each, swapped when
// the file's byte order is not ours) and returns them as floats. A gzip file is inflated whole by libdeflate when it
// can be (inflated_voxels). Otherwise zlib reads it, plain or gzipped, through a small buffer, never a whole-volume
// one (a fresh buffer of a volume's size cost more in zeroing and page faults than zlib's inflating), and names the
// problem of a file it cannot read: FileError.
std::vector<float> read_voxels(const std::string& path, std::int64_t offset, std::int64_t count, int datatype,
                               int item, bool swapped, const std::string& name) {
  if (auto voxels = inflated_voxels(path, offset, count, datatype, item, swapped); !voxels.empty()) return voxels;
  GzFilePtr file(gzopen(path.c_str(), "rb"));
  if (!file) throw FileError(name + ": cannot open the image data file");
  gzbuffer(file.get(), 1 << 17);
  if (offset > 0 && gzseek(file.get(), static_cast<z_off_t>(offset), SEEK_SET) != static_cast<z_off_t>(offset)) {
    const std::string problem = gzip_problem(path);
    throw FileError(name + ": " + (problem.empty() ? std::string("truncated: voxel data missing") : problem));
  }
  // The chunk first: freed on return, it leaves its hole below the volume, not between this volume and the next
  // (a hole there made the WASM heap grow by a volume on a second load of a case).
  std::vector<unsigned char> chunk(std::size_t{1} << 20);  // a multiple of every item size
  std::vector<float> voxels;
  voxels.reserve(static_cast<std::size_t>(count / item));
  std::int64_t done = 0;
  while (done < count) {
    const auto want = static_cast<unsigned>(std::min<std::int64_t>(count - done, static_cast<std::int64_t>(chunk.size())));
    unsigned got = 0;
    while (got < want) {  // gzread may return less than asked before the end
      const int n = gzread(file.get(), chunk.data() + got, want - got);
      if (n <= 0) break;
      got += static_cast<unsigned>(n);
    }
    if (got < want) {
      done += got;
      int code = Z_OK;
      const char* message = gzerror(file.get(), &code);
      if (code != Z_OK && code != Z_BUF_ERROR) {
        throw FileError(name + ": corrupt gzip stream in the voxel data (" + std::string(message ? message : "") + ")");
      }
      throw FileError(name + ": truncated: " + std::to_string(done) + " of " + std::to_string(count) +
                      " bytes of voxel data");
    }
    if (swapped && item > 1) swap_items(std::span(chunk).first(got), item);
    const std::size_t before = voxels.size();
    voxels.resize(before + got / static_cast<unsigned>(item));
    to_float(datatype, chunk.data(), got / static_cast<unsigned>(item), voxels.data() + before);
    done += got;
  }
  return voxels;
}

bool starts_with_gzip_magic(const std::string& path) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return false;
  std::array<unsigned char, 2> b{};
  return std::fread(b.data(), 1, 2, f.get()) == 2 && b[0] == 0x1f && b[1] == 0x8b;
}

void check_file(const std::string& path, const std::string& name, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw FileError(name + ": " + what + "file not found");
  if (std::filesystem::is_directory(path, ec)) throw FileError(name + ": is a directory, not a NIfTI file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw FileError(name + ": cannot read file size (" + ec.message() + ")");
  if (size == 0) throw FileError(name + ": " + what + "file is empty");
}

// The file that holds the header: the path itself, or the .hdr of a .img.
std::string header_path_of(const std::string& path, const std::string& name) {
  if (!(ends_with(path, ".img") || ends_with(path, ".img.gz"))) return path;
  std::string hdr = owned_string(nifti_findhdrname(path.c_str()));
  if (hdr.empty()) throw FileError(name + ": header file (.hdr) of this .img not found");
  return hdr;
}

struct Opened {
  RawHeader raw;
  NiftiImagePtr nim;
  std::string header_path;
  bool two_files = false;
};

// Checks the header bytes, then lets nifti_clib parse them (without data).
Opened open_header(const std::string& path, const std::string& name) {
  Opened o;
  check_file(path, name, "");
  o.header_path = header_path_of(path, name);
  o.two_files = is_two_file(path);
  if (o.header_path != path) check_file(o.header_path, name, "header ");
  const bool gz_name = ends_with(o.header_path, ".gz");
  if (!gz_name && starts_with_gzip_magic(o.header_path)) {
    throw FormatError(name + ": gzip-compressed but not named .gz (rename it to .nii.gz)");
  }
  std::array<unsigned char, 540> bytes{};
  int got = 0;
  {
    GzFilePtr file(gzopen(o.header_path.c_str(), "rb"));
    if (!file) throw FileError(name + ": cannot open file");
    got = gzread(file.get(), bytes.data(), static_cast<unsigned>(bytes.size()));
    int gz_error = Z_OK;
    const char* gz_message = gzerror(file.get(), &gz_error);
    if (got < 0 || (gz_error != Z_OK && gz_error != Z_BUF_ERROR)) {
      throw FileError(name + ": corrupt gzip stream (" + std::string(gz_message ? gz_message : "unknown") + ")");
    }
  }
  o.raw = parse_raw_header(std::span<const unsigned char>(bytes.data(), static_cast<std::size_t>(got)), name,
                           o.two_files);
  return o;
}

void parse_with_nifti_clib(Opened& o, const std::string& path, const std::string& name) {
  nifti_set_debug_level(0);
  o.nim.reset(nifti_image_read(path.c_str(), 0));
  if (!o.nim) throw FormatError(name + ": header could not be parsed as NIfTI");
}

void check_geometry(const nifti_image& nim, const std::string& name) {
  for (int d = 1; d <= std::min(3, static_cast<int>(nim.dim[0])); ++d) {
    if (!std::isfinite(nim.pixdim[d])) throw FormatError(name + ": voxel size " + std::to_string(d) + " is not finite");
  }
  const auto finite = [](const nifti_dmat44& m) {
    for (const auto& row : m.m)
      for (const double v : row)
        if (!std::isfinite(v)) return false;
    return true;
  };
  if (nim.sform_code > 0 && !finite(nim.sto_xyz)) throw FormatError(name + ": sform has non-finite entries");
  if (nim.qform_code > 0 && !finite(nim.qto_xyz)) throw FormatError(name + ": qform has non-finite entries");
}

NiftiHeader header_of(const nifti_image& nim, bool two_files, const RawHeader& raw) {
  NiftiHeader h;
  h.nifti_version = raw.version;
  for (int d = 1; d <= nim.dim[0]; ++d) {
    h.dims.push_back(nim.dim[d]);
    h.pixdim.push_back(nim.pixdim[d]);
  }
  h.datatype = datatype_name(nim.datatype);
  h.qform_code = nim.qform_code;
  h.sform_code = nim.sform_code;
  // Precedence as nifti_clib's documentation (and nibabel, ITK-SNAP, FSL) use it: sform when its
  // code is set, else qform; with neither, nifti_clib's qto_xyz is the plain pixdim scaling
  // (ANALYZE's convention, origin at voxel 0).
  h.affine = nim.sform_code > 0 ? to_eigen(nim.sto_xyz) : to_eigen(nim.qto_xyz);
  h.orientation = orientation_code(h.affine);
  h.scl_slope = nim.scl_slope;
  h.scl_inter = nim.scl_inter;
  const char* units = nifti_units_string(nim.xyz_units);
  h.xyz_units = units ? units : "";
  h.description = std::string(nim.descrip, strnlen(nim.descrip, sizeof(nim.descrip)));
  h.two_files = two_files;
  h.big_endian = raw.swapped;
  return h;
}

// The file holding the voxels, and whether it is gzipped.
std::string image_path_of(const nifti_image& nim) { return nim.iname ? std::string(nim.iname) : std::string(); }

}  // namespace

std::string orientation_code(const Eigen::Matrix4d& affine) {
  // Greedy assignment of each voxel axis to the world axis it is most parallel to.
  Eigen::Matrix3d m = affine.block<3, 3>(0, 0);
  for (int c = 0; c < 3; ++c) {
    const double n = m.col(c).norm();
    if (n > 0) m.col(c) /= n;
  }
  std::array<int, 3> world_of_axis{-1, -1, -1};
  std::array<bool, 3> used_world{false, false, false};
  for (int step = 0; step < 3; ++step) {
    double best = -1;
    int best_axis = -1, best_world = -1;
    for (int c = 0; c < 3; ++c) {
      if (world_of_axis[c] >= 0) continue;
      for (int r = 0; r < 3; ++r) {
        if (used_world[r]) continue;
        const double a = std::isfinite(m(r, c)) ? std::abs(m(r, c)) : 0.0;
        if (a > best) { best = a; best_axis = c; best_world = r; }
      }
    }
    world_of_axis[best_axis] = best_world;
    used_world[best_world] = true;
  }
  static constexpr std::array<std::array<char, 2>, 3> letters{{{'L', 'R'}, {'P', 'A'}, {'I', 'S'}}};
  std::string code;
  for (int c = 0; c < 3; ++c) {
    const int r = world_of_axis[c];
    code += letters[r][m(r, c) >= 0 ? 1 : 0];
  }
  return code;
}

NiftiHeader read_nifti_header(const std::string& path, const std::string& display_name) {
  const std::string name = display_name.empty() ? path : display_name;
  Opened o = open_header(path, name);
  // Headers alone may describe any size: only corrupt dims are refused here, not the budget.
  check_extent(o.raw, name, std::int64_t{1} << 40);
  parse_with_nifti_clib(o, path, name);
  check_geometry(*o.nim, name);
  return header_of(*o.nim, o.two_files, o.raw);
}

NiftiImage read_nifti(const std::string& path, const ReadOptions& options, const std::string& display_name) {
  const std::string name = display_name.empty() ? path : display_name;
  Opened o = open_header(path, name);
  const Extent extent = check_extent(o.raw, name, options.max_voxels);
  check_datatype(o.raw, name);
  if (options.volume_index < 0 || options.volume_index >= extent.volumes) {
    throw InvalidInputError(name + ": volume " + std::to_string(options.volume_index) + " requested, file has " +
                            std::to_string(extent.volumes));
  }
  parse_with_nifti_clib(o, path, name);
  nifti_image& nim = *o.nim;
  check_geometry(nim, name);
  const int nbyper = supported_datatype_size(nim.datatype);
  if (nbyper == 0 || nim.nbyper != nbyper) check_datatype(o.raw, name);  // nifti_clib saw another type

  const std::int64_t nx = nim.nx, ny = std::max<std::int64_t>(1, nim.ny), nz = std::max<std::int64_t>(1, nim.nz);
  if (o.raw.swapped != (nim.byteorder != nifti_short_order())) throw FormatError(name + ": inconsistent byte order");
  if (nx * ny * nz != extent.voxels_3d) throw FormatError(name + ": inconsistent dimensions");

  // An uncompressed data file must hold every byte up to the volume we read: say so precisely
  // rather than let the read come up short.
  const std::string image_path = image_path_of(nim);
  const std::int64_t data_offset = std::max<std::int64_t>(0, nim.iname_offset);
  if (image_path.empty()) throw FileError(name + ": image data file not found");
  if (o.two_files) check_file(image_path, name, "image data (.img) ");
  if (!ends_with(image_path, ".gz")) {
    std::error_code ec;
    const auto size = static_cast<long double>(std::filesystem::file_size(image_path, ec));
    const long double needed = static_cast<long double>(data_offset) + static_cast<long double>(extent.voxels_3d) * nbyper * (options.volume_index + 1);
    if (!ec && size < needed) {
      throw FileError(name + ": truncated: " + std::to_string(static_cast<std::uint64_t>(size)) + " bytes, needs " +
                      std::to_string(static_cast<std::uint64_t>(needed)) + " for the voxel data");
    }
  }

  NiftiImage result;
  result.header = header_of(nim, o.two_files, o.raw);
  if (extent.volumes > 1) {
    result.warnings.push_back(name + ": 4-D image with " + std::to_string(extent.volumes) + " volumes; using volume " +
                              std::to_string(options.volume_index));
  }

  // The voxel bytes are read here rather than by nifti_clib, which silently replaces NaN and Inf
  // by 0 in float data: we want to count them and refuse the file.
  const std::int64_t volume_bytes = extent.voxels_3d * nbyper;

  Volume& volume = result.volume;
  volume.name = name;
  volume.source_datatype = result.header.datatype;
  volume.grid.dims = {nx, ny, nz};
  volume.grid.affine = result.header.affine;
  volume.grid.qform = to_eigen(nim.qto_xyz);
  volume.grid.sform = to_eigen(nim.sto_xyz);
  volume.grid.qform_code = nim.qform_code;
  volume.grid.sform_code = nim.sform_code;
  const auto count = static_cast<std::size_t>(extent.voxels_3d);
  volume.voxels = read_voxels(image_path, data_offset + options.volume_index * volume_bytes, volume_bytes,
                              nim.datatype, nbyper, o.raw.swapped, name);
  if (volume.voxels.size() != count) throw FormatError(name + ": unsupported datatype " + result.header.datatype);
  // scl_slope 0 (or not finite) means "no scaling", as the NIfTI standard and nibabel read it.
  const double slope = nim.scl_slope, inter = nim.scl_inter;
  if (std::isfinite(slope) && slope != 0.0 && std::isfinite(inter) && (slope != 1.0 || inter != 0.0)) {
    for (float& v : volume.voxels) v = static_cast<float>(v * slope + inter);
  }
  const auto non_finite = std::count_if(volume.voxels.begin(), volume.voxels.end(),
                                        [](float v) { return !std::isfinite(v); });
  if (non_finite > 0) {
    throw FormatError(name + ": " + std::to_string(non_finite) +
                      (non_finite == 1 ? " voxel is NaN or infinite" : " voxels are NaN or infinite"));
  }
  return result;
}

StoredType stored_type_for(const std::string& datatype) {
  if (datatype == "UINT8") return StoredType::uint8;
  if (datatype == "INT8") return StoredType::int8;
  if (datatype == "INT16") return StoredType::int16;
  if (datatype == "UINT16") return StoredType::uint16;
  if (datatype == "INT32") return StoredType::int32;
  if (datatype == "UINT32") return StoredType::uint32;
  if (datatype == "FLOAT64") return StoredType::float64;
  return StoredType::float32;
}

namespace {

struct TypeInfo {
  int datatype;
  double lo, hi;  // representable range (integers); infinite for floats
  bool integer;
};

TypeInfo type_info(StoredType type) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  switch (type) {
    case StoredType::uint8: return {NIFTI_TYPE_UINT8, 0, 255, true};
    case StoredType::int8: return {NIFTI_TYPE_INT8, -128, 127, true};
    case StoredType::int16: return {NIFTI_TYPE_INT16, -32768, 32767, true};
    case StoredType::uint16: return {NIFTI_TYPE_UINT16, 0, 65535, true};
    case StoredType::int32: return {NIFTI_TYPE_INT32, -2147483648.0, 2147483647.0, true};
    case StoredType::uint32: return {NIFTI_TYPE_UINT32, 0, 4294967295.0, true};
    case StoredType::float64: return {NIFTI_TYPE_FLOAT64, -inf, inf, false};
    case StoredType::float32: break;
  }
  return {NIFTI_TYPE_FLOAT32, -inf, inf, false};
}

template <typename T>
void store(void* data, std::span<const float> voxels, const TypeInfo& info) {
  auto* out = static_cast<T*>(data);
  for (std::size_t i = 0; i < voxels.size(); ++i) {
    if (info.integer) {
      out[i] = static_cast<T>(std::clamp(std::nearbyint(static_cast<double>(voxels[i])), info.lo, info.hi));
    } else {
      out[i] = static_cast<T>(voxels[i]);
    }
  }
}

}  // namespace

bool fits_stored_type(const Volume& volume, StoredType type) {
  const TypeInfo info = type_info(type);
  if (!info.integer) return true;
  return std::all_of(volume.voxels.begin(), volume.voxels.end(), [&](float v) {
    return v == std::nearbyint(v) && v >= info.lo && v <= info.hi;
  });
}

void write_nifti(const std::string& path, const Volume& volume, StoredType type) {
  const auto& g = volume.grid;
  if (volume.voxels.size() != g.voxel_count()) {
    throw InvalidInputError(path + ": volume has " + std::to_string(volume.voxels.size()) + " voxels, grid needs " +
                            std::to_string(g.voxel_count()));
  }
  if (!(ends_with(path, ".nii") || ends_with(path, ".nii.gz") || ends_with(path, ".hdr"))) {
    throw InvalidInputError(path + ": not a NIfTI file name (use .nii, .nii.gz or .hdr)");
  }
  const TypeInfo info = type_info(type);
  const std::int64_t dims[8] = {3, g.dims[0], g.dims[1], g.dims[2], 1, 1, 1, 1};
  nifti_set_debug_level(0);
  NiftiImagePtr nim(nifti_make_new_nim(dims, info.datatype, 1));
  if (!nim) throw Error(path + ": cannot allocate NIfTI image");

  // qform: keep the file's; a volume that never had one gets the affine in force.
  const bool has_qform = g.qform_code > 0;
  const Eigen::Matrix4d qform = has_qform ? g.qform : g.affine;
  double qb, qc, qd, qx, qy, qz, dx, dy, dz, qfac;
  nifti_dmat44_to_quatern(to_nifti(qform), &qb, &qc, &qd, &qx, &qy, &qz, &dx, &dy, &dz, &qfac);
  nim->quatern_b = qb; nim->quatern_c = qc; nim->quatern_d = qd;
  nim->qoffset_x = qx; nim->qoffset_y = qy; nim->qoffset_z = qz;
  nim->qfac = qfac;
  nim->pixdim[0] = qfac;
  // pixdim are the qform's voxel sizes (they are part of it); the sform keeps its own columns.
  nim->dx = nim->pixdim[1] = dx;
  nim->dy = nim->pixdim[2] = dy;
  nim->dz = nim->pixdim[3] = dz;
  nim->qform_code = has_qform ? g.qform_code : (g.sform_code > 0 ? 0 : NIFTI_XFORM_SCANNER_ANAT);
  nim->qto_xyz = to_nifti(qform);
  nim->sform_code = g.sform_code;
  nim->sto_xyz = to_nifti(g.sform_code > 0 ? g.sform : g.affine);
  nim->xyz_units = NIFTI_UNITS_MM;
  std::snprintf(nim->descrip, sizeof(nim->descrip), "gliolens");

  const std::span<const float> voxels(volume.voxels);
  switch (type) {
    case StoredType::uint8: store<std::uint8_t>(nim->data, voxels, info); break;
    case StoredType::int8: store<std::int8_t>(nim->data, voxels, info); break;
    case StoredType::int16: store<std::int16_t>(nim->data, voxels, info); break;
    case StoredType::uint16: store<std::uint16_t>(nim->data, voxels, info); break;
    case StoredType::int32: store<std::int32_t>(nim->data, voxels, info); break;
    case StoredType::uint32: store<std::uint32_t>(nim->data, voxels, info); break;
    case StoredType::float32: store<float>(nim->data, voxels, info); break;
    case StoredType::float64: store<double>(nim->data, voxels, info); break;
  }
  nim->nifti_type = ends_with(path, ".hdr") ? NIFTI_FTYPE_NIFTI1_2 : NIFTI_FTYPE_NIFTI1_1;
  if (nifti_set_filenames(nim.get(), path.c_str(), 0, 1) != 0) {
    throw InvalidInputError(path + ": not a NIfTI file name (use .nii, .nii.gz or .hdr)");
  }
  nifti_image_write(nim.get());
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0) {
    throw FileError(path + ": could not be written");
  }
}

}  // namespace gliolens
