// The server fuzzers' input: one HTTP request as text, so corpora stay
// readable and the dictionary's tokens land where they mean something.
//
//   <target>\n            /ota/check?dev_id=6523&... (a target not starting
//                         with '/' is a query string for /ota/check)
//   <Name>: <value>\n     any number of header lines
//   \n
//   <body>                the rest, bytes as they are
#pragma once

#include <string>
#include <string_view>

#include "otaconf/http.h"

namespace otaconf::fuzz {

http::Request decode_request(std::string_view input);
std::string encode_request(const http::Request& request);

}  // namespace otaconf::fuzz
