// The typed errors of the core. Every message names the file (or input) and the problem; the WASM
// binding turns each into a JavaScript Error of the same name and message.
#pragma once
#include <stdexcept>
#include <string>

namespace gliolens {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
  [[nodiscard]] virtual const char* kind() const noexcept { return "GliolensError"; }
};

// The file cannot be opened, is truncated, or its compression is corrupt.
class FileError : public Error {
public:
  using Error::Error;
  [[nodiscard]] const char* kind() const noexcept override { return "FileError"; }
};

// The file opens but its content is not a valid image (bad magic, absurd dimensions, NaN voxels...).
class FormatError : public Error {
public:
  using Error::Error;
  [[nodiscard]] const char* kind() const noexcept override { return "FormatError"; }
};

// Valid input we deliberately do not handle (a datatype, a NIfTI feature).
class UnsupportedError : public Error {
public:
  using Error::Error;
  [[nodiscard]] const char* kind() const noexcept override { return "UnsupportedError"; }
};

// Inputs that do not fit together (mismatched grids) or arguments out of range.
class InvalidInputError : public Error {
public:
  using Error::Error;
  [[nodiscard]] const char* kind() const noexcept override { return "InvalidInputError"; }
};

// A computation that cannot give a finite answer on this data (singular matrix, no events...).
class NumericalError : public Error {
public:
  using Error::Error;
  [[nodiscard]] const char* kind() const noexcept override { return "NumericalError"; }
};

}  // namespace gliolens
