// The download a success answer implies: the address built from data.ip and
// data.token, whole and by Range, and an unknown token refused.

#include "otaconf/conformance/server.h"
#include "otaconf/crypto.h"
#include "otaconf/near_miss.h"

namespace otaconf::conformance {

using nlohmann::json;
using results::Verdict;

namespace {

// "http[s]://host[:port]/path" into base and path, by hand: the address comes
// from the server under test, and std::regex recurses per character.
std::optional<std::pair<std::string, std::string>> split_location(const std::string& location) {
  const auto scheme_end = location.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const auto scheme = location.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  const auto path = location.find('/', scheme_end + 3);
  if (path == std::string::npos || path == scheme_end + 3) return std::nullopt;
  return std::pair{location.substr(0, path), location.substr(path)};
}

bool loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]"; }

// The address template with {name} replaced from the answer's data.
std::optional<std::string> address(const spec::DownloadAddress& spec_address, const json& data) {
  std::string out = spec_address.templ;
  for (const auto& [name, from] : spec_address.from) {
    const auto key = from.rfind("data.", 0) == 0 ? from.substr(5) : from;
    if (!data.contains(key) || !data[key].is_string()) return std::nullopt;
    const auto placeholder = "{" + name + "}";
    const auto at = out.find(placeholder);
    if (at == std::string::npos) continue;
    out.replace(at, placeholder.size(), data[key].get<std::string>());
  }
  return out;
}

json download_evidence(const std::string& url, const http::Request& request, const http::Response& response) {
  json headers = json::object();
  for (const auto& [k, v] : response.headers) headers[k] = v;
  return {{"request", {{"method", "GET"}, {"url", url}, {"range", request.header("Range")}}},
          {"response",
           {{"status", response.status},
            {"headers", headers},
            {"bytes", response.body.size()},
            {"error", response.error}}}};
}

// One GET of a package address, counted and recorded as the run's others.
http::Response fetch(Session& s, const http::Url& url, const http::Request& get) {
  http::Client client(url, exchange_limits(s.suite().options));
  if (s.suite().options.recording) client.set_recording(s.suite().options.recording);
  s.count_request();
  return client.send(get);
}

}  // namespace

void download_check(Session& s) {
  const std::vector<std::string> clauses = {"DL.ADDRESS", "DL.CONTENT", "DL.RANGE", "DL.UNKNOWN_TOKEN"};
  const auto* download = s.suite().spec.endpoint_by_role("download");
  const auto* data_field = s.endpoint().response ? s.endpoint().response->envelope_role("data") : nullptr;
  if (!download || !download->address || !data_field) {
    for (const auto& c : clauses) s.record(c, Verdict::NotTestable, "the spec describes no download address");
    return;
  }
  std::optional<Exchange> success;
  for (const auto& base : s.pool().bases) {
    auto exchange = s.send(base);
    if (exchange.observed && exchange.expected.success && *exchange.observed == exchange.expected.errno_value) {
      success = std::move(exchange);
      break;
    }
  }
  if (!success || !success->body[data_field->name].is_object()) {
    for (const auto& c : clauses) s.record(c, Verdict::NotTestable, "no success answer to follow");
    return;
  }
  const auto& data = success->body[data_field->name];
  const auto location = address(*download->address, data);
  std::string why;
  std::optional<http::Url> url;
  const auto base_and_path = location ? split_location(*location) : std::nullopt;
  if (base_and_path) {
    auto base = base_and_path->first;
    // A host without a port means the default port of the address.
    if (base.find(':', base.find("//") + 2) == std::string::npos)
      base += ":" + std::to_string(download->address->default_port);
    url = http::parse_url(base, &why);
    if (url && !url->path.empty()) {  // an address is host[:port], never a path
      why = "a path in the address";
      url.reset();
    }
  }
  if (!url) {
    s.violation("DL.ADDRESS",
                "data does not form a download address: " +
                    (location ? *location : std::string("missing ip or token")) + (why.empty() ? "" : " (" + why + ")"),
                &*success);
    return;
  }
  if (url->host != s.suite().target.url.host && !loopback(url->host) && !s.suite().target.follow_download_host) {
    for (const auto& c : clauses) {
      s.record(c, Verdict::NotTestable,
               "the package lives at " + url->base() + ", another host (--follow-download-host to fetch it)");
    }
    return;
  }
  const auto& path = base_and_path->second;
  http::Request get{"GET", path, {}, {}};
  auto whole = fetch(s, *url, get);
  // The document's address ("ip: port/ota/download/{token}") names no
  // scheme: a server reached over https may serve its packages that way too.
  if (!whole.ok() && url->scheme == "http" && s.suite().target.url.scheme == "https") {
    auto secure = *url;
    secure.scheme = "https";
    if (auto over_tls = fetch(s, secure, get); over_tls.ok()) {
      url = secure;
      whole = std::move(over_tls);
    }
  }
  http::Client client(*url, exchange_limits(s.suite().options));
  if (s.suite().options.recording) client.set_recording(s.suite().options.recording);
  results::Evidence evidence;
  auto ev = download_evidence(url->base() + path, get, whole);
  evidence.request = ev["request"];
  evidence.response = ev["response"];
  evidence.curl =
      "curl -sS -o package.bin -w '%{http_code} %{size_download}\\n' " + http::shell_quote(url->base() + path);
  if (!whole.ok() || whole.status / 100 != 2) {
    s.record("DL.ADDRESS", Verdict::Fail,
             "GET " + url->base() + path + " answered " +
                 (whole.ok() ? "HTTP " + std::to_string(whole.status) : whole.error),
             evidence);
    return;
  }
  s.record("DL.ADDRESS", Verdict::Pass, "GET " + url->base() + path + ": HTTP " + std::to_string(whole.status),
           evidence);
  const auto size = data.value("size", json(nullptr));
  const auto md5 = data.value("md5", json(""));
  const bool size_ok = size.is_number_unsigned() && size.get<std::uint64_t>() == whole.body.size();
  const auto digest = crypto::md5_hex(whole.body);
  const std::string md5_text = md5.is_string() ? md5.get<std::string>() : std::string();
  const bool md5_ok = std::equal(digest.begin(), digest.end(), md5_text.begin(), md5_text.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  evidence.expected = {{"size", size}, {"md5", md5}};
  evidence.observed = {{"size", whole.body.size()}, {"md5", digest}};
  s.record("DL.CONTENT",
           size_ok && md5_ok && whole.status == download->range->full_status ? Verdict::Pass : Verdict::Fail,
           "the package has " + std::to_string(whole.body.size()) + " bytes, MD5 " + digest + " (data: size " +
               size.dump() + ", md5 " + md5.dump() + ")",
           evidence);

  // Ranges inside the package: exactly those bytes, 206, Content-Range.
  const auto n = whole.body.size();
  std::vector<std::tuple<std::string, std::size_t, std::size_t>> ranges;  // header, first, last
  if (n >= 10) ranges.emplace_back("bytes=0-9", 0, 9);
  if (n >= 3) ranges.emplace_back("bytes=" + std::to_string(n / 3) + "-" + std::to_string(2 * n / 3), n / 3, 2 * n / 3);
  if (n >= 1) ranges.emplace_back("bytes=" + std::to_string(n - 1) + "-", n - 1, n - 1);
  if (n >= 5) ranges.emplace_back("bytes=-5", n - 5, n - 1);
  for (const auto& [header, first, last] : ranges) {
    http::Request ranged{"GET", path, {{"Range", header}}, {}};
    auto part = client.send(ranged);
    s.count_request();
    const auto expected = whole.body.substr(first, last - first + 1);
    const auto content_range = "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(n);
    const bool partial = part.ok() && part.status == download->range->partial_status && part.body == expected &&
                         part.header("Content-Range") == content_range;
    // RFC 9110 lets a server ignore Range: 200 with the whole package, right where the profile does not ask for ranges.
    const bool whole_answer = part.ok() && part.status == download->range->full_status && part.body == whole.body;
    results::Evidence range_evidence;
    auto rev = download_evidence(url->base() + path, ranged, part);
    range_evidence.request = rev["request"];
    range_evidence.response = rev["response"];
    range_evidence.expected = {
        {"status", download->range->partial_status}, {"bytes", expected.size()}, {"content_range", content_range}};
    range_evidence.observed = {{"status", part.status},
                               {"bytes", part.body.size()},
                               {"content_range", crypto::escape_invalid_utf8(part.header("Content-Range"))},
                               {"same_bytes", part.body == expected}};
    range_evidence.curl =
        "curl -sS -i -H " + http::shell_quote("Range: " + header) + " " + http::shell_quote(url->base() + path);
    const auto said = "Range " + header + ": HTTP " + std::to_string(part.status) + ", " +
                      std::to_string(part.body.size()) + " bytes" +
                      (part.body == expected ? "" : " (not the requested bytes)");
    const auto& required = download->range->partial_required_when;
    s.judge(
        "DL.RANGE", nullptr,
        [partial, whole_answer, &required](const spec::Profile& reading) {
          return partial || (whole_answer && !required.empty() && !required.holds(reading));
        },
        said, said, {}, range_evidence);
  }
  for (const auto& form : download->range->forms) {
    if (form.syntax.rfind("bytes=", 0) == 0 || n < 10) continue;
    std::string header = form.syntax;
    header.replace(header.find("a-b"), 3, "0-9");
    http::Request ranged{"GET", path, {{"Range", header}}, {}};
    auto part = client.send(ranged);
    s.count_request();
    s.observe("AMB.RANGE_SYNTAX", "Range: " + header + " answered HTTP " + std::to_string(part.status) + " with " +
                                      std::to_string(part.body.size()) + " bytes");
  }

  // Tokens the server never issued: a foreign one, and near misses of its own (the token's shape, learned
  // from its answer): what a case-insensitive or prefix lookup would take for it.
  const auto token_key = [&]() -> std::string {
    auto from = download->address->from.find("token");
    if (from == download->address->from.end()) return {};
    return from->second.rfind("data.", 0) == 0 ? from->second.substr(5) : from->second;
  }();
  if (token_key.empty() || !data.contains(token_key) || !data[token_key].is_string()) return;
  const auto own = data[token_key].get<std::string>();
  std::vector<std::pair<std::string, std::string>> strangers = {
      {"a foreign token", "otaconf0unknown0token0" + crypto::hex_encode(crypto::random_bytes(6))}};
  for (const auto& miss : near_miss::near_misses(own)) {
    if (miss.kind == "case" || miss.kind == "prefix" || miss.kind == "extension") {
      strangers.emplace_back("its own token, " + miss.kind + " near miss", miss.value.get<std::string>());
    }
  }
  for (const auto& [what, token] : strangers) {
    auto unknown_data = data;
    unknown_data[token_key] = token;
    const auto unknown_location = address(*download->address, unknown_data);
    if (!unknown_location) continue;
    const auto unknown_path = unknown_location->substr(unknown_location->find('/', unknown_location->find("//") + 2));
    http::Request bogus{"GET", unknown_path, {}, {}};
    auto refused = client.send(bogus);
    s.count_request();
    results::Evidence refused_evidence;
    auto uev = download_evidence(url->base() + unknown_path, bogus, refused);
    refused_evidence.request = uev["request"];
    refused_evidence.response = uev["response"];
    refused_evidence.curl = "curl -sS -i " + http::shell_quote(url->base() + unknown_path);
    // Refused, or at least no package bytes: the document says nothing of how a refusal looks.
    const bool package_bytes =
        !refused.body.empty() && (refused.body == whole.body ||
                                  (refused.body.size() >= 16 && whole.body.find(refused.body) != std::string::npos));
    const bool ok = refused.ok() && !package_bytes;
    s.record("DL.UNKNOWN_TOKEN", ok ? Verdict::Pass : Verdict::Fail,
             what + ": HTTP " + std::to_string(refused.status) + ", " + std::to_string(refused.body.size()) + " bytes" +
                 (ok ? "" : ": the package"),
             refused_evidence);
  }
}

}  // namespace otaconf::conformance
