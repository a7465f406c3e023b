/*
 * otaconf adapter contract: how a device-side parser of OneNET OTA check
 * responses plugs into `otaconf client` (docs/adapters.md).
 *
 * In-process: build a shared library that exports otaconf_adapter_parse and
 * run `otaconf client --adapter-lib ./libmyparser.so`. Every response vector
 * is parsed in a child process, so a crash becomes a verdict, and a build
 * with -fsanitize=address reports memory errors there.
 *
 * The function fills a normalized result; it must not keep pointers to
 * `body` and must not write outside `out`.
 */
#ifndef OTACONF_ADAPTER_H
#define OTACONF_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OTACONF_ADAPTER_ABI 1

typedef enum {
  OTACONF_ACTION_NONE = 0,        /* rejected: no action */
  OTACONF_ACTION_DOWNLOAD = 1,    /* fetch the package and upgrade */
  OTACONF_ACTION_RETRY_LATER = 2, /* no upgrade now; check again later */
  OTACONF_ACTION_NO_UPDATE = 3    /* nothing for this device */
} otaconf_action;

typedef struct {
  int accepted;        /* 1: the body is a response this parser accepts; 0: rejected */
  char reason[128];    /* why it was rejected (free text, NUL-terminated) */
  int64_t errno_value; /* the envelope's errno */
  char error[256];     /* the envelope's error text (truncated) */
  int has_data;        /* 1 when the parser took data from the response (errno 0) */
  char target[65];
  char token[129];
  uint64_t size;
  int64_t signal;
  int64_t power;
  int64_t retry;
  int64_t interval;
  char md5[129]; /* normalized to lower case (32 hex digits under the strict profile) */
  char ip[262];
  otaconf_action action;
} otaconf_result;

/*
 * Parses `length` bytes of `body` (not NUL-terminated; may hold NULs) as a
 * check response under `profile` ("strict", "lenient" or "as-documented"; a
 * parser with one behaviour may ignore it). Returns 0 when it ran (accepted or
 * rejected), non-zero on an internal failure.
 */
int otaconf_adapter_parse(const unsigned char* body, size_t length, const char* profile, otaconf_result* out);

#ifdef __cplusplus
}
#endif

#endif /* OTACONF_ADAPTER_H */
