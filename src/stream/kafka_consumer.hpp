#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "stream/kafka_config.hpp"

namespace RdKafka {
class KafkaConsumer;
class RebalanceCb;
}  // namespace RdKafka

namespace rivulet {

//! One Kafka message: for ZTF, one alert packet (an Avro object container file).
struct KafkaMessage {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
    int64_t timestamp_ms = -1;  //!< the message's timestamp (producer's create time by default), -1 if none
    //! The message's bytes, in librdkafka's fetch buffer (not copied: at 60 kB an alert, the copy was ~8%
    //! of the consume path's CPU). Valid as long as this KafkaMessage or a copy of it lives.
    std::span<const uint8_t> payload;
    std::shared_ptr<const void> owner;  //!< keeps librdkafka's message, and so `payload`, alive

    //! "topic[partition]@offset", for error messages and dead letters.
    std::string Name() const;
};

struct KafkaConsumerOptions {
    std::string brokers;
    std::vector<std::string> topics;  //!< exact names and/or librdkafka regex patterns starting with '^'
    std::string group;
    KafkaProperties properties;       //!< extra librdkafka properties, applied last
};

//! A member of a Kafka consumer group that hands out batches and commits offsets only when told to.
//!
//! Auto-commit is off: the caller commits a batch's offsets after the batch is durably stored, which with
//! a store idempotent by candid gives at-least-once delivery with no loss and no duplicates stored.
//! Partitions start at the earliest offset when the group has no committed offset.
//! @locality one thread: the thread that calls Poll also receives rebalances (inside Poll).
class KafkaAlertConsumer {
public:
    //! Subscribes. Throws RivuletError(kConfig) for bad properties, kIo when the client cannot be created.
    explicit KafkaAlertConsumer(const KafkaConsumerOptions &options);
    ~KafkaAlertConsumer();
    KafkaAlertConsumer(const KafkaAlertConsumer &) = delete;
    KafkaAlertConsumer &operator=(const KafkaAlertConsumer &) = delete;

    //! Up to `max_messages` messages, waiting at most `timeout` for the first and then taking only what
    //! is already fetched. Transient errors (broker down, rebalancing) are logged and retried by
    //! librdkafka; fatal errors throw RivuletError(kIo).
    std::vector<KafkaMessage> Poll(size_t max_messages, std::chrono::milliseconds timeout);

    //! Synchronously commits, per partition, the offset after the last of `messages`. Retries retriable
    //! commit errors with back-off; throws RivuletError(kIo) when the commit cannot be made (the
    //! messages will then be delivered again, which the idempotent store absorbs).
    void Commit(const std::vector<KafkaMessage> &messages);

    //! True when partitions are assigned and this member has consumed every one of them to its current
    //! end (for --exit-at-end). Asks the brokers for the high watermarks: call it when a Poll came back empty.
    bool AllAssignedAtEnd();

    //! Closes the group membership cleanly (leaves the group so partitions move at once).
    void Close();

    //! Number of partitions currently assigned to this member.
    size_t AssignedPartitions() const;

    class Rebalance;  // internal: tracks the assignment

private:
    std::unique_ptr<Rebalance> rebalance_;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
    bool closed_ = false;
};

}  // namespace rivulet
