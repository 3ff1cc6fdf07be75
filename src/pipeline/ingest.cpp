#include "pipeline/ingest.hpp"

#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "alert/avro_alert_decoder.hpp"
#include "cuts/quality_cuts.hpp"
#include "image/cutout_codec.hpp"
#include "store/store.hpp"
#include "stream/packet_source.hpp"

namespace rivulet {

namespace {

// What the decoding thread hands to the writer: a batch of alerts and the packet-level facts behind it.
struct DecodedBatch {
    std::vector<Alert> alerts;
    std::vector<Error> failures;
    uint64_t packets = 0, bytes = 0;
    uint64_t decoded = 0, failed = 0;  // failed: decoded alerts refused whole
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

// An alert is kept whole or not at all: it needs the fields every store row is keyed on, and, since
// cutouts are stored as received, stamps that decode. Otherwise it is refused with the reason rather than
// stored half-usable (and rather than failing the whole batch's transaction).
std::optional<Error> CheckStorable(const Alert &alert, const std::string &packet_name) {
    auto fail = [&](std::string reason, const std::string &what) {
        return Error{std::move(reason), packet_name + ": candid " + std::to_string(alert.candid) + ": " + what};
    };
    const Candidate &c = alert.candidate;
    if (alert.objectId.empty()) return fail("missing_field", "empty objectId");
    if (!c.jd || !std::isfinite(*c.jd)) return fail("missing_field", "candidate.jd is null or not finite");
    if (!c.fid) return fail("missing_field", "candidate.fid is null");
    if (!c.ra || !c.dec || !std::isfinite(*c.ra) || !std::isfinite(*c.dec) || std::abs(*c.dec) > 90)
        return fail("missing_field", "candidate.ra/dec null or out of range");
    for (CutoutKind k : kCutoutKinds) {
        const auto &cut = alert.cutout(k);
        if (!cut) continue;
        auto image = DecodeCutout(cut->stamp_data);
        if (!image) return fail(image.error().reason, std::string(CutoutFieldName(k)) + ": " + image.error().message);
    }
    return std::nullopt;
}

}  // namespace

IngestLedger Ingest::Run(PacketSource &source, const Progress &progress) {
    const size_t batch_size = static_cast<size_t>(config_.ingest.batch_size);
    BatchQueue queue(2);
    std::exception_ptr producer_error;

    std::thread producer([&] {
        try {
            AvroAlertDecoder decoder;
            DecodedBatch batch;
            RawPacket packet;
            while (source.Next(packet)) {
                ++batch.packets;
                batch.bytes += packet.bytes.size();
                if (packet.error) {
                    batch.failures.push_back(*packet.error);
                } else {
                    DecodedPacket d = decoder.Decode(packet.bytes, packet.name);
                    for (auto &a : d.alerts) {
                        ++batch.decoded;
                        if (auto bad = CheckStorable(a, packet.name)) {
                            ++batch.failed;
                            batch.failures.push_back(std::move(*bad));
                        } else {
                            batch.alerts.push_back(std::move(a));
                        }
                    }
                    if (d.error) batch.failures.push_back(*d.error);
                }
                if (batch.alerts.size() >= batch_size) {
                    if (!queue.Push(std::move(batch))) return;
                    batch = DecodedBatch{};
                }
            }
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
    try {
        for (;;) {
            DecodedBatch batch = queue.Pop();
            ledger.packets += batch.packets;
            ledger.bytes += batch.bytes;
            for (auto &f : batch.failures) ledger.failures.push_back(std::move(f));

            std::vector<CutReason> verdicts = cuts.Judge(batch.alerts);
            std::vector<Alert> accepted;
            std::vector<Rejection> rejected;
            accepted.reserve(batch.alerts.size());
            for (size_t i = 0; i < batch.alerts.size(); ++i) {
                Alert &a = batch.alerts[i];
                if (verdicts[i] == CutReason::kPass) {
                    accepted.push_back(std::move(a));
                } else {
                    rejected.push_back(Rejection{a.candid, a.objectId, a.candidate.jd.value_or(0.0),
                                                 std::string(CutReasonName(verdicts[i]))});
                }
            }
            if (!accepted.empty() || !rejected.empty()) {
                WriteSummary w = store_.Write(accepted, rejected);
                ledger.stored += w.stored;
                ledger.duplicates += w.duplicates;
            }
            ledger.decoded += batch.decoded;
            ledger.failed += batch.failed;
            for (const auto &r : rejected) ++ledger.rejected[r.reason];
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
