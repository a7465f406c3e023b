/*
 * A OneNET OTA "check" server's request handler in C, behind otaconf's
 * in-process server ABI (otaconf_server.h): raw HTTP request in, raw HTTP
 * answer out. A worked example of what a team links into a fuzz target with
 *
 *   otaconf_add_server_fuzzer(NAME c_server_fuzzer HANDLER my_handler
 *                             FIXTURE c-server/fixture.json)
 *
 * It serves the strict profile (otaconf_server_open returns NULL for the
 * others): the query-string encoding with the lower-case names, cdn
 * required, URL-encoded token values, signals on the AT+CSQ scale (0-31,
 * 99), a value equal to a task's threshold passes. Its state is compiled in
 * (the tables below); fixture.json tells otaconf the same state, so the
 * fixture text otaconf passes in is not read. The token is verified with
 * OpenSSL's HMAC.
 *
 * Decision order: 1 (token), 2 (parameters), 1 (device or the token's
 * scope), 11 (no task), 19 (suspended), 8 (manuf or model), 9 (version),
 * 10 (threshold), 0.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otaconf_server.h"

/* ---- the server's state --------------------------------------------------- */

typedef struct {
  const char* id;
  const char* access_key; /* base64 */
} product;

typedef struct {
  const char* dev_id;
  const char* product;
  const char* name;
  const char* access_key; /* a device-level key, or NULL */
} device;

typedef struct {
  const char* product;
  const char* devices[4]; /* NULL-terminated; none: every device of the product */
  int type;               /* 1 FOTA, 2 SOTA */
  const char* manuf;
  const char* model;
  const char* from_versions[4];
  const char* target;
  uint64_t size;   /* of the package */
  const char* md5; /* of the package, lower-case hex */
  int has_thresholds;
  int64_t signal, power, retry, interval;
  int suspended;
  const char* ip;     /* download host for devices without name resolution; "@self": this server */
  const char* domain; /* for devices with name resolution (cdn true) */
} task;

static const product kProducts[] = {
    {"123123", "KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw="},
    {"200001", "X2EFMXL1/GMmIMWN7+eHuNHWH/u/jVovwnS2JYKXNns="},
};

static const device kDevices[] = {
    {"6523", "123123", "m5310-example", NULL},
    {"6524", "123123", "m5310-thresholds", NULL},
    {"6525", "123123", "m5310-suspended", NULL},
    {"6529", "123123", "sota-device-key", "D8wu246j7ZFb7ZJYyeuPY4l5jEe6MSChMEu4SvkVGEo="},
    {"7001", "200001", "other-product-device", "xbpdwSnw3G+LlOdmD7QKj8td2WNL0pfeQLO8PRQm6yY="},
};

#define CHINA_MOBILE "\xe4\xb8\xad\xe5\x9b\xbd\xe7\xa7\xbb\xe5\x8a\xa8" /* 中国移动 */

/* One task per row. */
/* clang-format off */
static const task kTasks[] = {
    {"123123", {"6523", NULL}, 1, CHINA_MOBILE, "M5310", {"1.2", NULL}, "1.3", 4096,
     "c9ad7b292ec77639ce0b2def2b7a20d8", 1, 8, 20, 3, 60, 0, "@self", "@self"},
    {"123123", {"6524", NULL}, 1, CHINA_MOBILE, "M5310", {"1.2", "1.2.1", NULL}, "2.0", 70001,
     "1a1e93d40b2c0992eb5f8ca07be3d2f6", 1, 12, 90, 10, 90, 0, "@self", "@self"},
    {"123123", {"6525", NULL}, 1, CHINA_MOBILE, "M5310", {"1.2", NULL}, "1.3", 4096,
     "c9ad7b292ec77639ce0b2def2b7a20d8", 1, 0, 0, 3, 60, 1, "@self", "@self"},
    {"123123", {"6523", "6529", NULL}, 2, CHINA_MOBILE, "M5310", {"2.0", "2.0.1", NULL}, "2.1", 1234,
     "b50cd9e80a07f2c59dfeb99155e5bc47", 0, 0, 0, 0, 0, 0, "10.0.0.7", "@self"},
    {"200001", {NULL}, 1, "Quectel", "BC95", {"V100", NULL}, "V101", 512,
     "f623cbd945ac2a00f31a3305e7323816", 1, 5, 10, 1, 30, 0, "@self", "@self"},
};
/* clang-format on */

enum { kMaxHeadBytes = 16384 }; /* request line and headers */

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

struct otaconf_server {
  int64_t now;
  char self_by_ip[128];
  char self_by_name[128];
  unsigned long long issued; /* download tokens handed out */
};

/* ---- bytes ------------------------------------------------------------------ */

typedef struct {
  const char* p;
  size_t n;
} span;

static int span_is(span s, const char* text) { return s.n == strlen(text) && memcmp(s.p, text, s.n) == 0; }

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Percent-decodes `in` into a new buffer (`plus_is_space`: a query's '+').
   Returns 0, or -1 for a malformed escape. */
static int percent_decode(span in, int plus_is_space, char** out, size_t* out_n) {
  char* buffer = malloc(in.n + 1);
  size_t n = 0;
  if (!buffer) return -1;
  for (size_t i = 0; i < in.n; ++i) {
    if (in.p[i] == '%') {
      const int high = i + 2 < in.n ? hex_value(in.p[i + 1]) : -1;
      const int low = i + 2 < in.n ? hex_value(in.p[i + 2]) : -1;
      if (high < 0 || low < 0) {
        free(buffer);
        return -1;
      }
      buffer[n++] = (char)(high * 16 + low);
      i += 2;
    } else {
      buffer[n++] = plus_is_space && in.p[i] == '+' ? ' ' : in.p[i];
    }
  }
  buffer[n] = '\0';
  *out = buffer;
  *out_n = n;
  return 0;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static int valid_utf8(const unsigned char* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    size_t extra;
    unsigned int min, code;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xe0) == 0xc0) {
      extra = 1, min = 0x80, code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, min = 0x800, code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, min = 0x10000, code = c & 0x07;
    } else {
      return 0;
    }
    if (i + extra >= n) return 0;
    for (size_t k = 1; k <= extra; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return 0;
      code = (code << 6) | (s[i + k] & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
    i += extra + 1;
  }
  return 1;
}

static int all_digits(const char* s, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') return 0;
  }
  return n > 0;
}

/* -?[0-9]{1,19} within int64. */
static int parse_int64(const char* s, size_t n, int64_t* out) {
  const int negative = n > 0 && s[0] == '-';
  const char* digits = s + negative;
  const size_t count = n - (size_t)negative;
  if (count == 0 || count > 19 || !all_digits(digits, count)) return 0;
  uint64_t value = 0;
  for (size_t i = 0; i < count; ++i) value = value * 10 + (uint64_t)(digits[i] - '0');
  if (value > (uint64_t)INT64_MAX + (uint64_t)negative) return 0;
  *out = negative ? (int64_t)(0 - value) : (int64_t)value;
  return 1;
}

/* ---- the check call's parameters (query string, lower-case names) ---------- */

enum { DEV_ID, MANUF, MODEL, TYPE, VERSION, SIGNALS, POWERS, CDN, PARAM_COUNT };
static const char* const kNames[PARAM_COUNT] = {"dev_id",  "manuf",   "model",  "type",
                                                "version", "signals", "powers", "cdn"};

typedef struct {
  char* value[PARAM_COUNT]; /* decoded, or NULL when absent */
  size_t length[PARAM_COUNT];
  const char* problem; /* why the parameters are refused (errno 2), or NULL */
} params;

static void free_params(params* p) {
  for (int i = 0; i < PARAM_COUNT; ++i) free(p->value[i]);
}

static void add_pair(params* p, span pair) {
  const char* equals = memchr(pair.p, '=', pair.n);
  const span key = {pair.p, equals ? (size_t)(equals - pair.p) : pair.n};
  const span value = {equals ? equals + 1 : pair.p + pair.n, equals ? pair.n - key.n - 1 : 0};
  char *name = NULL, *text = NULL;
  size_t name_n = 0, text_n = 0;
  if (percent_decode(key, 1, &name, &name_n) != 0 || percent_decode(value, 1, &text, &text_n) != 0) {
    free(name);
    p->problem = "malformed percent-encoding in the query string";
    return;
  }
  if (!valid_utf8((const unsigned char*)name, name_n) || !valid_utf8((const unsigned char*)text, text_n)) {
    p->problem = "a query parameter is not valid UTF-8";
  } else {
    for (int i = 0; i < PARAM_COUNT; ++i) {
      if (!span_is((span){name, name_n}, kNames[i])) continue;
      if (p->value[i] && (p->length[i] != text_n || memcmp(p->value[i], text, text_n) != 0)) {
        p->problem = "a parameter is given twice with different values";
      } else if (!p->value[i]) {
        p->value[i] = text, p->length[i] = text_n, text = NULL;
      }
      break;
    }
  }
  free(name);
  free(text);
}

static int version_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* The values' types and domains under the strict profile. */
static const char* check_params(const params* p, int64_t* type, int64_t* signals, int64_t* powers, int* cdn) {
  const int required[] = {DEV_ID, MANUF, MODEL, TYPE, VERSION, CDN};
  for (size_t i = 0; i < COUNT(required); ++i) {
    if (!p->value[required[i]]) return "a required parameter is missing";
  }
  if (p->length[DEV_ID] > 20 || !all_digits(p->value[DEV_ID], p->length[DEV_ID])) return "dev_id is not 1-20 digits";
  if (p->length[MANUF] < 1 || p->length[MANUF] > 64) return "manuf is not 1-64 bytes";
  if (p->length[MODEL] < 1 || p->length[MODEL] > 64) return "model is not 1-64 bytes";
  if (p->length[VERSION] < 1 || p->length[VERSION] > 20) return "version is not 1-20 characters";
  for (size_t i = 0; i < p->length[VERSION]; ++i) {
    if (!version_char(p->value[VERSION][i])) return "version has a character outside [A-Za-z0-9_.-]";
  }
  if (!parse_int64(p->value[TYPE], p->length[TYPE], type) || (*type != 1 && *type != 2)) return "type is not 1 or 2";
  *signals = -1, *powers = -1;
  if (p->value[SIGNALS] && (!parse_int64(p->value[SIGNALS], p->length[SIGNALS], signals) || *signals < 0 ||
                            (*signals > 31 && *signals != 99))) {
    return "signals is not 0-31 or 99";
  }
  if (p->value[POWERS] && (!parse_int64(p->value[POWERS], p->length[POWERS], powers) || *powers < 0 || *powers > 100)) {
    return "powers is not 0-100";
  }
  if (span_is((span){p->value[CDN], p->length[CDN]}, "true")) {
    *cdn = 1;
  } else if (span_is((span){p->value[CDN], p->length[CDN]}, "false")) {
    *cdn = 0;
  } else {
    return "cdn is not true or false";
  }
  return NULL;
}

/* ---- the Authorization token ---------------------------------------------- */

typedef struct {
  char product[21];
  char device_name[128]; /* "" for a product-level token */
} scope;

static int unreserved_or_escape(span value) {
  for (size_t i = 0; i < value.n; ++i) {
    const char c = value.p[i];
    if (c == '%') {
      if (i + 2 >= value.n) return 0;
      if (hex_value(value.p[i + 1]) < 0 || hex_value(value.p[i + 2]) < 0) return 0;
      i += 2;
    } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                 c == '_' || c == '~')) {
      return 0;
    }
  }
  return 1;
}

/* The key a token's resource names: its product's, or a device's. */
static const char* access_key_for(const scope* s) {
  if (s->device_name[0] == '\0') {
    for (size_t i = 0; i < COUNT(kProducts); ++i) {
      if (strcmp(kProducts[i].id, s->product) == 0) return kProducts[i].access_key;
    }
    return NULL;
  }
  for (size_t i = 0; i < COUNT(kDevices); ++i) {
    if (strcmp(kDevices[i].product, s->product) == 0 && strcmp(kDevices[i].name, s->device_name) == 0) {
      return kDevices[i].access_key;
    }
  }
  return NULL;
}

/* products/<1-20 digits>[/devices/<name without '/'>] */
static int parse_resource(const char* res, size_t n, scope* out) {
  static const char prefix[] = "products/", devices[] = "/devices/";
  if (n < sizeof prefix - 1 || memcmp(res, prefix, sizeof prefix - 1) != 0) return 0;
  size_t i = sizeof prefix - 1, digits = 0;
  while (i < n && res[i] >= '0' && res[i] <= '9') ++i, ++digits;
  if (digits < 1 || digits > 20) return 0;
  memcpy(out->product, res + i - digits, digits);
  out->product[digits] = '\0';
  out->device_name[0] = '\0';
  if (i == n) return 1;
  if (n - i < sizeof devices - 1 || memcmp(res + i, devices, sizeof devices - 1) != 0) return 0;
  const char* name = res + i + sizeof devices - 1;
  const size_t name_n = n - i - (sizeof devices - 1);
  if (name_n == 0 || memchr(name, '/', name_n)) return 0;
  if (name_n >= sizeof out->device_name || memchr(name, '\0', name_n)) {
    memcpy(out->device_name, "?", 2); /* names no device */
    return 1;
  }
  memcpy(out->device_name, name, name_n);
  out->device_name[name_n] = '\0';
  return 1;
}

/* base64(HMAC(base64decode(key), "et\nmethod\nres\nversion")) equals `sign`. */
static int signature_matches(const char* key, const char* et, const char* method, const char* res, size_t res_n,
                             const char* version, const char* sign, size_t sign_n) {
  unsigned char key_bytes[128], digest[EVP_MAX_MD_SIZE], encoded[128];
  const size_t key_n = strlen(key);
  if (key_n == 0 || key_n % 4 != 0 || key_n / 4 * 3 > sizeof key_bytes) return 0;
  int decoded = EVP_DecodeBlock(key_bytes, (const unsigned char*)key, (int)key_n);
  if (decoded < 0) return 0;
  decoded -= (key[key_n - 1] == '=') + (key[key_n - 2] == '=');
  const EVP_MD* md = strcmp(method, "md5") == 0 ? EVP_md5() : strcmp(method, "sha1") == 0 ? EVP_sha1() : EVP_sha256();
  const size_t message_n = strlen(et) + strlen(method) + res_n + strlen(version) + 3;
  char* message = malloc(message_n + 1);
  if (!message) return 0;
  const int written = snprintf(message, message_n + 1, "%s\n%s\n", et, method);
  memcpy(message + written, res, res_n);
  snprintf(message + written + res_n, message_n + 1 - (size_t)written - res_n, "\n%s", version);
  unsigned int digest_n = 0;
  const int ok = HMAC(md, key_bytes, decoded, (const unsigned char*)message, message_n, digest, &digest_n) != NULL;
  free(message);
  if (!ok) return 0;
  const int encoded_n = EVP_EncodeBlock(encoded, digest, (int)digest_n);
  return (size_t)encoded_n == sign_n && memcmp(encoded, sign, sign_n) == 0;
}

enum { T_VERSION, T_RES, T_ET, T_METHOD, T_SIGN, TOKEN_PARTS };
static const char* const kTokenKeys[TOKEN_PARTS] = {"version", "res", "et", "method", "sign"};

/* NULL with `out` filled for a valid token; otherwise why not. */
static const char* verify_token(span header, int64_t now, scope* out) {
  char* part[TOKEN_PARTS] = {NULL};
  size_t part_n[TOKEN_PARTS] = {0};
  const char* why = NULL;
  if (header.n == 0) return "missing";
  for (size_t start = 0; start <= header.n && !why;) {
    const char* amp = memchr(header.p + start, '&', header.n - start);
    const size_t end = amp ? (size_t)(amp - header.p) : header.n;
    const span pair = {header.p + start, end - start};
    const char* equals = memchr(pair.p, '=', pair.n);
    if (!equals) {
      why = "malformed";
      break;
    }
    const span key = {pair.p, (size_t)(equals - pair.p)};
    const span value = {equals + 1, pair.n - key.n - 1};
    /* A key given twice: look at every earlier pair's key. */
    for (size_t earlier = 0; earlier < start && !why;) {
      const char* e_amp = memchr(header.p + earlier, '&', start - earlier);
      const size_t e_end = e_amp ? (size_t)(e_amp - header.p) : start;
      const char* e_eq = memchr(header.p + earlier, '=', e_end - earlier);
      if (e_eq && (size_t)(e_eq - header.p) - earlier == key.n && memcmp(header.p + earlier, key.p, key.n) == 0) {
        why = "malformed";
      }
      earlier = e_end + 1;
    }
    if (!why && !unreserved_or_escape(value)) why = "malformed";
    for (int i = 0; i < TOKEN_PARTS && !why; ++i) {
      if (span_is(key, kTokenKeys[i]) && percent_decode(value, 0, &part[i], &part_n[i]) != 0) why = "malformed";
    }
    start = end + 1;
  }
  for (int i = 0; i < TOKEN_PARTS && !why; ++i) {
    if (!part[i] || memchr(part[i], '\0', part_n[i]) != NULL) why = "malformed";
  }
  int64_t et = 0;
  if (!why && (strcmp(part[T_VERSION], "2018-10-31") != 0 || !all_digits(part[T_ET], part_n[T_ET]) ||
               !parse_int64(part[T_ET], part_n[T_ET], &et) || !parse_resource(part[T_RES], part_n[T_RES], out) ||
               (strcmp(part[T_METHOD], "md5") != 0 && strcmp(part[T_METHOD], "sha1") != 0 &&
                strcmp(part[T_METHOD], "sha256") != 0))) {
    why = "malformed";
  }
  const char* key = why ? NULL : access_key_for(out);
  if (!why && !key) why = "unknown key";
  if (!why && !signature_matches(key, part[T_ET], part[T_METHOD], part[T_RES], part_n[T_RES], part[T_VERSION],
                                 part[T_SIGN], part_n[T_SIGN])) {
    why = "bad signature";
  }
  if (!why && et < now) why = "expired";
  for (int i = 0; i < TOKEN_PARTS; ++i) free(part[i]);
  return why;
}

/* ---- the check call -------------------------------------------------------- */

static const device* find_device(const char* dev_id) {
  for (size_t i = 0; i < COUNT(kDevices); ++i) {
    if (strcmp(kDevices[i].dev_id, dev_id) == 0) return &kDevices[i];
  }
  return NULL;
}

static int listed(const char* const* list, const char* text, size_t n) {
  for (; *list; ++list) {
    if (span_is((span){text, n}, *list)) return 1;
  }
  return 0;
}

/* The task of the device's product and this type that targets the device. */
static const task* find_task(const device* d, int64_t type) {
  for (size_t i = 0; i < COUNT(kTasks); ++i) {
    const task* t = &kTasks[i];
    if (strcmp(t->product, d->product) != 0 || t->type != type) continue;
    if (!t->devices[0] || listed(t->devices, d->dev_id, strlen(d->dev_id))) return t;
  }
  return NULL;
}

/* An omitted value (-1) skips the comparison; a value equal to the threshold passes. */
static int below(int64_t value, int64_t threshold) { return value >= 0 && value < threshold; }

/* Writes the envelope for this request into `body`. */
static void decide(otaconf_server* server, span query, span authorization, int authorizations, char* body,
                   size_t capacity) {
  params p = {{NULL}, {0}, NULL};
  for (size_t start = 0; start <= query.n;) {
    const char* amp = memchr(query.p + start, '&', query.n - start);
    const size_t end = amp ? (size_t)(amp - query.p) : query.n;
    if (end > start) add_pair(&p, (span){query.p + start, end - start});
    start = end + 1;
  }
  int64_t type = 0, signals = -1, powers = -1;
  int cdn = 0;
  const char* problem = p.problem ? p.problem : check_params(&p, &type, &signals, &powers, &cdn);
  scope granted;
  const char* why = authorizations > 1 ? "sent twice" : verify_token(authorization, server->now, &granted);
  const device* d = NULL;
  const task* t = NULL;
  int code = 0;
  const char* message = "succ";
  if (why) {
    code = 1, message = "authorization failed";
  } else if (problem) {
    code = 2, message = problem;
  } else if (!(d = find_device(p.value[DEV_ID]))) {
    code = 1, message = "unknown device";
  } else if (strcmp(d->product, granted.product) != 0 ||
             (granted.device_name[0] && strcmp(d->name, granted.device_name) != 0)) {
    code = 1, message = "the token does not cover this device";
  } else if (!(t = find_task(d, type))) {
    code = 11, message = "the device has no upgrade task of this type";
  } else if (t->suspended) {
    code = 19, message = "the task is suspended";
  } else if (!span_is((span){p.value[MANUF], p.length[MANUF]}, t->manuf) ||
             !span_is((span){p.value[MODEL], p.length[MODEL]}, t->model)) {
    code = 8, message = "manuf or model differ from the task's";
  } else if (!listed(t->from_versions, p.value[VERSION], p.length[VERSION])) {
    code = 9, message = "the task does not upgrade from this version";
  } else if (t->has_thresholds && (below(signals, t->signal) || below(powers, t->power))) {
    code = 10, message = "signal or power below the task's threshold";
  }
  if (code != 0) {
    snprintf(body, capacity, "{\"errno\":%d,\"error\":\"%s\"}", code, message);
  } else {
    const char* host = cdn ? t->domain : t->ip;
    if (strcmp(host, "@self") == 0) host = cdn ? server->self_by_name : server->self_by_ip;
    snprintf(body, capacity,
             "{\"errno\":0,\"error\":\"succ\",\"data\":{\"target\":\"%s\",\"token\":\"ota_%016llx\",\"size\":%llu,"
             "\"signal\":%lld,\"power\":%lld,\"retry\":%lld,\"interval\":%lld,\"md5\":\"%s\",\"ip\":\"%s\"}}",
             t->target, ++server->issued, (unsigned long long)t->size, (long long)t->signal, (long long)t->power,
             (long long)t->retry, (long long)t->interval, t->md5, host);
  }
  free_params(&p);
}

/* ---- HTTP ------------------------------------------------------------------ */

static const char* find(span haystack, const char* needle) {
  const size_t n = strlen(needle);
  for (size_t i = 0; i + n <= haystack.n; ++i) {
    if (memcmp(haystack.p + i, needle, n) == 0) return haystack.p + i;
  }
  return NULL;
}

static int same_name(span name, const char* lower) {
  if (name.n != strlen(lower)) return 0;
  for (size_t i = 0; i < name.n; ++i) {
    const char c = name.p[i] >= 'A' && name.p[i] <= 'Z' ? (char)(name.p[i] + 32) : name.p[i];
    if (c != lower[i]) return 0;
  }
  return 1;
}

static span trim(span s) {
  while (s.n > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) ++s.p, --s.n;
  while (s.n > 0 && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t')) --s.n;
  return s;
}

static int write_answer(unsigned char* answer, size_t capacity, size_t* answer_length, int status, const char* reason,
                        const char* body) {
  const int n = snprintf((char*)answer, capacity,
                         "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", status,
                         reason, strlen(body), body);
  if (n < 0 || (size_t)n >= capacity) return 1;
  *answer_length = (size_t)n;
  return 0;
}

otaconf_server* otaconf_server_open(const otaconf_server_config* config) {
  if (!config || config->abi != OTACONF_SERVER_ABI || !config->profile || strcmp(config->profile, "strict") != 0) {
    return NULL;
  }
  otaconf_server* server = calloc(1, sizeof *server);
  if (!server) return NULL;
  server->now = config->now;
  snprintf(server->self_by_ip, sizeof server->self_by_ip, "%s", config->self_by_ip ? config->self_by_ip : "");
  snprintf(server->self_by_name, sizeof server->self_by_name, "%s", config->self_by_name ? config->self_by_name : "");
  return server;
}

int otaconf_server_handle(otaconf_server* server, const unsigned char* request, size_t length, unsigned char* answer,
                          size_t capacity, size_t* answer_length) {
  const span bytes = {(const char*)request, length};
  const char* head_end = find(bytes, "\r\n\r\n");
  if (!server || !head_end) return 1; /* not a whole request: close the connection */
  const span head = {bytes.p, (size_t)(head_end - bytes.p) + 2};
  /* Bounded work per request: a token's pairs are compared with each other. */
  if (head.n > kMaxHeadBytes) {
    return write_answer(answer, capacity, answer_length, 431, "Request Header Fields Too Large",
                        "{\"errno\":2,\"error\":\"the request line and headers are longer than 16 KiB\"}");
  }
  const char* line_end = find(head, "\r\n");
  const span line = {head.p, (size_t)(line_end - head.p)};
  const char* first = memchr(line.p, ' ', line.n);
  const char* second = first ? memchr(first + 1, ' ', (size_t)(line.p + line.n - first - 1)) : NULL;
  if (!second) return write_answer(answer, capacity, answer_length, 400, "Bad Request", "{\"error\":\"bad request\"}");
  const span method = {line.p, (size_t)(first - line.p)};
  const span target = {first + 1, (size_t)(second - first - 1)};
  span authorization = {"", 0};
  int authorizations = 0;
  for (const char* at = line_end + 2; at < head.p + head.n;) {
    const char* end = find((span){at, (size_t)(head.p + head.n - at)}, "\r\n");
    const char* colon = memchr(at, ':', (size_t)(end - at));
    if (!colon) return write_answer(answer, capacity, answer_length, 400, "Bad Request", "{\"error\":\"bad header\"}");
    if (same_name((span){at, (size_t)(colon - at)}, "authorization")) {
      authorization = trim((span){colon + 1, (size_t)(end - colon - 1)});
      ++authorizations;
    }
    at = end + 2;
  }
  const char* question = memchr(target.p, '?', target.n);
  const span path = {target.p, question ? (size_t)(question - target.p) : target.n};
  const span query = {question ? question + 1 : target.p + target.n,
                      question ? (size_t)(target.p + target.n - question - 1) : 0};
  if (!span_is(path, "/ota/check")) {
    return write_answer(answer, capacity, answer_length, 404, "Not Found", "{\"error\":\"no such endpoint\"}");
  }
  if (!span_is(method, "GET")) {
    return write_answer(answer, capacity, answer_length, 405, "Method Not Allowed",
                        "{\"errno\":2,\"error\":\"the check call is a GET\"}");
  }
  char body[1024];
  decide(server, query, authorization, authorizations, body, sizeof body);
  return write_answer(answer, capacity, answer_length, 200, "OK", body);
}

void otaconf_server_close(otaconf_server* server) { free(server); }
