// Mattes mutual information (Mattes et al. 2003, IEEE TMI 22:120; as ITK's MattesMutualInformation): a joint
// histogram of fixed and moving intensities over a fixed set of fixed-image sample points, a zero-order (box)
// Parzen window on the fixed side and a cubic B-spline one on the moving side, so that the metric is smooth in
// the transform and has the analytic gradient the optimiser follows.
#pragma once
#include "core/registration/transform.hpp"
#include "core/volume.hpp"

#include <Eigen/Dense>

#include <cstdint>
#include <vector>

namespace gliolens::registration {

// Fixed-image sample points (world mm) with their intensities.
struct FixedSamples {
  std::vector<Eigen::Vector3d> points;
  std::vector<float> values;
};

struct MetricValue {
  double mutual_information = 0;  // nats; higher is better
  Eigen::VectorXd gradient;       // d(mutual information)/d(parameters); empty when not asked for
  std::size_t valid_samples = 0;  // samples whose mapped point lies inside the moving image (and its mask)
  // (H(fixed) + H(moving)) / H(joint) of the same histogram: 1 for independent images, higher the more one predicts
  // the other (the moving side's Parzen window keeps an image with itself well below 2); a quality number that does
  // not grow with the images' own entropies as mutual information does.
  double normalized_mutual_information = 1;
};

class MattesMutualInformation {
public:
  // `moving_mask` (optional, on the moving image's grid): a sample whose mapped point falls outside it does not
  // count. Throws InvalidInputError on an empty image or sample set, or images of one constant intensity.
  MattesMutualInformation(FixedSamples samples, const Volume& moving, const Volume* moving_mask = nullptr,
                          int bins = 32);

  [[nodiscard]] MetricValue evaluate(const Transform& transform, bool with_gradient) const;
  [[nodiscard]] std::size_t sample_count() const { return samples_.points.size(); }

private:
  struct MovingSample {
    double value = 0;
    Eigen::Vector3d gradient;  // world mm^-1
    bool inside = false;
  };
  [[nodiscard]] MovingSample sample_moving(const Eigen::Vector3d& world) const;

  FixedSamples samples_;
  std::vector<int> fixed_bins_;
  const Volume& moving_;
  const Volume* moving_mask_;
  Eigen::Matrix4d world_to_moving_voxel_;
  Eigen::Matrix3d voxel_gradient_to_world_;
  int bins_;
  double moving_min_ = 0;
  double moving_bin_size_ = 1;
};

}  // namespace gliolens::registration
