// Reading and writing NIfTI-1 / NIfTI-2 (.nii, .nii.gz, .hdr/.img) through nifti_clib.
#pragma once
#include "core/volume.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace gliolens {

// What a NIfTI header says, for `gliolens info` and the app's file list.
struct NiftiHeader {
  int nifti_version = 1;                 // 1 or 2
  std::vector<std::int64_t> dims;        // dim[1..dim[0]]
  std::vector<double> pixdim;            // pixdim[1..dim[0]]
  std::string datatype;                  // e.g. "INT16"
  int qform_code = 0;
  int sform_code = 0;
  Eigen::Matrix4d affine = Eigen::Matrix4d::Identity();  // the affine in force (sform > qform > pixdim)
  std::string orientation;               // axis codes of the affine in force, e.g. "RAS", "LPS"
  double scl_slope = 0.0;
  double scl_inter = 0.0;
  std::string xyz_units;
  std::string description;
  bool two_files = false;                // .hdr/.img pair
  bool big_endian = false;               // the file's byte order differs from a little-endian machine's
};

struct NiftiImage {
  NiftiHeader header;
  Volume volume;                      // the first 3-D volume, scaled by scl_slope/scl_inter
  std::vector<std::string> warnings;  // e.g. a 4-D file of which only the first volume was taken
};

// The default memory budget: 2^28 voxels (1 GiB of float), far above any brain MRI (BraTS: 8.9 M).
inline constexpr std::int64_t default_max_voxels = std::int64_t{1} << 28;

struct ReadOptions {
  // Refuse images whose 3-D voxel count exceeds this (a float per voxel is kept in memory).
  std::int64_t max_voxels = default_max_voxels;
  std::int64_t volume_index = 0;  // which volume of a 4-D file
};

// Reads only the header. Throws FileError / FormatError / UnsupportedError naming `path`.
[[nodiscard]] NiftiHeader read_nifti_header(const std::string& path, const std::string& display_name = {});

// Reads a whole image. `display_name` (default: the path) names the file in error messages.
// A .img path reads its .hdr/.img pair. Errors: FileError (missing, truncated, corrupt gzip),
// FormatError (magic, dims, memory budget, NaN/Inf voxels), UnsupportedError (datatype),
// InvalidInputError (volume index out of range); each message starts with the file's name.
[[nodiscard]] NiftiImage read_nifti(const std::string& path, const ReadOptions& options = {},
                                    const std::string& display_name = {});

enum class StoredType { uint8, int16, float32, int8, uint16, int32, uint32, float64 };

// The StoredType of a datatype name as NiftiHeader gives it ("INT16" -> int16); float32 for others.
[[nodiscard]] StoredType stored_type_for(const std::string& datatype);

// Whether every voxel of `volume` is exactly representable in `type` (integers in range, or a float).
[[nodiscard]] bool fits_stored_type(const Volume& volume, StoredType type);

// Writes `volume` as NIfTI-1 with its own qform/sform; .nii or .nii.gz (single file) or .hdr (pair)
// by the path's extension. Integer types round and clamp. (NIfTI-2 is read, not written: nifti_clib
// writes NIfTI-2 only for images whose dims do not fit NIfTI-1.)
void write_nifti(const std::string& path, const Volume& volume, StoredType type);

// Axis codes ("RAS", "LPI", ...) of the voxel axes of an affine, as nibabel's aff2axcodes.
[[nodiscard]] std::string orientation_code(const Eigen::Matrix4d& affine);

}  // namespace gliolens
