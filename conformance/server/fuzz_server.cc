// otaconf fuzz-server (fuzz_server.h): batches of mutated requests sent over
// --concurrency connections and judged in order, as the property does.
#include "otaconf/conformance/fuzz_server.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "otaconf/crypto.h"

namespace otaconf::conformance {

using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxRequestBytes = 8192;  // a mutated request's text
constexpr int kMinimiseRequests = 150;          // per bucket
constexpr std::size_t kMaxCorpus = 20000;       // inputs kept in memory
constexpr const char* kShapesFile = ".shapes";  // in the corpus directory: the shapes seen so far

// What an answer looks like, coarsely: status, errno, the envelope's
// members and their JSON types, data's members, and a timing class. A
// request whose answer has a shape not seen before is kept.
std::string shape_of(const Exchange& e, bool with_timing = true) {
  if (!e.response.ok()) return "no answer";
  std::string out = std::to_string(e.response.status) +
                    " errno=" + (e.answer.errno_value ? std::to_string(*e.answer.errno_value) : std::string("-")) +
                    " {";
  if (e.body.is_object()) {
    for (const auto& [name, value] : e.body.items()) {
      out += json(crypto::escape_invalid_utf8(name)).dump() + ":" + value.type_name();
      if (value.is_object()) {
        out += "{";
        for (const auto& [inner, _] : value.items()) out += json(crypto::escape_invalid_utf8(inner)).dump() + ",";
        out += "}";
      }
      out += " ";
    }
  } else {
    out += e.json_body ? "json, not an object" : "not json";
  }
  out += "}";
  if (with_timing) out += e.response.elapsed_ms < 20 ? " fast" : e.response.elapsed_ms < 500 ? " slow" : " very slow";
  return out;
}

std::string hex_name(const std::string& text) {
  // FNV-1a: a stable file name for a corpus input.
  std::uint64_t hash = 1469598103934665603ull;
  for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  char name[17];
  std::snprintf(name, sizeof name, "%016llx", static_cast<unsigned long long>(hash));
  return name;
}

// Smaller versions of a request: each query parameter dropped, each header
// dropped, the body emptied, each parameter's value halved.
std::vector<http::Request> simpler(const http::Request& request) {
  std::vector<http::Request> out;
  const auto question = request.target.find('?');
  if (question != std::string::npos) {
    const auto path = request.target.substr(0, question);
    std::vector<std::string> params;
    std::string query = request.target.substr(question + 1);
    for (std::size_t start = 0; start <= query.size();) {
      const auto end = std::min(query.find('&', start), query.size());
      if (end > start) params.push_back(query.substr(start, end - start));
      start = end + 1;
    }
    auto with = [&](const std::vector<std::string>& list) {
      auto r = request;
      std::string joined;
      for (const auto& p : list) joined += (joined.empty() ? "" : "&") + p;
      r.target = path + (list.empty() ? "" : "?" + joined);
      return r;
    };
    for (std::size_t i = 0; i < params.size(); ++i) {
      auto fewer = params;
      fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(i));
      out.push_back(with(fewer));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto equals = params[i].find('=');
      if (equals == std::string::npos || params[i].size() - equals <= 2) continue;
      auto shorter = params;
      shorter[i] = params[i].substr(0, equals + 1 + (params[i].size() - equals - 1) / 2);
      out.push_back(with(shorter));
    }
  }
  for (std::size_t i = 0; i < request.headers.size(); ++i) {
    auto r = request;
    r.headers.erase(r.headers.begin() + static_cast<std::ptrdiff_t>(i));
    out.push_back(std::move(r));
  }
  if (!request.body.empty()) {
    auto r = request;
    r.body.clear();
    out.push_back(std::move(r));
  }
  return out;
}

class Campaign {
 public:
  Campaign(Session& s, const RequestCodec& codec, const FuzzServerOptions& options)
      : s_(s),
        codec_(codec),
        options_(options),
        rng_(static_cast<std::mt19937_64::result_type>(s.suite().options.seed)) {
    for (int i = 1; i < std::max(1, s.suite().options.concurrency); ++i) {
      auto client = s.new_client();
      if (!client) break;
      extra_.push_back(std::move(client));
    }
  }

  FuzzServerSummary run() {
    started_ = Clock::now();
    seed_corpus();
    const auto batch = (extra_.size() + 1) * 8;
    while (!stopping()) {
      std::vector<http::Request> wires;
      std::vector<std::string> texts;
      for (std::size_t i = 0; i < batch; ++i) {
        texts.push_back(next_input());
        wires.push_back(codec_.decode(texts.back()));
      }
      std::vector<Exchange> exchanges(wires.size());
      for_each_on_clients(wires.size(), clients(), [&](std::size_t i, http::Client& client) {
        exchanges[i] = s_.transmit_wire(wires[i], client);
      });
      summary_.requests += wires.size();
      for (std::size_t i = 0; i < wires.size(); ++i) judge(texts[i], exchanges[i]);
      if (options_.progress) options_.progress(summary_.requests, corpus_.size(), buckets_.size());
    }
    save_shapes();
    summary_.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    summary_.interrupted = options_.stop && options_.stop->load();
    summary_.shapes = shapes_.size();
    summary_.buckets = buckets_.size();
    return summary_;
  }

 private:
  bool stopping() const {
    if (options_.stop && options_.stop->load()) return true;
    if (options_.max_requests && summary_.requests >= options_.max_requests) return true;
    const auto elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
    return options_.duration_seconds > 0 && elapsed >= options_.duration_seconds;
  }

  std::vector<http::Client*> clients() {
    std::vector<http::Client*> out{&s_.client()};
    for (auto& client : extra_) out.push_back(client.get());
    return out;
  }

  // The suite's own requests (every success base, every single change, every
  // near miss), rendered with fresh tokens, then the corpus directory's files.
  void seed_corpus() {
    const auto& pool = s_.pool();
    for (const auto* list : {&pool.bases, &pool.mutations}) {
      for (const auto& request : *list) add(codec_.encode(s_.renderer().render(request, s_.now())), false);
    }
    for (const auto& probe : pool.near_misses) add(codec_.encode(s_.renderer().render(probe.request, s_.now())), false);
    for (const auto& request : token_variants(pool.bases))
      add(codec_.encode(s_.renderer().render(request, s_.now())), false);
    if (options_.corpus.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(options_.corpus, ec);
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(options_.corpus, ec)) {
      if (entry.is_regular_file() && entry.path().filename().string().front() != '.') files.push_back(entry.path());
    }
    // The answer shapes earlier runs saw: a request is kept only for a shape new to every run.
    std::ifstream known_shapes(options_.corpus / kShapesFile);
    for (std::string line; std::getline(known_shapes, line);) shapes_.insert(line);
    std::sort(files.begin(), files.end());  // a seed gives the same run whatever the directory's order
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), {});
      if (text.size() <= kMaxRequestBytes && add(text, false)) ++summary_.corpus_loaded;
    }
  }

  void save_shapes() const {
    if (options_.corpus.empty()) return;
    std::ofstream out(options_.corpus / kShapesFile);
    for (const auto& shape : shapes_) out << shape << "\n";
  }

  // Each base with every token the spec's Authorization allows or nearly
  // allows: each method, expired a moment or an hour ago, a signature one
  // letter's case or one bit away, a device-level resource. The mutators
  // change one character of a token; these give them tokens to change.
  std::vector<requests::CheckRequest> token_variants(const std::vector<requests::CheckRequest>& bases) const {
    std::vector<requests::CheckRequest> out;
    const auto* auth = s_.suite().spec.authorization ? &*s_.suite().spec.authorization : nullptr;
    if (!auth) return out;
    std::vector<std::string> methods;
    for (const auto& param : auth->params) {
      if (param.name == "method") methods = param.values;
    }
    for (const auto& base : bases) {
      for (const auto& method : methods) {
        for (const std::int64_t lifetime : {std::int64_t{86400}, std::int64_t{-2}, std::int64_t{-3600}}) {
          auto variant = base;
          variant.auth.method = method;
          variant.auth.lifetime = lifetime;
          out.push_back(variant);
        }
        for (const char* sign : {"case", "bit", "truncated"}) {
          auto variant = base;
          variant.auth.method = method;
          variant.auth.sign_variant = sign;
          out.push_back(variant);
        }
      }
      const auto* dev_id = base.find("dev_id");
      const auto* device =
          dev_id && dev_id->is_string() ? s_.suite().fixture.device(dev_id->get<std::string>()) : nullptr;
      if (device) {
        auto variant = base;
        variant.auth.res = "products/" + device->product + "/devices/" + device->name;
        out.push_back(variant);
        variant.auth.lifetime = -3600;
        out.push_back(variant);
      }
    }
    return out;
  }

  bool add(const std::string& text, bool save) {
    if (corpus_.size() >= kMaxCorpus || !known_.insert(text).second) return false;
    corpus_.push_back(text);
    if (save && !options_.corpus.empty()) {
      std::ofstream(options_.corpus / hex_name(text), std::ios::binary) << text;
      ++summary_.corpus_added;
    }
    return true;
  }

  std::string next_input() {
    auto text = corpus_[rng_() % corpus_.size()];
    const int rounds = 1 + static_cast<int>(rng_() % 3);
    for (int i = 0; i < rounds; ++i) codec_.mutate(text, kMaxRequestBytes, static_cast<unsigned int>(rng_()));
    return text;
  }

  // A finding: an answer no reading of the document allows.
  bool finding(const Exchange& exchange) const {
    return exchange.response.ok() && !s_.allowed_by_some_reading(exchange);
  }

  std::string bucket_of(const Exchange& exchange) const {
    return s_.oracle().blame(exchange.expected, exchange.answer) + " " + shape_of(exchange, false);
  }

  // The spec describes well-formed requests to the check endpoint: any
  // other (another method or path, or bytes that are not an HTTP/1.1
  // message: a space in the target, a header name that is not a token, a
  // Content-Length that is not the body's) gets whatever answer the server
  // gives it, as long as it gets one.
  bool to_check_endpoint(const http::Request& wire) const { return interpret::judged_request(s_.endpoint(), wire); }

  void judge(const std::string& text, const Exchange& exchange) {
    if (shapes_.insert(shape_of(exchange)).second) add(text, true);
    if (!exchange.response.ok()) {
      // No answer at all (a crash, a hang, a reset): an ERROR, one bucket per kind of failure.
      const auto bucket = "no answer: " + exchange.response.error.substr(0, exchange.response.error.find(':'));
      if (buckets_.insert(bucket).second) {
        note_first_finding();
        s_.record("ERR.00", results::Verdict::Error,
                  "bucket " + std::to_string(buckets_.size()) + " (" + bucket + "): " + exchange.response.error,
                  s_.evidence(exchange));
      }
      return;
    }
    if (!to_check_endpoint(exchange.wire)) return;
    s_.judge_envelope(exchange);
    if (!finding(exchange)) {
      s_.expect(exchange);
      s_.expect_data(exchange);  // a success as expected: its data must be the fixture's
      return;
    }
    const auto bucket = bucket_of(exchange);
    if (!buckets_.insert(bucket).second) return;
    note_first_finding();
    const auto smallest = minimise(exchange, bucket);
    const auto clause = s_.oracle().blame(smallest.expected, smallest.answer);
    s_.violation(clause,
                 "bucket " + std::to_string(buckets_.size()) + " (" + shape_of(smallest, false) + "): expected errno " +
                     std::to_string(smallest.expected.errno_value) + ", got " +
                     (smallest.observed ? std::to_string(*smallest.observed) : "no integer errno") +
                     "; minimised from " + std::to_string(exchange.wire.target.size() + exchange.wire.body.size()) +
                     " to " + std::to_string(smallest.wire.target.size() + smallest.wire.body.size()) +
                     " bytes of target and body; " + smallest.expected.why,
                 &smallest);
  }

  void note_first_finding() {
    if (summary_.first_finding_seconds < 0)
      summary_.first_finding_seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  }

  // Greedy: the first simpler request still in the same bucket replaces it.
  Exchange minimise(Exchange current, const std::string& bucket) {
    int spent = 0;
    for (bool smaller = true; smaller && spent < kMinimiseRequests;) {
      smaller = false;
      for (const auto& candidate : simpler(current.wire)) {
        if (++spent > kMinimiseRequests || stopping_now()) break;
        if (!to_check_endpoint(candidate)) continue;
        auto exchange = s_.transmit_wire(candidate, s_.client());
        ++summary_.requests;
        if (finding(exchange) && bucket_of(exchange) == bucket) {
          current = std::move(exchange);
          smaller = true;
          break;
        }
      }
    }
    return current;
  }

  bool stopping_now() const { return options_.stop && options_.stop->load(); }

  Session& s_;
  const RequestCodec& codec_;
  const FuzzServerOptions& options_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<http::Client>> extra_;
  std::vector<std::string> corpus_;
  std::set<std::string> known_, shapes_, buckets_;
  FuzzServerSummary summary_;
  Clock::time_point started_;
};

}  // namespace

FuzzServerSummary run_fuzz_server(const ServerSuite& suite, const RequestCodec& codec, const FuzzServerOptions& options,
                                  results::Recorder& recorder, results::RunInfo& run) {
  static const ServerCheck check{
      kFuzzCheck, "Fuzzing: mutated requests, every answer judged; findings bucketed and minimised", {}, true, {}};
  FuzzServerSummary summary;
  with_suite_session(suite, check, recorder, run,
                     [&](Session& session) { summary = Campaign(session, codec, options).run(); });
  return summary;
}

}  // namespace otaconf::conformance
