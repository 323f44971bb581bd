// Intensity-based registration of one image onto another: Mattes mutual information (any two MR contrasts),
// a rigid or affine transform about the fixed image's centre of mass, regular-step gradient ascent with
// parameter scaling, over a Gaussian pyramid (coarse to fine). The result maps fixed world points to moving
// world points, so that resample_through(moving, fixed.grid, result.matrix) lays the moving image on the fixed.
#pragma once
#include "core/registration/transform.hpp"
#include "core/volume.hpp"

#include <Eigen/Dense>

#include <string>
#include <vector>

namespace gliolens::registration {

enum class Initialisation {
  header,   // the scanner coordinates already roughly agree (one session's series): start at the identity
  moments,  // start by aligning the two images' intensity centres of mass (different sessions, a template)
};

struct Options {
  TransformKind kind = TransformKind::rigid;  // affine runs a rigid pass over the pyramid first
  Initialisation initialisation = Initialisation::header;
  std::vector<double> level_spacings_mm{4.0, 2.0, 1.0};  // coarse to fine; an image is never made finer
  int bins = 32;
  int samples = 30000;        // fixed-image sample points per level (all masked voxels when fewer)
  int max_iterations = 200;   // per level and stage
  double min_step_mm = 0.02;  // a level stops when the step has shrunk below this
  double relaxation = 0.5;    // the step shrinks by this each time the gradient turns back
};

struct LevelReport {
  std::string stage;  // "rigid" or "affine"
  double spacing_mm = 0;
  int iterations = 0;
  bool converged = false;
  double mutual_information = 0;
  std::size_t samples = 0;
};

struct Result {
  Eigen::Matrix4d matrix = Eigen::Matrix4d::Identity();  // fixed world (mm) -> moving world (mm)
  Transform transform;
  double mutual_information = 0;             // at the finest level, final transform
  double normalized_mutual_information = 1;  // quality number: (H(F) + H(M)) / H(F, M), 1 = unrelated
  double initial_mutual_information = 0;     // at the finest level, initial transform
  double overlap = 0;                        // share of fixed sample points that map inside the moving image
  int iterations = 0;
  bool converged = false;  // every level's last stage stopped on a small step, not on its iteration limit
  std::vector<LevelReport> levels;
  std::vector<std::string> warnings;  // why the result may be wrong (little overlap, large rotation, ...)
};

// Brain masks (0 outside), each on its image's grid: the image is read as stripped, its minimum outside the mask.
// Samples always cover the box around the fixed image's content with 10 mm of background, so that the brain's
// outline counts (sampling inside a mask alone lets mutual information grow by shrinking the brain).
struct Masks {
  const Volume* fixed = nullptr;
  const Volume* moving = nullptr;
};

// Throws InvalidInputError on an empty image, an empty mask, mismatched mask grids, bad options, or images that
// do not overlap at the start.
[[nodiscard]] Result register_images(const Volume& fixed, const Volume& moving, const Options& options = {},
                                     const Masks& masks = {});

}  // namespace gliolens::registration
