#pragma once

#include <chrono>
#include <functional>

#include "pipeline/ingest_ledger.hpp"
#include "pipeline/pipeline_config.hpp"

namespace rivulet {

class PacketSource;
class Store;

//! decode → cut → store, in batches of `config.ingest.batch_size` alerts, one store transaction each.
//! Packets are decoded on a second thread while the previous batch is cut and written, since decoding
//! and SQLite writes are each about half the work on a 2-core machine.
class Ingest {
public:
    using Progress = std::function<void(const IngestLedger &)>;

    Ingest(Store &store, PipelineConfig config) : store_(store), config_(std::move(config)) {}

    //! Reads `source` to its end. `progress` (optional) is called after each batch on the calling thread.
    //! Store errors (exceptions) end the run; everything committed before them stays committed.
    IngestLedger Run(PacketSource &source, const Progress &progress = {});

private:
    Store &store_;
    PipelineConfig config_;
};

}  // namespace rivulet
