/*
 * A parser that "works" but leaves a sanitizer's report on stderr and exits
 * normally, as UBSan does by default: the library adapter must call that a
 * crash (FAIL), whatever exit status the sanitizer chose.
 */
#include <stdio.h>
#include <string.h>

#include "otaconf_adapter.h"

int otaconf_adapter_parse(const unsigned char* body, size_t length, const char* profile, otaconf_result* out) {
  (void)body;
  (void)length;
  (void)profile;
  memset(out, 0, sizeof *out);
  fprintf(stderr, "parser.c:12:5: runtime error: signed integer overflow: 2147483647 + 1 cannot be represented\n");
  out->accepted = 1;
  out->errno_value = 8;
  snprintf(out->error, sizeof out->error, "%s", "mismatch");
  out->action = OTACONF_ACTION_NO_UPDATE;
  return 0;
}
