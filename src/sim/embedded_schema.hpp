#pragma once
// The ZTF alert schema the simulator writes, compiled into the binary so that `rivulet simulate` needs no
// schema files at run time. Generated at build time from schema/ztf-avro-alert/4.02/alert.resolved.avsc
// (see CMakeLists.txt and schema/ztf-avro-alert/resolve_schema.py).

#include <string_view>

namespace rivulet {

//! Schema version of the packets the simulator writes (the packets' `schemavsn`).
inline constexpr std::string_view kSimSchemaVersion = "4.02";

//! The full ZTF v4.02 alert schema as one JSON document, named types inlined at first use, docs and the
//! `version` attribute kept: the text ZTF embeds in its own packets.
std::string_view ZtfAlertSchemaJson();

}  // namespace rivulet
