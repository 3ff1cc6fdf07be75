#include "pipeline/alert_batch.hpp"

#include <cmath>

#include "image/cutout_codec.hpp"

namespace rivulet {

namespace {

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

void AddPacket(AvroAlertDecoder &decoder, const RawPacket &packet, size_t packet_index, AlertBatch &batch) {
    ++batch.packets;
    batch.bytes += packet.bytes.size();
    if (packet.error) {
        batch.failures.push_back({packet_index, *packet.error});
        return;
    }
    DecodedPacket d = decoder.Decode(packet.bytes, packet.name);
    for (auto &a : d.alerts) {
        ++batch.decoded;
        if (auto bad = CheckStorable(a, packet.name)) {
            ++batch.failed;
            batch.failures.push_back({packet_index, std::move(*bad)});
        } else {
            batch.alerts.push_back(std::move(a));
            batch.packet_of.push_back(packet_index);
        }
    }
    if (d.error) batch.failures.push_back({packet_index, *d.error});
}

StoredAlerts CutAndStore(const WriteFn &write, const QualityCuts &cuts, const AlertAnnotators *annotators,
                         AlertBatch &batch, IngestLedger &ledger) {
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
