#pragma once
// Reads a topic back as a plain consumer (its own group) and writes each message to DIR/<n>.avro, so
// that an independent reader (python3-avro) can check what Rivulet published.

#include <chrono>
#include <filesystem>
#include <string>

#include "stream/kafka_consumer.hpp"
#include "support/bad_inputs.hpp"

namespace rivulet::testing {

//! Up to `expected` messages (waiting at most ~30 s); returns how many were written.
inline size_t TopicToFiles(const std::string &brokers, const std::string &topic, size_t expected,
                           const std::filesystem::path &dir) {
    std::filesystem::create_directories(dir);
    KafkaConsumerOptions ko;
    ko.brokers = brokers;
    ko.topics = {topic};
    ko.group = "reader-" + topic;
    KafkaAlertConsumer reader(ko);
    size_t got = 0;
    for (int i = 0; i < 60 && got < expected; ++i)
        for (auto &m : reader.Poll(1000, std::chrono::milliseconds(500)))
            WriteBytes(dir / (std::to_string(got++) + ".avro"), m.payload);
    return got;
}

}  // namespace rivulet::testing
