// otaconf-fuzz-dict FILE: writes the libFuzzer dictionary of the shipped spec
// (the same text as `otaconf spec dict`, from spec::fuzz_dictionary), so the
// fuzz build makes its dictionary without building the whole CLI.
#include <cstdio>
#include <fstream>

#include "otaconf/spec_tools.h"
#include "support/fuzz_support.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: otaconf-fuzz-dict FILE\n");
    return 2;
  }
  std::ofstream out(argv[1], std::ios::binary);
  out << otaconf::spec::fuzz_dictionary(otaconf::fuzz::shipped_spec());
  if (!out.flush()) {
    std::fprintf(stderr, "otaconf-fuzz-dict: cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}
