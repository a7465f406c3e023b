// The shipped spec and the default fixture, loaded once per test binary.
#pragma once

#include "otaconf/fixture.h"
#include "otaconf/spec_loader.h"

namespace otaconf::shipped_data {

inline const spec::Spec& shipped() {
  static const spec::Spec spec = spec::load_spec(spec::default_spec_path());
  return spec;
}

inline const fixture::Fixture& default_fixture() {
  static const fixture::Fixture f = fixture::default_fixture();
  return f;
}

}  // namespace otaconf::shipped_data
