/*
 * otaconf server handler contract: how an OTA server written in C or C++
 * plugs into otaconf's in-process fuzzer (fuzz/server_handler_fuzzer.cc,
 * docs/server-abi.md). Raw HTTP in, raw HTTP out: no sockets, so libFuzzer
 * reaches the server's own request parsing, routing and decisions.
 *
 * Build the handler into a fuzz target with the CMake helper of an installed
 * otaconf:
 *
 *   otaconf_add_server_fuzzer(NAME my_server_fuzzer HANDLER my_handler
 *                             [FIXTURE my-state.json] [PROFILE strict])
 *
 * The fuzzer opens one handler per profile it judges, sends each input as one
 * HTTP/1.1 request and judges the answer with the spec's oracle: a check
 * answer no reading of the document allows aborts (libFuzzer keeps the input).
 */
#ifndef OTACONF_SERVER_H
#define OTACONF_SERVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OTACONF_SERVER_ABI 1

typedef struct otaconf_server otaconf_server; /* the handler's own state */

typedef struct {
  int abi; /* OTACONF_SERVER_ABI */
  /* The server's state: an otaconf fixture (reference/fixtures/fixture.schema.json)
     as JSON text, not NUL-terminated. The oracle judges answers against it. */
  const char* fixture_json;
  size_t fixture_length;
  /* The directory a package's "file" is relative to (the fixture's own), or "". */
  const char* fixture_dir;
  /* "strict", "lenient" or "as-documented": the readings the fuzzer holds the
     handler to. A handler with one behaviour may ignore it. */
  const char* profile;
  /* The handler's clock, in seconds since the epoch: it must treat every
     request as made at this time, so the corpus's tokens mean the same on
     every run. */
  int64_t now;
  /* Where the fixture's "@self" download hosts point: host:port as an
     address (for a device that cannot resolve names, cdn false) and as a
     name (cdn true); use these rather than a request's Host header. */
  const char* self_by_ip;
  const char* self_by_name;
} otaconf_server_config;

/*
 * Makes a handler. Returns NULL when it does not serve `config->profile`
 * (the fuzzer then skips that profile) or cannot load the fixture. The
 * config's strings live only during the call.
 */
otaconf_server* otaconf_server_open(const otaconf_server_config* config);

/*
 * Answers one request. `request` holds `length` bytes: a request line, header
 * lines, an empty line and the body (CRLF line ends; Content-Length gives the
 * body's length when there is one). Writes the whole answer (status line,
 * headers, empty line, body framed by Content-Length or chunked) into
 * `answer` of `capacity` bytes (1 MiB) and its length to *answer_length.
 * Returns 0 when it answered; non-zero to close the connection without an
 * answer, which only bytes that are not a well-formed HTTP/1.1 request may
 * get. Must not keep pointers to `request`.
 */
int otaconf_server_handle(otaconf_server* server, const unsigned char* request, size_t length, unsigned char* answer,
                          size_t capacity, size_t* answer_length);

void otaconf_server_close(otaconf_server* server);

#ifdef __cplusplus
}
#endif

#endif /* OTACONF_SERVER_H */
