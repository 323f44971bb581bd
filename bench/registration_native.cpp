// The registrations of a Prepare step, natively: T1, T2 and FLAIR rigidly onto the T1c (one session: header start),
// the T1c (stripped by its brain mask) affinely onto the SRI24 template (moments start), and the four laid on the
// template grid. Prints one JSON line per step with its milliseconds. Used by bench/registration_run.sh.
#include "core/io/nifti.hpp"
#include "core/registration/apply.hpp"
#include "core/registration/registration.hpp"

#include <chrono>
#include <cstdio>
#include <string>

namespace reg = gliolens::registration;
using gliolens::Volume;

namespace {
double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: registration_native TEMPLATE T1C T1C_MASK T1 T2 FLAIR\n");
    return 2;
  }
  const auto all = std::chrono::steady_clock::now();
  auto t = std::chrono::steady_clock::now();
  const Volume tpl = gliolens::read_nifti(argv[1]).volume;
  const Volume t1c = gliolens::read_nifti(argv[2]).volume;
  const Volume mask = gliolens::read_nifti(argv[3]).volume;
  const Volume others[3] = {gliolens::read_nifti(argv[4]).volume, gliolens::read_nifti(argv[5]).volume,
                            gliolens::read_nifti(argv[6]).volume};
  std::printf("{\"step\":\"read\",\"ms\":%.1f}\n", since(t));
  const char* names[3] = {"t1", "t2", "flair"};
  Eigen::Matrix4d to_t1c[3];
  for (int n = 0; n < 3; ++n) {
    t = std::chrono::steady_clock::now();
    const auto r = reg::register_images(t1c, others[n]);
    to_t1c[n] = r.matrix;
    std::printf("{\"step\":\"%s rigid onto t1c\",\"ms\":%.1f,\"iterations\":%d,\"nmi\":%.4f,\"warnings\":%zu}\n", names[n],
                since(t), r.iterations, r.normalized_mutual_information, r.warnings.size());
  }
  t = std::chrono::steady_clock::now();
  reg::Options affine;
  affine.kind = reg::TransformKind::affine;
  affine.initialisation = reg::Initialisation::moments;
  const auto r = reg::register_images(tpl, t1c, affine, {nullptr, &mask});
  std::printf("{\"step\":\"t1c affine onto sri24\",\"ms\":%.1f,\"iterations\":%d,\"nmi\":%.4f,\"warnings\":%zu}\n", since(t),
              r.iterations, r.normalized_mutual_information, r.warnings.size());
  t = std::chrono::steady_clock::now();
  double checksum = 0;
  checksum += reg::resample_through(t1c, tpl.grid, r.matrix, gliolens::Interpolator::linear).voxels[0];
  for (int n = 0; n < 3; ++n) {
    // Template -> T1c -> the sequence: one matrix, one interpolation.
    checksum += reg::resample_through(others[n], tpl.grid, to_t1c[n] * r.matrix, gliolens::Interpolator::linear).voxels[0];
  }
  std::printf("{\"step\":\"resample 4 onto sri24\",\"ms\":%.1f,\"checksum\":%g}\n", since(t), checksum);
  std::printf("{\"step\":\"total\",\"ms\":%.1f}\n", since(all));
  return 0;
}
