/* In-process adapters (otaconf_adapter.h) that misbehave, for hostile.py:
 * one source, built once per HOSTILE_* mode (cli/CMakeLists.txt).
 *   HOSTILE_CONSTRUCTOR_CRASH  the library's constructor dereferences null
 *   HOSTILE_CONSTRUCTOR_LOOP   the library's constructor never returns
 *   HOSTILE_MEMORY_HOG         each parse allocates (and touches) without end
 *   HOSTILE_NOT_UTF8           each parse fills its strings with bytes that are not UTF-8
 *   HOSTILE_STDOUT_FLOOD       each parse writes 64 MiB to stdout and stderr, then answers */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "otaconf_adapter.h"

#if defined(HOSTILE_CONSTRUCTOR_CRASH)
__attribute__((constructor)) static void crash(void) {
  volatile int* nowhere = 0;
  *nowhere = 1;
}
#elif defined(HOSTILE_CONSTRUCTOR_LOOP)
__attribute__((constructor)) static void loop(void) {
  for (;;) pause();
}
#endif

int otaconf_adapter_parse(const unsigned char* body, size_t size, const char* profile, otaconf_result* out) {
  (void)body;
  (void)size;
  (void)profile;
#if defined(HOSTILE_MEMORY_HOG)
  for (;;) {
    char* block = malloc(16 << 20);
    if (block) memset(block, 1, 16 << 20);
  }
#elif defined(HOSTILE_STDOUT_FLOOD)
  static char block[65536];
  memset(block, 'x', sizeof block);
  for (int i = 0; i < 1024; ++i) {
    if (write(1, block, sizeof block) < 0 || write(2, block, sizeof block) < 0) break;
  }
#endif
  out->accepted = 1;
  out->errno_value = 11;
  out->action = OTACONF_ACTION_NO_UPDATE;
#if defined(HOSTILE_NOT_UTF8)
  memset(out->error, '\xff', sizeof out->error - 1);
  out->has_data = 1;
  memcpy(out->target, "\xb2\xe2\xca\xd4", 4);
  memset(out->md5, '\xc0', sizeof out->md5 - 1);
#else
  strcpy(out->error, "no task");
#endif
  return 0;
}
