// Fuzz target: the spec loader (JSON parsing with a depth bound, JSON Schema
// validation, the reference checks) and the linter on what it loads.
//
// Oracle: loading never crashes and never throws; it yields a spec exactly
// when it reports no error; every diagnostic is one line with a JSON pointer
// ("" or starting with '/'); a spec it loads can be linted, summarised and turned into a dictionary.
#include <cstddef>
#include <cstdint>

#include "otaconf/spec_loader.h"
#include "otaconf/spec_tools.h"
#include "support/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace otaconf;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto outcome = spec::try_load_spec_text(text, "fuzz.json");
  if (outcome.spec.has_value() == !outcome.errors.empty()) {
    fuzz::oracle_failure("a spec and errors, or neither", fuzz::printable(text));
  }
  for (const auto& error : outcome.errors) {
    const bool pointer_ok = error.pointer.empty() || error.pointer.front() == '/';
    if (!pointer_ok || error.message.find('\n') != std::string::npos || error.message.empty()) {
      fuzz::oracle_failure(
          "a diagnostic that is not one line with a JSON pointer",
          "pointer: " + error.pointer + "\nmessage: " + error.message + "\ninput: " + fuzz::printable(text));
    }
  }
  if (outcome.spec) {
    (void)spec::lint(*outcome.spec);
    (void)spec::summary(*outcome.spec);
    (void)spec::fuzz_dictionary(*outcome.spec);
  }
  return 0;
}
