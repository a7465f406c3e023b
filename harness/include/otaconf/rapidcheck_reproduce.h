// RapidCheck's reproduce strings ("--reproduce"): the two functions that turn
// a failure's Reproduce into RC_PARAMS's "reproduce=" text and back are in
// librapidcheck but not in its installed headers; declared here, once.
#pragma once

#include <rapidcheck.h>

#include <string>
#include <unordered_map>

namespace rc::detail {
std::string reproduceMapToString(const std::unordered_map<std::string, Reproduce>& reproduceMap);
std::unordered_map<std::string, Reproduce> stringToReproduceMap(const std::string& str);
}  // namespace rc::detail
