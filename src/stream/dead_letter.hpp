#pragma once
// Where poison messages go: packets that are not Avro, truncated, of an unknown schema, or whose alerts
// cannot be kept. Each is written with the reason, so nothing is silently dropped and the stream goes on.

#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "common/result.hpp"

namespace rivulet {

class KafkaProducer;

struct DeadLetter {
    std::string source;                //!< file, archive member or "topic[partition]@offset"
    std::span<const uint8_t> payload;  //!< the packet as received
    Error error;
};

class DeadLetterSink {
public:
    virtual ~DeadLetterSink() = default;
    virtual void Put(const DeadLetter &letter) = 0;
    //! Makes every letter put so far durable (written and synced, or acknowledged by the brokers).
    virtual void Flush() = 0;
    virtual uint64_t count() const = 0;
};

//! `<dir>/<source>.avro` (the payload) and `<source>.reason.json`; fsynced on Flush.
std::unique_ptr<DeadLetterSink> OpenDeadLetterFolder(const std::filesystem::path &dir);

//! The payload to `topic`, key = source, headers `rivulet.reason` and `rivulet.error`.
std::unique_ptr<DeadLetterSink> OpenDeadLetterTopic(KafkaProducer &producer, const std::string &topic);

}  // namespace rivulet
