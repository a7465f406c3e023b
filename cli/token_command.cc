// otaconf token: mint a OneNET Authorization value (for curl and for
// devices on the bench), from the spec's description of the token.
#include <chrono>
#include <iostream>

#include "commands.h"
#include "otaconf/spec_loader.h"
#include "otaconf/token.h"
#include "outputs.h"

namespace otaconf::cli {

namespace {
constexpr long long kCentury = 100LL * 366 * 24 * 3600;
}  // namespace

void add_token_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string key, res, method = "sha1", spec_file;
    long long ttl = 3600;
    long long et = 0;
    bool raw = false;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand("token", "Mint an Authorization header value (OneNET token)");
  sub->add_option("--key", args->key, "access key, base64 (product- or device-level)")->required();
  sub->add_option("--res", args->res, "products/{pid} or products/{pid}/devices/{name}")->required();
  sub->add_option("--method", args->method, "md5, sha1 or sha256")
      ->capture_default_str()
      ->check(CLI::IsMember({"md5", "sha1", "sha256"}));
  // Bounded so that nothing clamps silently; a negative --ttl mints an expired token on purpose.
  sub->add_option("--ttl", args->ttl, "seconds from now until it expires (negative: already expired)")
      ->capture_default_str()
      ->check(CLI::Range(-kCentury, kCentury));
  sub->add_option("--et", args->et, "explicit expiry (Unix seconds, up to 9999999999); overrides --ttl")
      ->check(digits_only())
      ->check(CLI::Range(1LL, 9999999999LL));
  sub->add_flag("--raw", args->raw, "do not URL-encode the values (as the vendor's curl examples do)");
  sub->add_option("--spec", args->spec_file, "spec file (default: the shipped spec)");
  sub->callback([args, &exit_code] {
    try {
      const auto spec =
          spec::load_spec(args->spec_file.empty() ? spec::default_spec_path() : std::filesystem::path(args->spec_file));
      if (!spec.authorization) {
        std::cerr << "otaconf: " << spec.file.string() << ": the spec describes no Authorization token\n";
        exit_code = kExitUsage;
        return;
      }
      token::TokenRequest request;
      request.res = args->res;
      request.method = args->method;
      request.url_encode_values = !args->raw;
      request.et =
          args->et != 0
              ? args->et
              : std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                        .count() +
                    args->ttl;
      const auto value = token::mint(*spec.authorization, args->key, request);
      if (!value) {
        std::cerr << "otaconf: --key is not base64\n";
        exit_code = kExitUsage;
        return;
      }
      std::cout << *value << "\n";
      exit_code = kExitOk;
    } catch (const InputError& e) {
      std::cerr << "otaconf: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

}  // namespace otaconf::cli
