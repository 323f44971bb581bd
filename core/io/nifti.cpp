#include "core/io/nifti.hpp"

#include "core/errors.hpp"

#include <nifti2_io.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>

namespace gliolens {
namespace {

struct NiftiImageDeleter {
  void operator()(nifti_image* image) const { nifti_image_free(image); }
};
using NiftiImagePtr = std::unique_ptr<nifti_image, NiftiImageDeleter>;

struct GzFileCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
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

// The datatypes we read, and their names in messages.
bool is_supported_datatype(int datatype) {
  switch (datatype) {
    case NIFTI_TYPE_UINT8: case NIFTI_TYPE_INT8: case NIFTI_TYPE_INT16: case NIFTI_TYPE_UINT16:
    case NIFTI_TYPE_INT32: case NIFTI_TYPE_UINT32: case NIFTI_TYPE_FLOAT32: case NIFTI_TYPE_FLOAT64:
      return true;
    default:
      return false;
  }
}

std::string datatype_name(int datatype) {
  const char* name = nifti_datatype_to_string(datatype);
  std::string s = name ? name : "UNKNOWN";
  if (s.rfind("NIFTI_TYPE_", 0) == 0) s = s.substr(11);
  if (s == "UNKNOWN" || s.empty()) s = "code " + std::to_string(datatype);
  return s;
}

template <typename T>
void convert_voxels(const void* data, std::size_t offset, std::size_t count, std::vector<float>& out) {
  const T* typed = static_cast<const T*>(data) + offset;
  out.resize(count);
  for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<float>(typed[i]);
}

// Reads the first bytes of the header file (decompressing if gzipped), to give precise messages
// before handing the file to nifti_clib, whose own complaints go to stderr and say little.
struct RawHeaderCheck {
  int version = 0;
  bool swapped = false;
};

std::int32_t swap32(std::int32_t v) {
  auto u = static_cast<std::uint32_t>(v);
  u = (u >> 24) | ((u >> 8) & 0xff00u) | ((u << 8) & 0xff0000u) | (u << 24);
  return static_cast<std::int32_t>(u);
}

RawHeaderCheck check_raw_header(const std::string& path, const std::string& name) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw FileError(name + ": file not found");
  if (std::filesystem::is_directory(path, ec)) throw FileError(name + ": is a directory, not a NIfTI file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw FileError(name + ": cannot read file size (" + ec.message() + ")");
  if (size == 0) throw FileError(name + ": file is empty");

  std::unique_ptr<gzFile_s, GzFileCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) throw FileError(name + ": cannot open file");
  std::array<unsigned char, 540> bytes{};
  const int got = gzread(file.get(), bytes.data(), static_cast<unsigned>(bytes.size()));
  int gz_error = Z_OK;
  const char* gz_message = gzerror(file.get(), &gz_error);
  if (got < 0 || (gz_error != Z_OK && gz_error != Z_BUF_ERROR)) {
    throw FileError(name + ": corrupt gzip stream (" + std::string(gz_message ? gz_message : "unknown") + ")");
  }
  if (got < 4) throw FileError(name + ": truncated: " + std::to_string(got) + " bytes, too short for a NIfTI header");

  std::int32_t sizeof_hdr = 0;
  std::memcpy(&sizeof_hdr, bytes.data(), 4);
  RawHeaderCheck result;
  if (sizeof_hdr == 348 || sizeof_hdr == 540) {
    result.version = sizeof_hdr == 348 ? 1 : 2;
  } else if (swap32(sizeof_hdr) == 348 || swap32(sizeof_hdr) == 540) {
    result.version = swap32(sizeof_hdr) == 348 ? 1 : 2;
    result.swapped = true;
  } else {
    throw FormatError(name + ": not a NIfTI file (header size field is " + std::to_string(sizeof_hdr) +
                      ", expected 348 or 540)");
  }
  const int header_size = result.version == 1 ? 348 : 540;
  if (got < header_size) {
    throw FileError(name + ": truncated header: " + std::to_string(got) + " of " + std::to_string(header_size) +
                    " bytes");
  }
  const unsigned char* magic = result.version == 1 ? bytes.data() + 344 : bytes.data() + 4;
  const bool magic_ok = result.version == 1
                            ? (magic[0] == 'n' && (magic[1] == '+' || magic[1] == 'i') && magic[2] == '1' && magic[3] == 0)
                            : (magic[0] == 'n' && (magic[1] == '+' || magic[1] == 'i') && magic[2] == '2' && magic[3] == 0);
  if (!magic_ok) {
    std::string shown;
    for (int i = 0; i < 4; ++i) shown += std::isprint(magic[i]) ? static_cast<char>(magic[i]) : '.';
    throw FormatError(name + ": wrong NIfTI magic \"" + shown + "\" (ANALYZE 7.5 and other formats are not supported)");
  }
  return result;
}

void check_dims(const nifti_image& nim, const std::string& name, std::int64_t max_voxels) {
  if (nim.dim[0] < 1 || nim.dim[0] > 7) {
    throw FormatError(name + ": invalid number of dimensions " + std::to_string(nim.dim[0]));
  }
  for (int d = 1; d <= nim.dim[0]; ++d) {
    if (nim.dim[d] < 1) {
      throw FormatError(name + ": invalid dimension " + std::to_string(d) + " = " + std::to_string(nim.dim[d]));
    }
  }
  const std::int64_t nx = nim.nx, ny = nim.ny, nz = std::max<std::int64_t>(1, nim.nz);
  if (nx > max_voxels || ny > max_voxels || nz > max_voxels || nx * ny > max_voxels || nx * ny * nz > max_voxels) {
    throw FormatError(name + ": dimensions " + std::to_string(nx) + "x" + std::to_string(ny) + "x" +
                      std::to_string(nz) + " exceed the memory budget of " + std::to_string(max_voxels) + " voxels");
  }
  for (int d = 1; d <= std::min<std::int64_t>(3, nim.dim[0]); ++d) {
    if (!std::isfinite(nim.pixdim[d])) throw FormatError(name + ": voxel size " + std::to_string(d) + " is not finite");
  }
}

NiftiHeader header_of(const nifti_image& nim, bool two_files, int version) {
  NiftiHeader h;
  h.nifti_version = version;
  for (int d = 1; d <= nim.dim[0]; ++d) {
    h.dims.push_back(nim.dim[d]);
    h.pixdim.push_back(nim.pixdim[d]);
  }
  h.datatype = datatype_name(nim.datatype);
  h.qform_code = nim.qform_code;
  h.sform_code = nim.sform_code;
  if (nim.sform_code > 0) {
    h.affine = to_eigen(nim.sto_xyz);
  } else if (nim.qform_code > 0) {
    h.affine = to_eigen(nim.qto_xyz);
  } else {
    // No orientation stored: nifti_clib's qto_xyz is then the plain pixdim scaling (ANALYZE convention).
    h.affine = to_eigen(nim.qto_xyz);
  }
  h.orientation = orientation_code(h.affine);
  h.scl_slope = nim.scl_slope;
  h.scl_inter = nim.scl_inter;
  const char* units = nifti_units_string(nim.xyz_units);
  h.xyz_units = units ? units : "";
  h.description = std::string(nim.descrip, strnlen(nim.descrip, sizeof(nim.descrip)));
  h.two_files = two_files;
  return h;
}

bool is_two_file(const std::string& path) { return ends_with(path, ".hdr") || ends_with(path, ".hdr.gz"); }

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
        if (std::abs(m(r, c)) > best) { best = std::abs(m(r, c)); best_axis = c; best_world = r; }
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

NiftiHeader read_nifti_header(const std::string& path) {
  const RawHeaderCheck raw = check_raw_header(path, path);
  nifti_set_debug_level(0);
  NiftiImagePtr nim(nifti_image_read(path.c_str(), 0));
  if (!nim) throw FormatError(path + ": header could not be parsed as NIfTI");
  check_dims(*nim, path, std::numeric_limits<std::int64_t>::max() / 8);
  return header_of(*nim, is_two_file(path), raw.version);
}

NiftiImage read_nifti(const std::string& path, const ReadOptions& options, const std::string& display_name) {
  const std::string name = display_name.empty() ? path : display_name;
  const RawHeaderCheck raw = check_raw_header(path, name);
  nifti_set_debug_level(0);
  NiftiImagePtr nim(nifti_image_read(path.c_str(), 0));
  if (!nim) throw FormatError(name + ": header could not be parsed as NIfTI");
  check_dims(*nim, name, options.max_voxels);
  if (!is_supported_datatype(nim->datatype)) {
    throw UnsupportedError(name + ": datatype " + datatype_name(nim->datatype) +
                           " is not supported (uint8, int8, int16, uint16, int32, uint32, float32, float64 are)");
  }
  const std::int64_t nx = nim->nx, ny = nim->ny, nz = std::max<std::int64_t>(1, nim->nz);
  const std::int64_t voxels_3d = nx * ny * nz;
  const std::int64_t volumes = nim->nvox / std::max<std::int64_t>(1, voxels_3d);

  NiftiImage result;
  result.header = header_of(*nim, is_two_file(path), raw.version);
  if (options.volume_index < 0 || options.volume_index >= volumes) {
    throw InvalidInputError(name + ": volume " + std::to_string(options.volume_index) + " requested, file has " +
                            std::to_string(volumes));
  }
  if (volumes > 1) {
    result.warnings.push_back(name + ": 4-D image with " + std::to_string(volumes) + " volumes; using volume " +
                              std::to_string(options.volume_index));
  }

  // Load only the bytes of the volume we keep.
  const std::int64_t start[7] = {0, 0, 0, options.volume_index, 0, 0, 0};
  const std::int64_t size[7] = {nx, ny, nz, 1, 1, 1, 1};
  void* buffer = nullptr;
  const std::int64_t bytes = nifti_read_subregion_image(nim.get(), start, size, &buffer);
  std::unique_ptr<void, decltype(&std::free)> owned(buffer, &std::free);
  const std::int64_t expected = voxels_3d * nim->nbyper;
  if (bytes != expected || !buffer) {
    throw FileError(name + ": image data truncated or unreadable (expected " + std::to_string(expected) +
                    " bytes of voxel data)");
  }

  Volume& volume = result.volume;
  volume.name = name;
  volume.source_datatype = result.header.datatype;
  volume.grid.dims = {nx, ny, nz};
  volume.grid.affine = result.header.affine;
  volume.grid.qform = to_eigen(nim->qto_xyz);
  volume.grid.sform = to_eigen(nim->sto_xyz);
  volume.grid.qform_code = nim->qform_code;
  volume.grid.sform_code = nim->sform_code;
  const auto count = static_cast<std::size_t>(voxels_3d);
  switch (nim->datatype) {
    case NIFTI_TYPE_UINT8: convert_voxels<std::uint8_t>(buffer, 0, count, volume.voxels); break;
    case NIFTI_TYPE_INT8: convert_voxels<std::int8_t>(buffer, 0, count, volume.voxels); break;
    case NIFTI_TYPE_INT16: convert_voxels<std::int16_t>(buffer, 0, count, volume.voxels); break;
    case NIFTI_TYPE_UINT16: convert_voxels<std::uint16_t>(buffer, 0, count, volume.voxels); break;
    case NIFTI_TYPE_INT32: convert_voxels<std::int32_t>(buffer, 0, count, volume.voxels); break;
    case NIFTI_TYPE_UINT32: convert_voxels<std::uint32_t>(buffer, 0, count, volume.voxels); break;
    case NIFTI_TYPE_FLOAT32: convert_voxels<float>(buffer, 0, count, volume.voxels); break;
    case NIFTI_TYPE_FLOAT64: convert_voxels<double>(buffer, 0, count, volume.voxels); break;
    default: break;  // refused above
  }
  const double slope = nim->scl_slope, inter = nim->scl_inter;
  if (std::isfinite(slope) && slope != 0.0 && (slope != 1.0 || inter != 0.0)) {
    for (float& v : volume.voxels) v = static_cast<float>(v * slope + inter);
  }
  const auto non_finite = std::count_if(volume.voxels.begin(), volume.voxels.end(),
                                        [](float v) { return !std::isfinite(v); });
  if (non_finite > 0) {
    throw FormatError(name + ": " + std::to_string(non_finite) + " voxels are NaN or infinite");
  }
  return result;
}

void write_nifti(const std::string& path, const Volume& volume, StoredType type) {
  const auto& g = volume.grid;
  if (volume.voxels.size() != g.voxel_count()) {
    throw InvalidInputError(path + ": volume has " + std::to_string(volume.voxels.size()) + " voxels, grid needs " +
                            std::to_string(g.voxel_count()));
  }
  const int datatype = type == StoredType::uint8 ? NIFTI_TYPE_UINT8
                       : type == StoredType::int16 ? NIFTI_TYPE_INT16 : NIFTI_TYPE_FLOAT32;
  const std::int64_t dims[8] = {3, g.dims[0], g.dims[1], g.dims[2], 1, 1, 1, 1};
  nifti_set_debug_level(0);
  NiftiImagePtr nim(nifti_make_new_nim(dims, datatype, 1));
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
  const auto spacing = g.spacing();
  nim->dx = nim->pixdim[1] = spacing[0];
  nim->dy = nim->pixdim[2] = spacing[1];
  nim->dz = nim->pixdim[3] = spacing[2];
  nim->qform_code = has_qform ? g.qform_code : (g.sform_code > 0 ? 0 : NIFTI_XFORM_SCANNER_ANAT);
  nim->qto_xyz = to_nifti(qform);
  nim->sform_code = g.sform_code;
  nim->sto_xyz = to_nifti(g.sform_code > 0 ? g.sform : g.affine);
  nim->xyz_units = NIFTI_UNITS_MM;
  std::snprintf(nim->descrip, sizeof(nim->descrip), "gliolens");

  const std::size_t n = g.voxel_count();
  switch (type) {
    case StoredType::uint8: {
      auto* out = static_cast<std::uint8_t*>(nim->data);
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(std::clamp(std::lround(volume.voxels[i]), 0L, 255L));
      break;
    }
    case StoredType::int16: {
      auto* out = static_cast<std::int16_t*>(nim->data);
      for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::int16_t>(std::clamp(std::lround(volume.voxels[i]), -32768L, 32767L));
      break;
    }
    case StoredType::float32:
      std::memcpy(nim->data, volume.voxels.data(), n * sizeof(float));
      break;
  }
  if (nifti_set_filenames(nim.get(), path.c_str(), 0, 1) != 0) {
    throw InvalidInputError(path + ": not a NIfTI file name (use .nii or .nii.gz)");
  }
  nifti_image_write(nim.get());
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0) {
    throw FileError(path + ": could not be written");
  }
}

}  // namespace gliolens
