/*
 * A device-style parser of OneNET OTA check responses in C, on cJSON (a JSON
 * library common on devices), plugged into otaconf in-process through the
 * C ABI of otaconf_adapter.h (docs/adapters.md).
 *
 * Build it as a shared library and run it:
 *   cc -shared -fPIC -I harness/include examples/c-parser/cjson_adapter.c -lcjson -o libcjson_adapter.so
 * or, in a CMake project with an installed otaconf, as examples/CMakeLists.txt does.
 *   otaconf client --adapter-lib ./libcjson_adapter.so
 *
 * cJSON keeps every number as a double, so this parser cannot tell 0 from
 * 0.0, nor sizes past 2^53 apart: otaconf reports those vectors, which is
 * what it is for. Everything else follows the spec's strict, lenient and
 * as-documented profiles.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "otaconf_adapter.h"

enum profile { STRICT, LENIENT, AS_DOCUMENTED };

static const char* const table[][2] = {
    {"errno", "Error no"}, {"error", "Error"}, {"data", "Data"},   {"target", "Target"}, {"token", "Token"},
    {"size", "Size"},      {"signal", "Signal"}, {"power", "The power"}, {"retry", "Retry"}, {"interval", "Interval"},
    {"md5", "MD5"},        {"ip", "IP"},
};

static int reject(otaconf_result* out, const char* why) {
  out->accepted = 0;
  out->has_data = 0;
  out->action = OTACONF_ACTION_NONE;
  snprintf(out->reason, sizeof out->reason, "%s", why);
  return 0;
}

static const char* table_spelling(const char* name) {
  for (size_t i = 0; i < sizeof table / sizeof table[0]; ++i) {
    if (strcmp(table[i][0], name) == 0) return table[i][1];
  }
  return name;
}

/* The member spelled as the profile allows (cJSON's case-insensitive lookup for lenient). */
static cJSON* member(const cJSON* object, const char* name, enum profile profile) {
  cJSON* item = cJSON_GetObjectItemCaseSensitive(object, name);
  if (item || profile == STRICT) return item;
  item = cJSON_GetObjectItemCaseSensitive(object, table_spelling(name));
  if (item || profile == AS_DOCUMENTED) return item;
  item = cJSON_GetObjectItem(object, name);
  return item ? item : cJSON_GetObjectItem(object, table_spelling(name));
}

static int has_duplicates(const cJSON* object) {
  for (const cJSON* a = object ? object->child : NULL; a; a = a->next) {
    for (const cJSON* b = a->next; b; b = b->next) {
      if (a->string && b->string && strcmp(a->string, b->string) == 0) return 1;
    }
    if (cJSON_IsObject(a) && has_duplicates(a)) return 1;
  }
  return 0;
}

static int integer(const cJSON* item, double low, double high, long long* value) {
  if (!cJSON_IsNumber(item)) return 0;
  const double v = item->valuedouble;
  if (v != floor(v) || v < low || v > high) return 0;
  *value = (long long)v;
  return 1;
}

static int matches(const char* s, const char* allowed, size_t min, size_t max) {
  size_t n = strlen(s);
  if (n < min || n > max) return 0;
  for (; *s; ++s) {
    if (!strchr(allowed, *s)) return 0;
  }
  return 1;
}

static int printable(const char* s, size_t min, size_t max) {
  size_t n = strlen(s);
  if (n < min || n > max) return 0;
  for (; *s; ++s) {
    if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e) return 0;
  }
  return 1;
}

static int host(const char* s) {
  const char* colon = strchr(s, ':');
  size_t n = colon ? (size_t)(colon - s) : strlen(s);
  if (n < 1 || n > 255) return 0;
  for (size_t i = 0; i < n; ++i) {
    if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-') return 0;
  }
  return !colon || matches(colon + 1, "0123456789", 1, 5);
}

static int copy(char* field, size_t capacity, const cJSON* item) {
  if (!cJSON_IsString(item) || strlen(item->valuestring) >= capacity) return 0;
  memcpy(field, item->valuestring, strlen(item->valuestring) + 1);
  return 1;
}

static otaconf_action action_of(long long code) {
  if (code == 0) return OTACONF_ACTION_DOWNLOAD;
  if (code == 7 || code == 10 || code == 19) return OTACONF_ACTION_RETRY_LATER;
  return OTACONF_ACTION_NO_UPDATE;
}

static int known(long long code) {
  static const long long codes[] = {0, 1, 2, 7, 8, 9, 10, 11, 13, 19};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
    if (codes[i] == code) return 1;
  }
  return 0;
}

static int read_data(const cJSON* data, enum profile p, otaconf_result* out) {
  const char* id = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  const char* version = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
  long long size = 0;
  if (!copy(out->target, sizeof out->target, member(data, "target", p)) ||
      !(p == STRICT ? matches(out->target, version, 1, 20) : printable(out->target, 1, 64))) {
    return reject(out, "target");
  }
  if (!copy(out->token, sizeof out->token, member(data, "token", p)) || !matches(out->token, id, 1, 128)) {
    return reject(out, "token");
  }
  if (!integer(member(data, "size", p), 0, 9223372036854775807.0, &size)) return reject(out, "size");
  out->size = (uint64_t)size;
  long long v = 0;
  if (!integer(member(data, "signal", p), p == STRICT ? 0 : -2147483648.0, p == STRICT ? 99 : 2147483647.0, &v) ||
      (p == STRICT && v > 31 && v != 99)) {
    return reject(out, "signal");
  }
  out->signal = v;
  if (!integer(member(data, "power", p), 0, 100, &v)) return reject(out, "power");
  out->power = v;
  if (!integer(member(data, "retry", p), 0, 2147483647.0, &v)) return reject(out, "retry");
  out->retry = v;
  /* AMB.INTERVAL_RANGE: non-negative under strict, any int32 otherwise (found by otaconf_add_client_fuzzer). */
  if (!integer(member(data, "interval", p), p == STRICT ? 0 : -2147483648.0, 2147483647.0, &v))
    return reject(out, "interval");
  out->interval = v;
  if (!copy(out->md5, sizeof out->md5, member(data, "md5", p))) return reject(out, "md5");
  const int hex32 = matches(out->md5, p == STRICT ? "0123456789abcdef" : "0123456789abcdefABCDEF", 32, 32);
  if (p != AS_DOCUMENTED && !hex32) return reject(out, "md5");
  if (p == AS_DOCUMENTED && !strlen(out->md5)) return reject(out, "md5");
  for (char* c = out->md5; *c; ++c) *c = (char)tolower((unsigned char)*c);
  if (!copy(out->ip, sizeof out->ip, member(data, "ip", p)) || !host(out->ip)) return reject(out, "ip");
  out->has_data = 1;
  return 1;
}

int otaconf_adapter_parse(const unsigned char* body, size_t length, const char* profile_name, otaconf_result* out) {
  memset(out, 0, sizeof *out);
  const enum profile p = strcmp(profile_name, "lenient") == 0         ? LENIENT
                         : strcmp(profile_name, "as-documented") == 0 ? AS_DOCUMENTED
                                                                      : STRICT;
  if (memchr(body, '\0', length)) return reject(out, "a NUL byte in the body");
  if (length >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
    if (p != LENIENT) return reject(out, "a byte order mark");
    body += 3;
    length -= 3;
  }
  const char* end = NULL;
  cJSON* document = cJSON_ParseWithLengthOpts((const char*)body, length, &end, 0);
  if (!document) return reject(out, "not JSON");
  while (end < (const char*)body + length && isspace((unsigned char)*end)) ++end;
  if (end != (const char*)body + length) {  /* bytes after the JSON value */
    cJSON_Delete(document);
    return reject(out, "not JSON: bytes after the value");
  }
  if (!cJSON_IsObject(document)) {
    cJSON_Delete(document);
    return reject(out, "not a JSON object");
  }
  if (p != LENIENT && has_duplicates(document)) {
    cJSON_Delete(document);
    return reject(out, "a member is given twice");
  }
  long long code = 0;
  const cJSON* error = member(document, "error", p);
  if (!integer(member(document, "errno", p), -9.2e18, 9.2e18, &code) || !known(code) || !cJSON_IsString(error)) {
    cJSON_Delete(document);
    return reject(out, "errno or error");
  }
  out->errno_value = code;
  snprintf(out->error, sizeof out->error, "%s", error->valuestring);
  if (code == 0) {
    const cJSON* data = member(document, "data", p);
    if (!cJSON_IsObject(data) || !read_data(data, p, out)) {
      cJSON_Delete(document);
      if (out->reason[0] == '\0') reject(out, "errno 0 without a data object");
      return 0;
    }
  }
  out->accepted = 1;
  out->action = action_of(code);
  cJSON_Delete(document);
  return 0;
}
