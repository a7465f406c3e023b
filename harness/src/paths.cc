#include "otaconf/paths.h"

#include <cstdlib>
#include <system_error>

namespace otaconf::paths {

namespace fs = std::filesystem;

fs::path executable_dir() {
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path(ec) : self.parent_path();
}

fs::path data_dir() {
  if (const char* env = std::getenv("OTACONF_DATA_DIR"); env != nullptr && *env != '\0') return env;
  auto dir = executable_dir();
  for (int up = 0; up < 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
    std::error_code ec;
    if (fs::is_directory(dir / "share" / "otaconf", ec)) return dir / "share" / "otaconf";
    if (dir == dir.root_path()) break;
  }
  return {};
}

std::optional<fs::path> companion(std::string_view file_name) {
  const auto dir = executable_dir();
  for (const auto& candidate :
       {dir / file_name, dir / ".." / "lib" / "otaconf" / file_name, dir / ".." / "lib" / file_name}) {
    std::error_code ec;
    if (fs::exists(candidate, ec)) return candidate.lexically_normal();
  }
  return std::nullopt;
}

}  // namespace otaconf::paths
