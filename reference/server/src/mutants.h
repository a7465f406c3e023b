// The behaviours the reference server can be switched to: mutants (one
// fault each, breaking the document on the clause it names) and legal
// variants (a reading of the document other than the reference's, or what
// HTTP leaves free: no verdict against them may be a FAIL).
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
  CdnInverted,
  UnknownDeviceSuccess,
  ManufCaseInsensitive,
  ModelTrimmed,
  VersionPrefix,
  CStringCompare,
  DevIdNumeric,
  ThresholdsAsText,
  DownloadTokenCaseInsensitive,
  DownloadTokenPrefix,
  ModelFullWidthFolded,
  CdnAnyStringTrue,
  SignalsAbsentAsZero,
  SignCaseInsensitive,
  SignPrefix,
  ExpiryHourLeeway,
  DeviceTokenRefused,
  DeviceTokenExpiryUnchecked,
  IpDefaultPort,
  // Legal variants.
  RequestIdInError,
  DataNullOnError,
  ChunkedAnswers,
  CharsetLabel,
  ConnectionClose,
  ReadsEverySpelling,
  DevIdAnyString,
  Http401OnAuth,
  ThresholdsStrictlyGreater,
  RangesIgnored,
};

// Throws std::invalid_argument for an unknown name; "" is Fault::None.
// `variant`: look among the legal variants, else among the mutants.
Fault fault_named(std::string_view name, bool variant = false);

}  // namespace otaconf::refserver
