#pragma once
// The two halves every driver (files, Kafka) shares: packets → a batch of storable alerts, and a batch →
// cut and stored, with the counts added to the ledger.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "alert/avro_alert_decoder.hpp"
#include "cuts/quality_cuts.hpp"
#include "pipeline/alert_annotators.hpp"
#include "pipeline/ingest_ledger.hpp"
#include "store/store.hpp"
#include "stream/packet_source.hpp"

namespace rivulet {

//! Alerts decoded from some packets, with what went wrong on the way.
struct AlertBatch {
    struct Failure {
        size_t packet;  //!< index the caller gave the packet
        Error error;
    };
    std::vector<Alert> alerts;
    std::vector<size_t> packet_of;  //!< alerts[i] came from packet packet_of[i]
    std::vector<Failure> failures;  //!< failed packets, and decoded alerts refused whole
    uint64_t packets = 0, bytes = 0, decoded = 0, failed = 0;
};

//! Decodes one packet into `batch`: storable alerts go to `alerts`, a packet error or an alert that cannot
//! be kept whole (corrupt cutout, no position) to `failures` with its reason.
void AddPacket(AvroAlertDecoder &decoder, const RawPacket &packet, size_t packet_index, AlertBatch &batch);

//! The accepted alerts of a batch after CutAndStore, and where each came from.
struct StoredAlerts {
    std::vector<Alert> alerts;         //!< moved out of the batch
    std::vector<size_t> packet_of;     //!< packet index of each
    std::vector<AlertAnnotations> annotations;  //!< one per alert, or empty when nothing is configured
    WriteSummary write;
};

//! How a batch is written: normally Store::Write; a driver may wrap it with retries (it is idempotent).
using WriteFn = std::function<WriteSummary(std::span<const Alert> accepted, std::span<const Rejection> rejected,
                                           std::span<const AlertAnnotations> annotations)>;

//! Applies the cuts, annotates the accepted alerts (when `annotators` is given), writes them with their
//! annotations and the rejections with `write` (one store transaction), and adds the batch's counts (and
//! failures) to `ledger`. Write errors propagate; the ledger is then unchanged.
StoredAlerts CutAndStore(const WriteFn &write, const QualityCuts &cuts, const AlertAnnotators *annotators,
                         AlertBatch &batch, IngestLedger &ledger);

}  // namespace rivulet
