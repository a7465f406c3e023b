// otaconf fuzz-server: a fuzzing campaign against any OTA server over HTTP
// (RESTler's fuzz mode, AFLNet-style feedback without instrumentation).
// Requests are mutated from the server suite's own requests and a corpus;
// every answer is judged by the oracle and the envelope rules as in
// `otaconf server`; a request whose answer has a new shape is kept in the
// corpus; findings are bucketed by (clause, answer shape), each bucket's
// request minimised and recorded with a curl line.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "otaconf/conformance/server.h"

namespace otaconf::conformance {

// How requests are written in a corpus file and mutated (the fuzzers'
// request format and spec-aware mutators, fuzz/support/).
struct RequestCodec {
  std::function<std::string(const http::Request&)> encode;
  std::function<http::Request(std::string_view)> decode;
  // Mutates `text` in place (at most `max_size` bytes); deterministic for a seed.
  std::function<void(std::string& text, std::size_t max_size, unsigned int seed)> mutate;
};

struct FuzzServerOptions {
  double duration_seconds = 60;             // 0: no time bound
  std::uint64_t max_requests = 0;           // 0: no request bound
  std::filesystem::path corpus;             // read at the start, new shapes added (empty: kept in memory only)
  const std::atomic<bool>* stop = nullptr;  // set from a signal handler: stop at the next batch
  std::function<void(std::uint64_t requests, std::size_t corpus, std::size_t buckets)> progress;
};

struct FuzzServerSummary {
  std::uint64_t requests = 0;
  std::size_t corpus_loaded = 0, corpus_added = 0, shapes = 0, buckets = 0;
  double seconds = 0;
  double first_finding_seconds = -1;  // -1: none
  bool interrupted = false;
};

// The check ID fuzz-server records under.
inline const std::string kFuzzCheck = "server.fuzz";

FuzzServerSummary run_fuzz_server(const ServerSuite& suite, const RequestCodec& codec, const FuzzServerOptions& options,
                                  results::Recorder& recorder, results::RunInfo& run);

}  // namespace otaconf::conformance
