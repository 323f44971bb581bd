#include "core/io/gzip_whole.hpp"

#include <libdeflate.h>

#include <array>
#include <cstdio>

namespace gliolens {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
struct DecompressorFree {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

}  // namespace

std::optional<GzipFileBytes> GzipFileBytes::read(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file || std::fseek(file.get(), 0, SEEK_END) != 0) return std::nullopt;
  const long file_size = std::ftell(file.get());
  if (file_size < 18 || std::fseek(file.get(), 0, SEEK_SET) != 0) return std::nullopt;  // 18: an empty gzip member
  // The magic before the whole file: a plain .nii is read once, by the caller's zlib stream, not twice.
  std::array<unsigned char, 2> magic{};
  if (std::fread(magic.data(), 1, magic.size(), file.get()) != magic.size() || magic[0] != 0x1f || magic[1] != 0x8b ||
      std::fseek(file.get(), 0, SEEK_SET) != 0) {
    return std::nullopt;
  }
  const auto size = static_cast<std::size_t>(file_size);
  GzipFileBytes bytes(static_cast<unsigned char*>(std::malloc(size)), size);
  if (!bytes.data_ || std::fread(bytes.data_.get(), 1, size, file.get()) != size) return std::nullopt;
  return bytes;
}

bool GzipFileBytes::inflate_into(std::span<unsigned char> out) const {
  std::unique_ptr<libdeflate_decompressor, DecompressorFree> decompressor(libdeflate_alloc_decompressor());
  if (!decompressor || out.empty()) return false;
  std::size_t read = 0;
  std::size_t written = 0;
  while (read < size_ && written < out.size()) {
    std::size_t member_in = 0;
    std::size_t member_out = 0;
    const auto result = libdeflate_gzip_decompress_ex(decompressor.get(), data_.get() + read, size_ - read,
                                                      out.data() + written, out.size() - written, &member_in,
                                                      &member_out);
    if (result != LIBDEFLATE_SUCCESS || member_in == 0) return false;
    read += member_in;
    written += member_out;
  }
  return written == out.size();
}

}  // namespace gliolens
