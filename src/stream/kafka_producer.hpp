#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "stream/kafka_config.hpp"

namespace RdKafka {
class Producer;
class DeliveryReportCb;
}  // namespace RdKafka

namespace rivulet {

//! Publishes byte payloads to Kafka topics with delivery tracking: Flush() returns only when every
//! message produced so far is acknowledged by the brokers, and throws if any delivery failed — so a
//! caller that flushes before committing its input offsets never acknowledges an unpublished message.
//! @locality one thread.
class KafkaProducer {
public:
    KafkaProducer(const std::string &brokers, const KafkaProperties &properties);
    ~KafkaProducer();
    KafkaProducer(const KafkaProducer &) = delete;
    KafkaProducer &operator=(const KafkaProducer &) = delete;

    //! Queues one message (waits while librdkafka's queue is full). `key` may be empty.
    void Produce(const std::string &topic, std::span<const uint8_t> payload, const std::string &key = "");
    //! The same, with message headers (name, value).
    void Produce(const std::string &topic, std::span<const uint8_t> payload, const std::string &key,
                 const std::vector<std::pair<std::string, std::string>> &headers);

    //! Waits for every queued message to be delivered (or fail) within `timeout`; throws RivuletError(kIo)
    //! naming the topic and the reason when any message was not delivered.
    void Flush(std::chrono::milliseconds timeout = std::chrono::seconds(60));

    uint64_t delivered() const;

    class Delivery;  // internal: counts delivery reports

private:
    std::unique_ptr<Delivery> delivery_;
    std::unique_ptr<RdKafka::Producer> producer_;
};

}  // namespace rivulet
