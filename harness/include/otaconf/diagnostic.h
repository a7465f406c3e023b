// The error convention of otaconf's input loaders (specs, fixtures):
// a Diagnostic names the file, the JSON pointer and what is wrong; loaders
// either collect them or throw InputError carrying the first.
#pragma once

#include <stdexcept>
#include <string>

namespace otaconf {

struct Diagnostic {
  std::string file;     // the input file (or a label for in-memory text)
  std::string pointer;  // RFC 6901 JSON pointer; empty for the whole file
  std::string message;

  // "FILE: POINTER: message" (POINTER omitted when empty).
  std::string line() const {
    std::string out = file;
    if (!pointer.empty()) out += ": " + pointer;
    return out + ": " + message;
  }
};

class InputError : public std::runtime_error {
 public:
  explicit InputError(Diagnostic diagnostic)
      : std::runtime_error(diagnostic.line()), diagnostic_(std::move(diagnostic)) {}
  const Diagnostic& diagnostic() const { return diagnostic_; }

 private:
  Diagnostic diagnostic_;
};

}  // namespace otaconf
