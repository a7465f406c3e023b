// The fault-injected variants of the reference server. Each changes exactly
// one behaviour, the one its clause governs.
#pragma once

#include <string_view>

#include "otaconf/refserver.h"

namespace otaconf::refserver {

enum class Fault {
  None,
  IgnorePowerThreshold,
  SignalStrictlyGreater,
  NoVersionCheck,
  SwapInvalidSuspended,
  SuspendedAsNoTask,
  NoManufCheck,
  IgnoreTaskType,
  ErrnoAsString,
  MissingErrorField,
  SuccessTextOk,
  DataOnError,
  MissingMd5,
  Md5Uppercase,
  SizeAsString,
  OnlyPows,
  CaseSensitiveNames,
  IgnoreJsonBody,
  AcceptExpiredToken,
  IgnoreTokenScope,
  UncheckedSha256Signature,
  AcceptMissingAuthorization,
  Html500OnInternal,
  TypeNotValidated,
  CdnIgnored,
  RangeOffByOne,
  TextContentType,
  ShortDownload,
  RetryFromInterval,
  DevIdNumberRejected,
  NonJsonOnInvalidUtf8,
};

// Throws std::invalid_argument for an unknown name; "" is Fault::None.
Fault fault_named(std::string_view name);

}  // namespace otaconf::refserver
