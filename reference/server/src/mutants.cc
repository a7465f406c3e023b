#include "mutants.h"

#include <stdexcept>
#include <string>

namespace otaconf::refserver {

namespace {

struct Entry {
  Fault fault;
  MutantInfo info;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> list = {
      {Fault::IgnorePowerThreshold,
       {"ignore-power-threshold", "ERR.10", "Never compares the device's powers with the task's power threshold."}},
      {Fault::SignalStrictlyGreater,
       {"signal-strictly-greater", "ERR.10",
        "Compares signals with > instead of >= under the strict profile, so a device exactly at the threshold gets 10."}},
      {Fault::NoVersionCheck,
       {"no-version-check", "ERR.09", "Offers the task whatever version the device reports."}},
      {Fault::SwapInvalidSuspended,
       {"swap-13-19", "ERR.13", "Answers 19 for an invalid task and 13 for a suspended one."}},
      {Fault::SuspendedAsNoTask,
       {"suspended-as-no-task", "ERR.19", "Answers 11 (no task) for a suspended task."}},
      {Fault::NoManufCheck, {"no-manuf-check", "ERR.08", "Compares the model but not the manufacturer."}},
      {Fault::IgnoreTaskType,
       {"ignore-task-type", "ERR.11", "Offers the device's task of the other type when none of the requested type exists."}},
      {Fault::ErrnoAsString, {"errno-as-string", "RESP.ERRNO.TYPE", "Writes errno as a JSON string (\"0\")."}},
      {Fault::MissingErrorField, {"missing-error-field", "RESP.ERROR.TYPE", "Leaves the error member out of every answer."}},
      {Fault::SuccessTextOk, {"success-text-ok", "RESP.ERROR.SUCC", "Says \"ok\" instead of \"succ\" on success."}},
      {Fault::DataOnError,
       {"data-on-error", "RESP.DATA.ABSENT", "Adds a data object describing the task to error answers 8, 9 and 10."}},
      {Fault::MissingMd5, {"missing-md5", "RESP.DATA.PRESENT", "Leaves md5 out of the data of a success answer."}},
      {Fault::Md5Uppercase, {"md5-uppercase", "RESP.DATA.MD5", "Sends the package's MD5 in upper-case hex."}},
      {Fault::SizeAsString, {"size-as-string", "RESP.DATA.SIZE", "Writes data.size as a JSON string."}},
      {Fault::OnlyPows,
       {"only-pows", "REQ.NAMES",
        "Where the profile accepts both Pows and powers, recognises only Pows, so a powers value is ignored."}},
      {Fault::CaseSensitiveNames,
       {"case-sensitive-names", "REQ.NAMES", "Matches parameter names case-sensitively even where the profile ignores case."}},
      {Fault::IgnoreJsonBody,
       {"ignore-json-body", "EP.CHECK.ENCODING", "Ignores a JSON request body even where the profile accepts one."}},
      {Fault::AcceptExpiredToken, {"accept-expired-token", "AUTH.TOKEN.EXPIRY", "Accepts tokens whose et has passed."}},
      {Fault::IgnoreTokenScope,
       {"ignore-token-scope", "AUTH.TOKEN.SCOPE", "Accepts a valid token of any product or device for any device."}},
      {Fault::UncheckedSha256Signature,
       {"unchecked-sha256-signature", "AUTH.TOKEN.SIGNATURE", "Does not verify the signature of tokens signed with sha256."}},
      {Fault::AcceptMissingAuthorization,
       {"accept-missing-authorization", "AUTH.REJECT", "Answers requests without an Authorization header as if authorized."}},
      {Fault::Html500OnInternal,
       {"html-500-on-internal", "ERR.07", "Answers an internal failure with HTTP 500 and an HTML page instead of errno 7."}},
      {Fault::TypeNotValidated,
       {"type-not-validated", "REQ.TYPE.TYPE", "Accepts any integer type, treating every value but 2 as FOTA."}},
      {Fault::CdnIgnored,
       {"cdn-ignored", "RESP.DATA.IP", "Names the download host by IP address even when the device sent cdn=true."}},
      {Fault::RangeOffByOne,
       {"range-off-by-one", "DL.RANGE", "Serves one byte less than a bytes=a-b Range asks for (treats b as exclusive)."}},
      {Fault::TextContentType,
       {"text-content-type", "RESP.CONTENT_TYPE", "Labels check answers Content-Type text/plain."}},
      {Fault::ShortDownload, {"short-download", "DL.CONTENT", "Serves the whole package without its last byte."}},
      {Fault::RetryFromInterval,
       {"retry-from-interval", "RESP.DATA.VALUES", "Reports the task's interval as data.retry."}},
      {Fault::DevIdNumberRejected,
       {"dev-id-number-rejected", "REQ.DEV_ID.TYPE",
        "Rejects dev_id given as a JSON number even where the profile accepts it."}},
      {Fault::NonJsonOnInvalidUtf8,
       {"non-json-on-invalid-utf8", "RESP.ENVELOPE.JSON",
        "Answers a parameter with invalid UTF-8 with a plain-text error instead of an envelope."}},
  };
  return list;
}

}  // namespace

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

Fault fault_named(std::string_view name) {
  if (name.empty()) return Fault::None;
  for (const auto& entry : entries()) {
    if (entry.info.name == name) return entry.fault;
  }
  throw std::invalid_argument("unknown mutant '" + std::string(name) + "' (ota-refserver --list-mutants lists them)");
}

}  // namespace otaconf::refserver
