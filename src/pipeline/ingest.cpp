#include "pipeline/ingest.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "pipeline/alert_batch.hpp"

namespace rivulet {

namespace {

// What the decoding thread hands to the writer.
struct DecodedBatch {
    AlertBatch batch;
    bool last = false;
};

// A bounded queue of batches: the decoder runs at most `capacity` batches ahead of the writer.
class BatchQueue {
public:
    explicit BatchQueue(size_t capacity) : capacity_(capacity) {}
    bool Push(DecodedBatch b) {
        std::unique_lock lock(mu_);
        not_full_.wait(lock, [&] { return q_.size() < capacity_ || closed_; });
        if (closed_) return false;
        q_.push_back(std::move(b));
        not_empty_.notify_one();
        return true;
    }
    DecodedBatch Pop() {
        std::unique_lock lock(mu_);
        not_empty_.wait(lock, [&] { return !q_.empty(); });
        DecodedBatch b = std::move(q_.front());
        q_.pop_front();
        not_full_.notify_one();
        return b;
    }
    void Close() {  // the consumer gives up: unblock the producer
        std::lock_guard lock(mu_);
        closed_ = true;
        not_full_.notify_all();
    }

private:
    std::mutex mu_;
    std::condition_variable not_full_, not_empty_;
    std::deque<DecodedBatch> q_;
    size_t capacity_;
    bool closed_ = false;
};

}  // namespace

IngestLedger Ingest::Run(PacketSource &source, const Progress &progress) {
    const size_t batch_size = static_cast<size_t>(config_.ingest.batch_size);
    const AlertAnnotators annotators(config_);  // a bad catalog or model fails here, before any alert
    BatchQueue queue(2);
    std::exception_ptr producer_error;

    std::thread producer([&] {
        try {
            AvroAlertDecoder decoder;
            const unsigned cutout_threads = CutoutCheckThreads();
            DecodedBatch batch;
            RawPacket packet;
            size_t index = 0;
            while (source.Next(packet)) {
                AddPacket(decoder, packet, index++, batch.batch);
                if (batch.batch.alerts.size() >= batch_size) {
                    CheckCutouts(batch.batch, cutout_threads);
                    if (!queue.Push(std::move(batch))) return;
                    batch = DecodedBatch{};
                }
            }
            CheckCutouts(batch.batch, cutout_threads);
            batch.last = true;
            queue.Push(std::move(batch));
        } catch (...) {
            producer_error = std::current_exception();
            DecodedBatch last;
            last.last = true;
            queue.Push(std::move(last));
        }
    });

    IngestLedger ledger;
    QualityCuts cuts(config_.cuts);
    const WriteFn write = [this](std::span<const Alert> a, std::span<const Rejection> r,
                                 std::span<const AlertAnnotations> n) { return store_.Write(a, r, n); };
    try {
        for (;;) {
            DecodedBatch batch = queue.Pop();
            CutAndStore(write, cuts, &annotators, batch.batch, ledger);
            if (progress) progress(ledger);
            if (batch.last) break;
        }
    } catch (...) {
        queue.Close();
        producer.join();
        throw;
    }
    producer.join();
    if (producer_error) std::rethrow_exception(producer_error);
    return ledger;
}

}  // namespace rivulet
