// Where otaconf finds what it ships, relative to the running executable:
// nothing is found through a path fixed at build time, so an installed tree
// (bin/, lib/, share/otaconf/) can be moved or copied anywhere.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

namespace otaconf::paths {

// The directory of the running executable (/proc/self/exe).
std::filesystem::path executable_dir();

// The shipped data: spec/, vectors/, fixtures/, corpus/. $OTACONF_DATA_DIR
// when set; else the first `share/otaconf` found in the executable's
// directory or one of its three parents (bin/../share/otaconf when
// installed; the build directory's share/otaconf, which links to the source
// tree, when built). Empty when there is none.
std::filesystem::path data_dir();

// A program or library shipped beside otaconf (the reference adapters): in
// the executable's directory, or ../lib/otaconf and ../lib from it.
std::optional<std::filesystem::path> companion(std::string_view file_name);

}  // namespace otaconf::paths
