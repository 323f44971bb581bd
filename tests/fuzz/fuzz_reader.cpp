// libFuzzer target for the NIfTI reader: each input is written as a file (nifti_clib reads files)
// in three forms — .nii, .nii.gz when it starts with the gzip magic, and a .hdr/.img pair split at
// the header size — and read with a small memory budget. A typed gliolens::Error is the expected
// outcome for junk; anything else (crash, sanitizer report, other exception, leak) is a finding.
#include "core/errors.hpp"
#include "core/io/nifti.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

void read_quietly(const std::string& path) {
  gliolens::ReadOptions options;
  options.max_voxels = std::int64_t{1} << 20;  // keeps each run small and fast
  try {
    (void)gliolens::read_nifti_header(path);
  } catch (const gliolens::Error&) {
  }
  try {
    (void)gliolens::read_nifti(path, options);
  } catch (const gliolens::Error&) {
  }
}

std::string scratch_prefix() {
  const char* dir = std::getenv("FUZZ_SCRATCH");
  return std::string(dir ? dir : "/tmp") + "/gliolens_fuzz_" + std::to_string(::getpid());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string prefix = scratch_prefix();
  const bool gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  const std::string single = prefix + (gz ? ".nii.gz" : ".nii");
  write_file(single, data, size);
  read_quietly(single);
  std::remove(single.c_str());

  // The same bytes as a pair: the first 348 (or 540) bytes are the header, the rest the image.
  if (!gz && size >= 4) {
    std::int32_t sizeof_hdr = 0;
    std::memcpy(&sizeof_hdr, data, 4);
    const std::size_t split = std::min<std::size_t>(size, sizeof_hdr == 540 || __builtin_bswap32(sizeof_hdr) == 540 ? 540 : 348);
    write_file(prefix + ".hdr", data, split);
    write_file(prefix + ".img", data + split, size - split);
    read_quietly(prefix + ".hdr");
    std::remove((prefix + ".hdr").c_str());
    std::remove((prefix + ".img").c_str());
  }
  return 0;
}
