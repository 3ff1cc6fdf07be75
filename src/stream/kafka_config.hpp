#pragma once

#include <string>
#include <utility>
#include <vector>

namespace rivulet {

//! librdkafka properties as `key=value` pairs, passed through unchanged (as kcat's -X does).
using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

//! Parses "key=value"; throws RivuletError(kConfig) naming the argument when there is no '='.
std::pair<std::string, std::string> ParseKafkaProperty(const std::string &arg);

}  // namespace rivulet
