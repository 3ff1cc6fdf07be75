#include "pipeline/alert_batch.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>

#include "image/cutout_codec.hpp"

namespace rivulet {

namespace {

// An alert is kept whole or not at all: it needs the fields every store row is keyed on. Otherwise it is
// refused with the reason rather than stored half-usable (and rather than failing the whole batch's
// transaction). Its cutouts are checked in CheckCutouts.
std::optional<Error> CheckFields(const Alert &alert, const std::string &packet_name) {
    auto fail = [&](std::string reason, const std::string &what) {
        return Error{std::move(reason), packet_name + ": candid " + std::to_string(alert.candid) + ": " + what};
    };
    const Candidate &c = alert.candidate;
    if (alert.objectId.empty()) return fail("missing_field", "empty objectId");
    if (!c.jd || !std::isfinite(*c.jd)) return fail("missing_field", "candidate.jd is null or not finite");
    if (!c.fid) return fail("missing_field", "candidate.fid is null");
    if (!c.ra || !c.dec || !std::isfinite(*c.ra) || !std::isfinite(*c.dec) || std::abs(*c.dec) > 90)
        return fail("missing_field", "candidate.ra/dec null or out of range");
    return std::nullopt;
}

// Since cutouts are stored as received, a stored stamp must decode.
std::optional<Error> CheckCutoutsOf(const Alert &alert, const std::string &packet_name) {
    for (CutoutKind k : kCutoutKinds) {
        const auto &cut = alert.cutout(k);
        if (!cut) continue;
        auto image = DecodeCutout(cut->stamp_data);
        if (!image)
            return Error{image.error().reason, packet_name + ": candid " + std::to_string(alert.candid) + ": " +
                                                   std::string(CutoutFieldName(k)) + ": " + image.error().message};
    }
    return std::nullopt;
}

}  // namespace

void AddPacket(AvroAlertDecoder &decoder, const RawPacket &packet, size_t packet_index, AlertBatch &batch) {
    if (packet.error) {
        ++batch.packets;
        batch.bytes += packet.bytes.size();
        batch.failures.push_back({packet_index, *packet.error});
        return;
    }
    AddPacket(decoder, packet.name, packet.bytes, packet_index, batch);
}

void AddPacket(AvroAlertDecoder &decoder, const std::string &name, std::span<const uint8_t> bytes, size_t packet_index,
               AlertBatch &batch) {
    ++batch.packets;
    batch.bytes += bytes.size();
    DecodedPacket d = decoder.Decode(bytes, name);
    for (auto &a : d.alerts) {
        ++batch.decoded;
        if (auto bad = CheckFields(a, name)) {
            ++batch.failed;
            batch.failures.push_back({packet_index, std::move(*bad)});
        } else {
            batch.alerts.push_back(std::move(a));
            batch.packet_of.push_back(packet_index);
            batch.names.push_back(name);
            batch.cutouts_checked = false;
        }
    }
    if (d.error) batch.failures.push_back({packet_index, *d.error});
}

unsigned CutoutCheckThreads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 8u); }

void CheckCutouts(AlertBatch &batch, unsigned threads) {
    if (batch.cutouts_checked) return;
    const size_t n = batch.alerts.size();
    std::vector<std::optional<Error>> verdicts(n);
    // Alerts are dealt out in blocks of 16 from a shared counter: stamps differ in cost (missing ones are
    // free), so fixed halves would leave a thread idle.
    std::atomic<size_t> next{0};
    std::exception_ptr error;  // only std::bad_alloc can escape a check
    std::mutex error_mu;
    const auto work = [&] {
        try {
            for (size_t first; (first = next.fetch_add(16)) < n;)
                for (size_t i = first; i < std::min(n, first + 16); ++i)
                    verdicts[i] = CheckCutoutsOf(batch.alerts[i], batch.names[i]);
        } catch (...) {
            std::lock_guard lock(error_mu);
            if (!error) error = std::current_exception();
            next = n;
        }
    };
    // This thread works too; more threads only where there are blocks for them.
    const size_t workers = std::min<size_t>(std::max(threads, 1u), (n + 15) / 16);
    std::vector<std::thread> pool;
    for (size_t t = 1; t < workers; ++t) pool.emplace_back(work);
    work();
    for (auto &t : pool) t.join();
    if (error) std::rethrow_exception(error);

    size_t kept = 0;
    bool refused = false;
    for (size_t i = 0; i < n; ++i) {
        if (verdicts[i]) {
            ++batch.failed;
            batch.failures.push_back({batch.packet_of[i], std::move(*verdicts[i])});
            refused = true;
            continue;
        }
        if (kept != i) {
            batch.alerts[kept] = std::move(batch.alerts[i]);
            batch.packet_of[kept] = batch.packet_of[i];
        }
        ++kept;
    }
    batch.alerts.resize(kept);
    batch.packet_of.resize(kept);
    batch.names.clear();
    if (refused)
        std::stable_sort(batch.failures.begin(), batch.failures.end(),
                         [](const AlertBatch::Failure &a, const AlertBatch::Failure &b) { return a.packet < b.packet; });
    batch.cutouts_checked = true;
}

AlertBatch DecodePackets(size_t count, const std::function<PacketView(size_t)> &packet,
                         std::vector<AvroAlertDecoder> &decoders, const std::shared_future<void> &last_worker_after) {
    // Blocks of 32 packets, handed out from a shared counter, each decoded into its own batch; the blocks
    // are joined in order afterwards, so the result does not depend on which thread took which block.
    constexpr size_t kBlock = 32;
    const size_t blocks = (count + kBlock - 1) / kBlock;
    std::vector<AlertBatch> parts(blocks);
    std::atomic<size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mu;
    const auto work = [&](AvroAlertDecoder &decoder) {
        try {
            for (size_t b; (b = next.fetch_add(1)) < blocks;) {
                for (size_t i = b * kBlock; i < std::min(count, (b + 1) * kBlock); ++i) {
                    PacketView p = packet(i);
                    AddPacket(decoder, p.name, p.bytes, i, parts[b]);
                }
                CheckCutouts(parts[b], 1);
            }
        } catch (...) {
            std::lock_guard lock(error_mu);
            if (!error) error = std::current_exception();
            next = blocks;  // the others stop at their next block
        }
    };
    const size_t threads = std::min(decoders.size(), blocks);
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) {
        if (t + 1 == threads && last_worker_after.valid()) {
            // Takes whatever blocks are left once the write is done. It gives up as soon as the others have
            // taken every block, so a write that never ends cannot hold the decode.
            pool.emplace_back([&, t] {
                while (last_worker_after.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready)
                    if (next.load() >= blocks) return;
                work(decoders[t]);
            });
        } else {
            pool.emplace_back(work, std::ref(decoders[t]));
        }
    }
    if (threads > 0) work(decoders[0]);
    for (auto &t : pool) t.join();
    if (error) std::rethrow_exception(error);

    AlertBatch out;
    for (AlertBatch &part : parts) {
        out.packets += part.packets;
        out.bytes += part.bytes;
        out.decoded += part.decoded;
        out.failed += part.failed;
        std::move(part.alerts.begin(), part.alerts.end(), std::back_inserter(out.alerts));
        out.packet_of.insert(out.packet_of.end(), part.packet_of.begin(), part.packet_of.end());
        std::move(part.failures.begin(), part.failures.end(), std::back_inserter(out.failures));
    }
    return out;
}

StoredAlerts CutAndStore(const WriteFn &write, const QualityCuts &cuts, const AlertAnnotators *annotators,
                         AlertBatch &batch, IngestLedger &ledger) {
    CheckCutouts(batch, 1);  // a no-op when the driver did it already (on more threads)
    std::vector<CutReason> verdicts = cuts.Judge(batch.alerts);
    StoredAlerts out;
    std::vector<Rejection> rejected;
    out.alerts.reserve(batch.alerts.size());
    for (size_t i = 0; i < batch.alerts.size(); ++i) {
        Alert &a = batch.alerts[i];
        if (verdicts[i] == CutReason::kPass) {
            out.alerts.push_back(std::move(a));
            out.packet_of.push_back(batch.packet_of[i]);
        } else {
            rejected.push_back(Rejection{a.candid, a.objectId, a.candidate.jd.value_or(0.0),
                                         std::string(CutReasonName(verdicts[i]))});
        }
    }
    std::map<std::string, uint64_t> not_scored;
    if (annotators && !annotators->empty()) out.annotations = annotators->Annotate(out.alerts, not_scored);
    if (!out.alerts.empty() || !rejected.empty()) out.write = write(out.alerts, rejected, out.annotations);
    for (const auto &[k, n] : not_scored) ledger.not_scored[k] += n;
    ledger.packets += batch.packets;
    ledger.bytes += batch.bytes;
    ledger.decoded += batch.decoded;
    ledger.failed += batch.failed;
    ledger.stored += out.write.stored;
    ledger.duplicates += out.write.duplicates;
    for (const auto &r : rejected) ++ledger.rejected[r.reason];
    for (auto &f : batch.failures) ledger.failures.push_back(std::move(f.error));
    return out;
}

}  // namespace rivulet
