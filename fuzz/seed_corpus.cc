// otaconf-fuzz-seeds CORPUS_DIR: writes the seed corpora of the fuzz targets,
// each file named by the SHA-1 of its content (as libFuzzer names corpus
// files, so merged inputs and seeds never collide):
//   client_parser/  every response vector body (corpus/vectors/response)
//   server_handler/ every example request of the default fixture, in both
//                   encodings, tokens valid at the fuzzers' fixed clock
//   token/          those requests' Authorization values, per method, raw and encoded
//   query/          those requests' query strings
//   spec_loader/    the shipped spec
// Existing files are kept; the run prints how many files it added.
#include <openssl/sha.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "otaconf/check_request.h"
#include "otaconf/crypto.h"
#include "otaconf/vectors.h"
#include "support/fuzz_support.h"
#include "support/request_input.h"

namespace {

using namespace otaconf;
namespace fs = std::filesystem;

std::string sha1_hex(const std::string& bytes) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return crypto::hex_encode(std::string(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::size_t added = 0;

void seed(const fs::path& directory, const std::string& bytes) {
  fs::create_directories(directory);
  const auto file = directory / sha1_hex(bytes);
  if (fs::exists(file)) return;
  std::ofstream(file, std::ios::binary) << bytes;
  ++added;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: otaconf-fuzz-seeds CORPUS_DIR\n");
    return 2;
  }
  const fs::path corpus = argv[1];
  const auto& spec = fuzz::shipped_spec();
  for (const auto& vector : vectors::load(vectors::default_directory())) seed(corpus / "client_parser", vector.body);

  const requests::Renderer renderer(spec, fuzz::check_endpoint(), fuzz::default_fixture());
  for (const auto& example : fuzz::default_fixture().examples) {
    for (const char* encoding : {"query", "json-body"}) {
      for (const char* method : {"md5", "sha1", "sha256"}) {
        auto request = requests::from_example(example, fuzz::kTokenLifetime);
        request.encoding = encoding;
        if (request.auth.method != method && std::string(encoding) == "json-body") continue;
        request.auth.method = method;
        for (const bool url_encode : {true, false}) {
          request.auth.url_encode = url_encode;
          const auto wire = renderer.render(request, fuzz::kNow);
          if (url_encode) seed(corpus / "server_handler", fuzz::encode_request(wire));
          if (const auto token = wire.header("Authorization"); !token.empty()) seed(corpus / "token", token);
          if (const auto mark = wire.target.find('?'); mark != std::string::npos) {
            seed(corpus / "query", wire.target.substr(mark + 1));
          }
        }
      }
    }
  }
  std::ifstream spec_file(OTACONF_SOURCE_DIR "/spec/onenet-ota-v1.json", std::ios::binary);
  seed(corpus / "spec_loader", std::string(std::istreambuf_iterator<char>(spec_file), {}));
  std::printf("otaconf-fuzz-seeds: %zu files added under %s\n", added, corpus.c_str());
  return 0;
}
