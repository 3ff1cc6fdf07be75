#include "stream/kafka_consumer.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "common/error.hpp"

namespace rivulet {

std::string KafkaMessage::Name() const { return topic + "[" + std::to_string(partition) + "]@" + std::to_string(offset); }

namespace {

using PartitionKey = std::pair<std::string, int32_t>;

void Set(RdKafka::Conf &conf, const std::string &key, const std::string &value) {
    std::string err;
    if (conf.set(key, value, err) != RdKafka::Conf::CONF_OK)
        throw RivuletError(ErrorKind::kConfig, "Kafka property " + key + "=" + value + ": " + err);
}

}  // namespace

// Keeps the set of assigned partitions. Uses the classic (eager)
// protocol unless the user asked for cooperative-sticky, and handles both.
class KafkaAlertConsumer::Rebalance final : public RdKafka::RebalanceCb {
public:
    void rebalance_cb(RdKafka::KafkaConsumer *consumer, RdKafka::ErrorCode err,
                      std::vector<RdKafka::TopicPartition *> &partitions) override {
        const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
        if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
            if (cooperative) consumer->incremental_assign(partitions);
            else consumer->assign(partitions);
            if (!cooperative) assigned.clear();
            for (auto *tp : partitions) assigned.insert({tp->topic(), tp->partition()});
        } else {
            if (cooperative) consumer->incremental_unassign(partitions);
            else consumer->unassign();
            for (auto *tp : partitions) assigned.erase({tp->topic(), tp->partition()});
            if (!cooperative) assigned.clear();
        }
    }
    std::set<PartitionKey> assigned;
};

KafkaAlertConsumer::KafkaAlertConsumer(const KafkaConsumerOptions &options) : rebalance_(std::make_unique<Rebalance>()) {
    if (options.topics.empty()) throw RivuletError(ErrorKind::kConfig, "Kafka consumer: no topic given");
    if (options.group.empty()) throw RivuletError(ErrorKind::kConfig, "Kafka consumer: no consumer group given");
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    Set(*conf, "bootstrap.servers", options.brokers);
    Set(*conf, "group.id", options.group);
    // Offsets are committed by us, after the batch is stored (see Commit).
    Set(*conf, "enable.auto.commit", "false");
    Set(*conf, "enable.auto.offset.store", "false");
    Set(*conf, "auto.offset.reset", "earliest");
    Set(*conf, "enable.partition.eof", "true");
    // ZTF packets are ~50-100 kB. Responses of up to 16 MB (2 MB a partition) keep a batch to a few round
    // trips; larger ones cost more than they save: each is a fresh buffer the kernel must fault in, and
    // bench/stream measured fetch + commit at 0.17-0.26 CPU ms per alert with 16 MB responses against
    // 0.25-0.33 with 64 MB ones. (A message larger than the limit is still fetched, alone.)
    Set(*conf, "fetch.max.bytes", std::to_string(16 << 20));
    Set(*conf, "max.partition.fetch.bytes", std::to_string(2 << 20));
    // The prefetch queue must hold more than a second of alerts: librdkafka before 2.2 (Debian 12 has 2.0.2)
    // stops fetching a partition for a whole second (rd_kafka_max_block_ms; `fetch.queue.backoff.ms` came
    // in 2.2) once the queue reaches this size. At the default 64 MB (~1,100 ZTF packets) the consumer ran
    // dry every ~3 batches for 100+ ms; at 256 MB (~2 s of a 2,000 alert/s stream) bench/stream went from
    // 1,556-1,620 to 1,817-1,880 alerts/s (3 pairs of runs, same session). Memory: up to 256 MB of packets.
    Set(*conf, "queued.max.messages.kbytes", std::to_string(256 << 10));
    for (const auto &[k, v] : options.properties) Set(*conf, k, v);
    std::string err;
    if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb *>(rebalance_.get()), err) != RdKafka::Conf::CONF_OK)
        throw RivuletError(ErrorKind::kConfig, "Kafka consumer: " + err);
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!consumer_) throw RivuletError(ErrorKind::kIo, "Kafka consumer for " + options.brokers + ": " + err);
    if (auto e = consumer_->subscribe(options.topics); e != RdKafka::ERR_NO_ERROR)
        throw RivuletError(ErrorKind::kIo, "Kafka subscribe: " + RdKafka::err2str(e));
}

KafkaAlertConsumer::~KafkaAlertConsumer() { Close(); }

void KafkaAlertConsumer::Close() {
    if (closed_ || !consumer_) return;
    closed_ = true;
    consumer_->close();
}

std::vector<KafkaMessage> KafkaAlertConsumer::Poll(size_t max_messages, std::chrono::milliseconds timeout) {
    std::vector<KafkaMessage> out;
    int wait_ms = static_cast<int>(timeout.count());
    while (out.size() < max_messages) {
        std::shared_ptr<RdKafka::Message> m(consumer_->consume(wait_ms));
        switch (m->err()) {
            case RdKafka::ERR_NO_ERROR: {
                KafkaMessage km;
                km.topic = m->topic_name();
                km.partition = m->partition();
                km.offset = m->offset();
                km.timestamp_ms = m->timestamp().type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE
                                      ? -1
                                      : m->timestamp().timestamp;
                km.payload = std::span(static_cast<const uint8_t *>(m->payload()), m->len());
                km.owner = m;
                out.push_back(std::move(km));
                wait_ms = 0;  // take what is already fetched, then hand the batch over
                continue;
            }
            case RdKafka::ERR__PARTITION_EOF:
                wait_ms = 0;
                continue;
            case RdKafka::ERR__TIMED_OUT:
                return out;
            default:
                if (m->err() == RdKafka::ERR__FATAL) {
                    std::string reason;
                    consumer_->fatal_error(reason);
                    throw RivuletError(ErrorKind::kIo, "Kafka consumer fatal error: " + reason);
                }
                // Broker down, unknown topic while it is being created, etc.: librdkafka retries.
                std::fprintf(stderr, "rivulet: kafka: %s (retrying)\n", m->errstr().c_str());
                return out;
        }
    }
    return out;
}

void KafkaAlertConsumer::Commit(const std::vector<KafkaMessage> &messages) {
    std::map<PartitionKey, int64_t> next;
    for (const auto &m : messages) {
        auto &o = next[{m.topic, m.partition}];
        o = std::max(o, m.offset + 1);
    }
    if (next.empty()) return;
    std::vector<RdKafka::TopicPartition *> offsets;
    for (const auto &[key, offset] : next) offsets.push_back(RdKafka::TopicPartition::create(key.first, key.second, offset));
    RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
    auto backoff = std::chrono::milliseconds(100);
    for (int attempt = 0; attempt < 8; ++attempt) {
        err = consumer_->commitSync(offsets);
        if (err == RdKafka::ERR_NO_ERROR) break;
        // A rebalance took the partition away: the new owner will re-deliver from the last commit and
        // the store absorbs the duplicates, so this batch is safe either way.
        if (err == RdKafka::ERR_REBALANCE_IN_PROGRESS || err == RdKafka::ERR_ILLEGAL_GENERATION ||
            err == RdKafka::ERR_UNKNOWN_MEMBER_ID)
            break;
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
    for (auto *tp : offsets) delete tp;
    if (err != RdKafka::ERR_NO_ERROR && err != RdKafka::ERR_REBALANCE_IN_PROGRESS &&
        err != RdKafka::ERR_ILLEGAL_GENERATION && err != RdKafka::ERR_UNKNOWN_MEMBER_ID)
        throw RivuletError(ErrorKind::kIo, "Kafka offset commit failed: " + RdKafka::err2str(err));
}

bool KafkaAlertConsumer::AllAssignedAtEnd() {
    if (rebalance_->assigned.empty()) return false;
    // End-of-partition events alone are not enough: they can predate a rebalance. Compare each assigned
    // partition's position (or, before the first fetch, its committed offset) with its high watermark.
    std::vector<RdKafka::TopicPartition *> parts;
    for (const auto &[topic, partition] : rebalance_->assigned)
        parts.push_back(RdKafka::TopicPartition::create(topic, partition));
    bool at_end = consumer_->position(parts) == RdKafka::ERR_NO_ERROR;
    std::vector<RdKafka::TopicPartition *> unknown;
    for (auto *tp : parts)
        if (tp->offset() < 0) unknown.push_back(tp);
    if (at_end && !unknown.empty()) at_end = consumer_->committed(unknown, 5000) == RdKafka::ERR_NO_ERROR;
    for (auto *tp : parts) {
        if (!at_end) break;
        // The watermarks cached from fetch responses are current for a partition being fetched; ask the
        // broker only for the others (a round trip per partition).
        int64_t low = -1, high = -1;
        if (consumer_->get_watermark_offsets(tp->topic(), tp->partition(), &low, &high) != RdKafka::ERR_NO_ERROR ||
            low < 0 || high < 0) {
            if (consumer_->query_watermark_offsets(tp->topic(), tp->partition(), &low, &high, 5000) !=
                RdKafka::ERR_NO_ERROR) {
                at_end = false;
                break;
            }
        }
        int64_t offset = tp->offset();
        // No position and no commit: the group starts at the earliest offset, so only an empty partition is done.
        if (offset < 0) offset = low;
        at_end = offset >= high;
    }
    for (auto *tp : parts) delete tp;
    return at_end;
}

size_t KafkaAlertConsumer::AssignedPartitions() const { return rebalance_->assigned.size(); }

}  // namespace rivulet
