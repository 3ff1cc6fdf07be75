#pragma once
// A real Kafka-protocol cluster in the test process: librdkafka's mock cluster (rdkafka_mock.h), with
// brokers listening on loopback, so both in-process clients and child processes can use it.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace rivulet::testing {

class KafkaMockCluster {
public:
    explicit KafkaMockCluster(int brokers = 3) {
        char err[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_conf_set(conf, "client.id", "rivulet-test-mock", err, sizeof err);
        rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
        rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
        if (!rk_) throw std::runtime_error(std::string("mock cluster handle: ") + err);
        mock_ = rd_kafka_mock_cluster_new(rk_, brokers);
        if (!mock_) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
        bootstraps_ = rd_kafka_mock_cluster_bootstraps(mock_);
    }
    ~KafkaMockCluster() {
        rd_kafka_mock_cluster_destroy(mock_);
        rd_kafka_destroy(rk_);
    }
    KafkaMockCluster(const KafkaMockCluster &) = delete;
    KafkaMockCluster &operator=(const KafkaMockCluster &) = delete;

    const std::string &bootstraps() const { return bootstraps_; }

    void CreateTopic(const std::string &topic, int partitions, int replication = 3) {
        if (rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, replication) != RD_KAFKA_RESP_ERR_NO_ERROR)
            throw std::runtime_error("cannot create mock topic " + topic);
    }

    //! Takes a broker down (connections refused) or back up, to test outages.
    void SetBrokerDown(int32_t broker_id, bool down) {
        if (down) rd_kafka_mock_broker_set_down(mock_, broker_id);
        else rd_kafka_mock_broker_set_up(mock_, broker_id);
    }

private:
    rd_kafka_t *rk_ = nullptr;
    rd_kafka_mock_cluster_t *mock_ = nullptr;
    std::string bootstraps_;
};

}  // namespace rivulet::testing
