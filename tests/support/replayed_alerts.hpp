#pragma once
// Real ZTF alerts replayed under distinct candids: each real alert of ../shared that can be written in
// schema 4.02 (older packets lack fields 4.02 requires), re-encoded with a new candid, round-robin until
// `n` packets exist. For tests and benchmarks that need many distinct alerts from real data.

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "alert/avro_alert_decoder.hpp"
#include "sim/avro_alert_writer.hpp"
#include "sim/embedded_schema.hpp"
#include "stream/packet_source.hpp"
#include "support/shared_data.hpp"

namespace rivulet::testing {

struct ReplayedAlert {
    int64_t candid;
    std::vector<uint8_t> packet;
};

inline std::vector<ReplayedAlert> ReplayRealAlerts(size_t n, int64_t first_candid = 3000000000000000000) {
    std::vector<Alert> real;
    {
        AvroAlertDecoder decoder;
        auto src = OpenInputs({SharedDataDir() / "ztf-alerts/alerts"});
        RawPacket p;
        while (src->Next(p))
            if (!p.error)
                for (auto &a : decoder.Decode(p.bytes, p.name).alerts) real.push_back(std::move(a));
    }
    AvroAlertWriter writer(ZtfAlertSchemaJson());
    std::vector<ReplayedAlert> out;
    std::vector<bool> encodable(real.size(), true);
    for (size_t k = 0; out.size() < n && !real.empty(); ++k) {
        size_t i = k % real.size();
        if (!encodable[i]) {
            if (k > real.size() && std::none_of(encodable.begin(), encodable.end(), [](bool b) { return b; })) break;
            continue;
        }
        Alert a = real[i];
        a.candid = first_candid + static_cast<int64_t>(out.size());
        a.candidate.candid = a.candid;
        try {
            out.push_back({a.candid, writer.Encode(a, static_cast<uint64_t>(k))});
        } catch (const std::exception &) {
            encodable[i] = false;  // a pre-4.x packet without a field 4.02 requires
        }
    }
    return out;
}

}  // namespace rivulet::testing
