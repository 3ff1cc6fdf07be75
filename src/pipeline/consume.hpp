#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "pipeline/ingest_ledger.hpp"
#include "pipeline/pipeline_config.hpp"
#include "stream/kafka_consumer.hpp"

namespace rivulet {

class Store;

struct ConsumeOptions {
    KafkaConsumerOptions kafka;
    size_t batch_size = 500;                                  //!< messages per batch at most
    std::chrono::milliseconds batch_timeout{1000};            //!< wait for the first message of a batch
    bool exit_at_end = false;                                 //!< stop when every assigned partition is at its end
    std::string produce_topic;                                //!< annotated output stream ("" = none)
    std::string dead_letter_topic;                            //!< poison messages to this topic, or else
    std::filesystem::path dead_letter_dir;                    //!< to this folder (one of the two is required)
    int store_attempts = 6;                                   //!< tries per batch write before giving up
    std::chrono::milliseconds store_backoff{500};             //!< first wait between tries, doubled each time
    std::string rivulet_version;                              //!< written into the annotations
    const std::atomic<bool> *stop = nullptr;                  //!< set (by a signal handler) to stop after the batch
    //! Called after each batch's offsets are committed, with the batch's messages, on the thread that
    //! stores batches (not the caller's); for latency measurement.
    std::function<void(const std::vector<KafkaMessage> &)> on_commit;
};

//! Kafka → decode → cut → store → (annotated stream) → commit, in batches; one batch is stored while the
//! next is fetched and decoded.
//!
//! The delivery guarantee: a batch's offsets are committed only after its alerts are in the store, its
//! dead letters are durable and its annotated messages are acknowledged by the brokers. A crash at any
//! point therefore re-delivers at most the two uncommitted batches (the one being stored and the one
//! decoded), and the store (idempotent by candid) keeps each alert once. Store writes are retried with back-off; when they keep failing, the run ends with the
//! batch uncommitted (nothing is acknowledged unstored).
class Consume {
public:
    using Progress = std::function<void(const IngestLedger &)>;

    Consume(Store &store, PipelineConfig config, ConsumeOptions options)
        : store_(store), config_(std::move(config)), options_(std::move(options)) {}

    //! Runs until `stop`, or the end of every assigned partition with exit_at_end. Returns the ledger; the
    //! number of dead letters is ledger.failures.size(). `progress` is called after each batch's commit,
    //! on the thread that stores batches.
    IngestLedger Run(const Progress &progress = {});

private:
    Store &store_;
    PipelineConfig config_;
    ConsumeOptions options_;
};

}  // namespace rivulet
