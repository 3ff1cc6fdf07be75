#include "stream/kafka_config.hpp"

#include "common/error.hpp"

namespace rivulet {

std::pair<std::string, std::string> ParseKafkaProperty(const std::string &arg) {
    auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
        throw RivuletError(ErrorKind::kConfig, "Kafka property '" + arg + "': expected key=value");
    return {arg.substr(0, eq), arg.substr(eq + 1)};
}

}  // namespace rivulet
