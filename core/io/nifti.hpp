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
};

struct NiftiImage {
  NiftiHeader header;
  Volume volume;                      // the first 3-D volume, scaled by scl_slope/scl_inter
  std::vector<std::string> warnings;  // e.g. a 4-D file of which only the first volume was taken
};

struct ReadOptions {
  // Refuse images whose 3-D voxel count exceeds this (a float per voxel is kept in memory).
  std::int64_t max_voxels = std::int64_t{1} << 28;
  std::int64_t volume_index = 0;  // which volume of a 4-D file
};

// Reads only the header. Throws FileError / FormatError / UnsupportedError naming `path`.
[[nodiscard]] NiftiHeader read_nifti_header(const std::string& path);

// Reads a whole image. `display_name` (default: the path) names the file in error messages.
[[nodiscard]] NiftiImage read_nifti(const std::string& path, const ReadOptions& options = {},
                                    const std::string& display_name = {});

enum class StoredType { uint8, int16, float32 };

// Writes `volume` with its own qform/sform (NIfTI-1; .nii or .nii.gz by the path's extension).
void write_nifti(const std::string& path, const Volume& volume, StoredType type);

// Axis codes ("RAS", "LPI", ...) of the voxel axes of an affine, as nibabel's aff2axcodes.
[[nodiscard]] std::string orientation_code(const Eigen::Matrix4d& affine);

}  // namespace gliolens
