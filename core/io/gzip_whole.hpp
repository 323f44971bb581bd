// A gzip file inflated in one call (libdeflate), the fast path of reading a .nii.gz: several times faster than
// zlib's streaming inflate, at the cost of holding the compressed file in memory while it inflates.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace gliolens {

// The bytes of a gzip file, read whole to be inflated in one call. Read them before allocating what they inflate
// into: freed after it, they leave their hole below it, where the next file's bytes fit (in a WASM heap, which
// never shrinks, a hole above would grow it).
class GzipFileBytes {
 public:
  // The file's bytes, or std::nullopt when it cannot be read or does not start with the gzip magic.
  [[nodiscard]] static std::optional<GzipFileBytes> read(const std::string& path);

  // Inflates the file's members (one, or several one after another, as `cat a.gz b.gz` makes) into `out`: true when
  // they fill it exactly at a member's end (bytes after that member are not read); false on a corrupt or truncated
  // stream or a member running past `out`, where the caller's zlib stream reads on or names the problem.
  [[nodiscard]] bool inflate_into(std::span<unsigned char> out) const;

 private:
  struct Free {
    void operator()(unsigned char* p) const { std::free(p); }
  };
  GzipFileBytes(unsigned char* data, std::size_t size) : data_(data), size_(size) {}
  std::unique_ptr<unsigned char, Free> data_;  // malloc: no zeroing of what is read over at once
  std::size_t size_;
};

}  // namespace gliolens
