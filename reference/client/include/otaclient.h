// otaclient: the reference device-side parser of OneNET OTA check responses,
// with fault-injected variants (mutants) for measuring the client suite.
//
// Written from the document like ota-refserver, independent of otaconf's
// spec model and oracle. The C ABI is otaconf_adapter.h (this library is an
// adapter of itself); the mutant is chosen by name, or by $OTACLIENT_MUTANT
// for the C ABI.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "otaconf_adapter.h"

namespace otaclient {

enum class Profile { Strict, Lenient, AsDocumented };

struct MutantInfo {
  std::string name;
  std::string clause;  // mutants: the clause it violates; variants: the reading it follows
  std::string description;
};

const std::vector<MutantInfo>& mutants();
// Legal variants: what the document also allows (another reading of an ambiguity).
const std::vector<MutantInfo>& variants();

// Parses a check response body. `behaviour`: a mutant's or a variant's name,
// empty for the reference parser. Never throws; an unknown name parses
// correctly.
void parse(std::string_view body, Profile profile, std::string_view behaviour, otaconf_result& out);

// $OTACLIENT_MUTANT, else $OTACLIENT_VARIANT, else "": what the C ABI and
// the subprocess adapter run.
std::string behaviour_from_environment();

// "strict", "lenient", "as-documented"; anything else is strict.
Profile profile_named(std::string_view name);

// The largest body the parser reads (a device has a fixed receive buffer).
inline constexpr std::size_t kMaxBody = 64 * 1024;

}  // namespace otaclient
