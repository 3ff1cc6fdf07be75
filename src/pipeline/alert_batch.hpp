#pragma once
// The two halves every driver (files, Kafka) shares: packets → a batch of storable alerts, and a batch →
// cut and stored, with the counts added to the ledger.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <span>
#include <string>
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
    std::vector<std::string> names; //!< packet name of each alert, until its cutouts are checked (for errors)
    std::vector<Failure> failures;  //!< failed packets, and decoded alerts refused whole
    uint64_t packets = 0, bytes = 0, decoded = 0, failed = 0;
    bool cutouts_checked = true;    //!< false while `alerts` holds alerts whose cutouts are not yet decoded
};

//! Decodes one packet into `batch`: alerts go to `alerts`, a packet error or an alert that cannot be kept
//! whole (no position, null jd) to `failures` with its reason. Cutouts are checked later, for the whole
//! batch at once (CheckCutouts).
void AddPacket(AvroAlertDecoder &decoder, const RawPacket &packet, size_t packet_index, AlertBatch &batch);
//! The same for a packet that is only bytes and a name (a Kafka message, not copied).
void AddPacket(AvroAlertDecoder &decoder, const std::string &name, std::span<const uint8_t> bytes, size_t packet_index,
               AlertBatch &batch);

//! Decodes every cutout of the batch's alerts (gzip + FITS, the costliest step of ingest: ~50 µs per
//! stamp) on up to `threads` threads and moves each alert with a stamp that does not decode to `failures`
//! (refused whole: stamps are stored as received, so a stored one must be usable). Order is kept; failures
//! end up sorted by packet. CutAndStore does it on one thread if the driver has not.
void CheckCutouts(AlertBatch &batch, unsigned threads);

//! Threads for CheckCutouts and DecodePackets: the machine's cores, at most 8.
unsigned CutoutCheckThreads();

//! A packet to decode: its name (for errors) and bytes.
struct PacketView {
    std::string name;
    std::span<const uint8_t> bytes;
};

//! Decodes `count` packets on up to `decoders.size()` threads (one decoder each) and checks their cutouts:
//! the same batch as AddPacket on every packet in order followed by CheckCutouts, with packet indices
//! 0..count-1. `packet(i)` is called from the worker threads.
//!
//! `last_worker_after`, when valid, holds back the last worker until it is ready: a driver that stores the
//! previous batch meanwhile passes that write, so that decode and write together keep every core busy once
//! (the writer is the pipeline's critical path; a third thread on two cores would slow it by a third).
//! Only its readiness is awaited (its result or exception stays for the caller's get()), and only while
//! blocks remain: the call returns once every packet is decoded, ready or not.
AlertBatch DecodePackets(size_t count, const std::function<PacketView(size_t)> &packet,
                         std::vector<AvroAlertDecoder> &decoders,
                         const std::shared_future<void> &last_worker_after = {});

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
