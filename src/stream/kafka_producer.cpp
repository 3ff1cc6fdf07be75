#include "stream/kafka_producer.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "common/error.hpp"

namespace rivulet {

// Delivery reports arrive on the thread that calls poll()/flush(), i.e. ours.
class KafkaProducer::Delivery final : public RdKafka::DeliveryReportCb {
public:
    void dr_cb(RdKafka::Message &m) override {
        if (m.err() == RdKafka::ERR_NO_ERROR) {
            ++delivered;
        } else {
            ++failed;
            if (first_error.empty()) first_error = m.topic_name() + ": " + m.errstr();
        }
    }
    uint64_t delivered = 0, failed = 0;
    std::string first_error;
};

KafkaProducer::KafkaProducer(const std::string &brokers, const KafkaProperties &properties)
    : delivery_(std::make_unique<Delivery>()) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string err;
    auto set = [&](const std::string &k, const std::string &v) {
        if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
            throw RivuletError(ErrorKind::kConfig, "Kafka property " + k + "=" + v + ": " + err);
    };
    set("bootstrap.servers", brokers);
    // Idempotent producer: retries never duplicate or reorder a message within a partition.
    set("enable.idempotence", "true");
    set("message.max.bytes", std::to_string(16 << 20));
    set("linger.ms", "5");
    for (const auto &[k, v] : properties) set(k, v);
    if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb *>(delivery_.get()), err) != RdKafka::Conf::CONF_OK)
        throw RivuletError(ErrorKind::kConfig, "Kafka producer: " + err);
    producer_.reset(RdKafka::Producer::create(conf.get(), err));
    if (!producer_) throw RivuletError(ErrorKind::kIo, "Kafka producer for " + brokers + ": " + err);
}

KafkaProducer::~KafkaProducer() {
    if (producer_) producer_->flush(5000);
}

void KafkaProducer::Produce(const std::string &topic, std::span<const uint8_t> payload, const std::string &key) {
    Produce(topic, payload, key, {});
}

void KafkaProducer::Produce(const std::string &topic, std::span<const uint8_t> payload, const std::string &key,
                            const std::vector<std::pair<std::string, std::string>> &headers) {
    for (;;) {
        // librdkafka takes ownership of the headers only when produce succeeds.
        RdKafka::Headers *h = nullptr;
        if (!headers.empty()) {
            h = RdKafka::Headers::create();
            for (const auto &[name, value] : headers) h->add(name, value);
        }
        auto err = producer_->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                      const_cast<uint8_t *>(payload.data()), payload.size(),
                                      key.empty() ? nullptr : key.data(), key.size(), 0, h, nullptr);
        if (err == RdKafka::ERR_NO_ERROR) break;
        delete h;
        if (err != RdKafka::ERR__QUEUE_FULL)
            throw RivuletError(ErrorKind::kIo, "Kafka produce to " + topic + ": " + RdKafka::err2str(err));
        producer_->poll(100);  // queue full: serve delivery reports, then try again
    }
    producer_->poll(0);
}

void KafkaProducer::Flush(std::chrono::milliseconds timeout) {
    auto err = producer_->flush(static_cast<int>(timeout.count()));
    if (err != RdKafka::ERR_NO_ERROR)
        throw RivuletError(ErrorKind::kIo, "Kafka flush: " + RdKafka::err2str(err) + " (" +
                                               std::to_string(producer_->outq_len()) + " messages undelivered)");
    if (delivery_->failed > 0) {
        std::string what = delivery_->first_error;
        uint64_t n = delivery_->failed;
        delivery_->failed = 0;
        delivery_->first_error.clear();
        throw RivuletError(ErrorKind::kIo, "Kafka delivery failed for " + std::to_string(n) + " message(s): " + what);
    }
}

uint64_t KafkaProducer::delivered() const { return delivery_->delivered; }

}  // namespace rivulet
