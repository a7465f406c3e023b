#include "mutants.h"

#include <stdexcept>
#include <string>

namespace otaconf::refserver {

namespace {

struct Entry {
  Fault fault;
  MutantInfo info;
};

struct VariantEntry {
  Fault behaviour;
  VariantInfo info;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> list = {
      {Fault::IgnorePowerThreshold,
       {"ignore-power-threshold", "ERR.10", "Never compares the device's powers with the task's power threshold."}},
      {Fault::SignalStrictlyGreater,
       {"signal-strictly-greater", "ERR.10",
        "Compares signals with > instead of >= under the strict profile, so a device exactly at the threshold gets "
        "10."}},
      {Fault::NoVersionCheck, {"no-version-check", "ERR.09", "Offers the task whatever version the device reports."}},
      {Fault::SwapInvalidSuspended,
       {"swap-13-19", "ERR.13", "Answers 19 for an invalid task and 13 for a suspended one."}},
      {Fault::SuspendedAsNoTask, {"suspended-as-no-task", "ERR.19", "Answers 11 (no task) for a suspended task."}},
      {Fault::NoManufCheck, {"no-manuf-check", "ERR.08", "Compares the model but not the manufacturer."}},
      {Fault::IgnoreTaskType,
       {"ignore-task-type", "ERR.11",
        "Offers the device's task of the other type when none of the requested type exists."}},
      {Fault::ErrnoAsString, {"errno-as-string", "RESP.ERRNO.TYPE", "Writes errno as a JSON string (\"0\")."}},
      {Fault::MissingErrorField,
       {"missing-error-field", "RESP.ERROR.TYPE", "Leaves the error member out of every answer."}},
      {Fault::SuccessTextOk, {"success-text-ok", "RESP.ERROR.SUCC", "Says \"ok\" instead of \"succ\" on success."}},
      {Fault::DataOnError,
       {"data-on-error", "RESP.DATA.ABSENT", "Adds a data object describing the task to error answers 8, 9 and 10."}},
      {Fault::MissingMd5, {"missing-md5", "RESP.DATA.PRESENT", "Leaves md5 out of the data of a success answer."}},
      {Fault::SizeAsString, {"size-as-string", "RESP.DATA.SIZE", "Writes data.size as a JSON string."}},
      {Fault::OnlyPows,
       {"only-pows", "REQ.NAMES",
        "Where the profile accepts both Pows and powers, recognises only Pows, so a powers value is ignored."}},
      {Fault::AcceptExpiredToken, {"accept-expired-token", "AUTH.TOKEN.EXPIRY", "Accepts tokens whose et has passed."}},
      {Fault::IgnoreTokenScope,
       {"ignore-token-scope", "AUTH.TOKEN.SCOPE", "Accepts a valid token of any product or device for any device."}},
      {Fault::UncheckedSha256Signature,
       {"unchecked-sha256-signature", "AUTH.TOKEN.SIGNATURE",
        "Does not verify the signature of tokens signed with sha256."}},
      {Fault::AcceptMissingAuthorization,
       {"accept-missing-authorization", "AUTH.REJECT",
        "Answers requests without an Authorization header as if authorized."}},
      {Fault::Html500OnInternal,
       {"html-500-on-internal", "ERR.07",
        "Answers an internal failure with HTTP 500 and an HTML page instead of errno 7."}},
      {Fault::TypeNotValidated,
       {"type-not-validated", "REQ.TYPE.TYPE", "Accepts any integer type, treating every value but 2 as FOTA."}},
      {Fault::RangeOffByOne,
       {"range-off-by-one", "DL.RANGE",
        "Serves one byte less than a bytes=a-b Range asks for (treats b as exclusive)."}},
      {Fault::ShortDownload, {"short-download", "DL.CONTENT", "Serves the whole package without its last byte."}},
      {Fault::RetryFromInterval,
       {"retry-from-interval", "RESP.DATA.VALUES", "Reports the task's interval as data.retry."}},
      {Fault::CdnInverted,
       {"cdn-inverted", "RESP.DATA.IP",
        "Reads cdn the wrong way round: a domain name for a device that cannot resolve one, an address for one that "
        "can."}},
      {Fault::UnknownDeviceSuccess,
       {"unknown-device-success", "ERR.00",
        "Never looks the device up: an unknown dev_id gets the first task of the token's product."}},
      // Wrong equivalences: values next to the right ones taken for them.
      {Fault::ManufCaseInsensitive,
       {"manuf-case-insensitive", "ERR.08", "Compares manuf with the task's without regard to letter case."}},
      {Fault::ModelTrimmed, {"model-trimmed", "ERR.08", "Trims spaces from model before comparing it."}},
      {Fault::VersionPrefix,
       {"version-prefix", "ERR.09", "Takes a version for a task's from-version when one is a prefix of the other."}},
      {Fault::CStringCompare,
       {"c-string-compare", "ERR.08", "Compares manuf and model as C strings: a NUL ends them."}},
      {Fault::DevIdNumeric,
       {"dev-id-numeric", "ERR.00", "Looks the device up by the number its dev_id spells: 06523 finds 6523."}},
      {Fault::ThresholdsAsText,
       {"thresholds-as-text", "ERR.10", "Compares signals with the threshold as text: 9 counts above 12."}},
      {Fault::DownloadTokenCaseInsensitive,
       {"download-token-case-insensitive", "DL.UNKNOWN_TOKEN", "Finds download tokens without regard to letter case."}},
      {Fault::DownloadTokenPrefix,
       {"download-token-prefix", "DL.UNKNOWN_TOKEN",
        "Serves the package of the first token that begins with the one asked for."}},
      {Fault::ModelFullWidthFolded,
       {"model-full-width-folded", "ERR.08",
        "Folds full-width letters and digits to ASCII before comparing model (Unicode compatibility folding)."}},
      {Fault::CdnAnyStringTrue,
       {"cdn-any-string-true", "RESP.DATA.IP", "Reads any non-empty cdn text as true, \"false\" included."}},
      {Fault::SignalsAbsentAsZero,
       {"signals-absent-as-zero", "ERR.10",
        "Takes an omitted signals for 0 (so the signal threshold fails) but skips an omitted powers."}},
      // Tokens.
      {Fault::SignCaseInsensitive,
       {"sign-case-insensitive", "AUTH.TOKEN.SIGNATURE", "Compares the signature without regard to letter case."}},
      {Fault::SignPrefix,
       {"sign-prefix", "AUTH.TOKEN.SIGNATURE", "Compares only the first 8 characters of the signature."}},
      {Fault::ExpiryHourLeeway,
       {"expiry-hour-leeway", "AUTH.TOKEN.EXPIRY", "Accepts a token up to an hour past its et."}},
      {Fault::DeviceTokenRefused,
       {"device-token-refused", "ERR.00", "Refuses every device-level token, valid ones included."}},
      {Fault::IpDefaultPort, {"ip-default-port", "RESP.DATA.IP", "Writes a download ip without a port as ip:80."}},
      {Fault::DeviceTokenExpiryUnchecked,
       {"device-token-expiry-unchecked", "AUTH.TOKEN.EXPIRY", "Checks et on product-level tokens only."}},
  };
  return list;
}

const std::vector<VariantEntry>& variant_entries() {
  static const std::vector<VariantEntry> list = {
      {Fault::Md5Uppercase, {"md5-upper-case", "AMB.MD5_CASE=any", "Sends the package's MD5 in upper-case hex."}},
      {Fault::CaseSensitiveNames,
       {"table-spellings-exact", "AMB.CASING=documented",
        "Reads the lower-case names and the table's spellings as written, in no other letter case."}},
      {Fault::IgnoreJsonBody,
       {"query-only", "AMB.ENCODING=query", "Reads parameters from the query string only, never from a JSON body."}},
      {Fault::CdnIgnored,
       {"address-always", "AMB.CDN_EFFECT=no-effect", "Names the download host by IP address whatever cdn says."}},
      {Fault::TextContentType,
       {"text-plain-label", "AMB.RESPONSE_MEDIA_TYPE=any", "Labels its JSON answers Content-Type text/plain."}},
      {Fault::DevIdNumberRejected,
       {"dev-id-string-only", "AMB.DEV_ID_TYPE=string", "Refuses dev_id given as a JSON number in a body."}},
      {Fault::NonJsonOnInvalidUtf8,
       {"plain-400-on-invalid-utf8", "AMB.PARAM_ERROR=http-400",
        "Refuses a parameter that is not UTF-8 with HTTP 400 and a plain-text body."}},
      {Fault::RequestIdInError,
       {"request-id", "extra members",
        "Puts a request id into every error text and adds a request_id member to every answer."}},
      {Fault::DataNullOnError,
       {"data-null-on-error", "RESP.DATA.ABSENT allows null", "Sends \"data\": null on every error."}},
      {Fault::ChunkedAnswers, {"chunked", "HTTP", "Sends every answer with Transfer-Encoding: chunked."}},
      {Fault::CharsetLabel, {"charset-label", "HTTP", "Labels answers Content-Type: application/json; charset=utf-8."}},
      {Fault::ConnectionClose, {"connection-close", "HTTP", "Closes the connection after every answer."}},
      {Fault::ReadsEverySpelling,
       {"reads-every-spelling", "accepts more",
        "Reads every documented spelling in any letter case, Pows and powers, and a JSON body, under every profile."}},
      {Fault::DevIdAnyString,
       {"dev-id-any-string", "AMB.DEV_ID_SYNTAX=any-string",
        "Takes any dev_id: one that is not decimal digits is an unknown device (errno 1), not a parameter error."}},
      {Fault::Http401OnAuth,
       {"http-401-on-auth", "AMB.AUTH_ERROR=http-401",
        "Refuses a missing or invalid token with HTTP 401 and no envelope."}},
      {Fault::ThresholdsStrictlyGreater,
       {"thresholds-strictly-greater", "AMB.THRESHOLD_CMP=gt",
        "Passes a device only when its signal and power are strictly above the task's thresholds."}},
      {Fault::RangesIgnored,
       {"ranges-ignored", "AMB.RANGE_SUPPORT=whole-only",
        "Ignores Range: every download is the whole package with 200."}},
  };
  return list;
}

}  // namespace

const std::vector<VariantInfo>& variants() {
  static const std::vector<VariantInfo> list = [] {
    std::vector<VariantInfo> out;
    for (const auto& entry : variant_entries()) out.push_back(entry.info);
    return out;
  }();
  return list;
}

const VariantInfo* find_variant(std::string_view name) {
  for (const auto& entry : variant_entries()) {
    if (entry.info.name == name) return &entry.info;
  }
  return nullptr;
}

const std::vector<MutantInfo>& mutants() {
  static const std::vector<MutantInfo> list = [] {
    std::vector<MutantInfo> out;
    for (const auto& entry : entries()) out.push_back(entry.info);
    return out;
  }();
  return list;
}

const MutantInfo* find_mutant(std::string_view name) {
  for (const auto& entry : entries()) {
    if (entry.info.name == name) return &entry.info;
  }
  return nullptr;
}

Fault fault_named(std::string_view name, bool variant) {
  if (name.empty()) return Fault::None;
  if (variant) {
    for (const auto& entry : variant_entries()) {
      if (entry.info.name == name) return entry.behaviour;
    }
    throw std::invalid_argument("unknown variant '" + std::string(name) +
                                "' (ota-refserver --list-variants lists them)");
  }
  for (const auto& entry : entries()) {
    if (entry.info.name == name) return entry.fault;
  }
  throw std::invalid_argument("unknown mutant '" + std::string(name) + "' (ota-refserver --list-mutants lists them)");
}

}  // namespace otaconf::refserver
