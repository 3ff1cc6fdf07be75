#pragma once
// Encodes Alert structs as ZTF alert packets: one Avro object container file per alert, codec "null",
// the writer schema embedded verbatim, exactly as ZTF distributes them. The inverse of AvroAlertDecoder.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "alert/alert.hpp"

namespace rivulet {

//! Writes alerts with libavro's file writer. Fields are matched by name between the schema and the alert
//! model's field tables, so any ZTF schema version whose fields the model knows can be written.
//! A nullopt optional becomes null; a nullopt in a field the schema declares non-nullable is a
//! programming error and throws RivuletError(kInternal) naming the field.
//! Does not write several alerts into one container (ZTF never does).
//! @locality one writer per thread: it is not thread-safe.
class AvroAlertWriter {
public:
    //! Parses `schema_json` once (a record with ZTF's top-level fields). Throws RivuletError(kInvalidInput)
    //! when the schema does not parse.
    explicit AvroAlertWriter(std::string_view schema_json);
    ~AvroAlertWriter();
    AvroAlertWriter(const AvroAlertWriter &) = delete;
    AvroAlertWriter &operator=(const AvroAlertWriter &) = delete;

    //! One complete .avro file in memory. `sync_seed` fixes the container's 16-byte sync marker (libavro
    //! draws it from the clock), so the same alert and seed give byte-identical files.
    std::vector<uint8_t> Encode(const Alert &alert, uint64_t sync_seed);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace rivulet
