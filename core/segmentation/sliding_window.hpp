// Sliding-window inference planning and Gaussian-weighted stitching: a network sees fixed-size
// patches; the core decides where they go and blends their outputs back into one volume.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gliolens::segmentation {

using Index3 = std::array<std::int64_t, 3>;

// Voxels in a block of extent `d`.
inline std::size_t voxel_count(const Index3& d) { return static_cast<std::size_t>(d[0] * d[1] * d[2]); }

struct WindowPlan {
  Index3 volume{};          // the grid the windows cover (x fastest)
  Index3 patch{};           // window size; never larger than `volume` (pad the volume first)
  std::vector<Index3> origins;
};

// Windows of size `patch` covering `volume` with at least `overlap` (0..1) fractional overlap,
// spread evenly so the first starts at 0 and the last ends at the border (as nnU-Net).
// Throws InvalidInputError if the patch is larger than the volume or the overlap is out of range.
[[nodiscard]] WindowPlan plan_windows(const Index3& volume, const Index3& patch, double overlap);

// Per-voxel weights for one patch: a Gaussian centred in the patch with sigma = scale * size, so
// outputs near a patch's border count less. Never zero (minimum is clamped above 0).
[[nodiscard]] std::vector<float> gaussian_importance(const Index3& patch, double sigma_scale = 0.125);

// Accumulates channel-first patch outputs [C][z][y][x] and divides by the summed weights.
class Stitcher {
public:
  Stitcher(const WindowPlan& plan, int channels, bool gaussian = true);
  void add(const Index3& origin, std::span<const float> patch_output);
  // The blended output [C][volume], x fastest within each channel.
  [[nodiscard]] std::vector<float> result() const;
  [[nodiscard]] int channels() const { return channels_; }

private:
  WindowPlan plan_;
  int channels_;
  std::vector<float> weights_patch_;
  std::vector<float> sum_;
  std::vector<float> weight_sum_;
};

// Copies the window at `origin` of a channel-first volume [C][volume] into a patch [C][patch].
void extract_patch(std::span<const float> volume, const Index3& volume_dims, int channels, const Index3& origin,
                   const Index3& patch, std::span<float> out);

}  // namespace gliolens::segmentation
