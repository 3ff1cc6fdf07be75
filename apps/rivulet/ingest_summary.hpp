#pragma once
// The summary printed after `ingest` and `consume`: where every alert went, reconciled.

#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "pipeline/ingest_ledger.hpp"

namespace rivulet::cli {

inline std::string SummaryText(const IngestLedger &l, double seconds) {
    std::string s = fmt::format("decoded    {:>10}  alerts from {} packets ({:.1f} MB) in {:.2f} s ({:.0f} alerts/s)\n",
                                l.decoded, l.packets, static_cast<double>(l.bytes) / 1e6, seconds,
                                seconds > 0 ? static_cast<double>(l.decoded) / seconds : 0.0);
    s += fmt::format("stored     {:>10}\n", l.stored);
    s += fmt::format("duplicates {:>10}  (already in the store)\n", l.duplicates);
    s += fmt::format("rejected   {:>10}\n", l.RejectedTotal());
    for (const auto &[reason, n] : l.rejected) s += fmt::format("  {:<28}{:>8}\n", reason, n);
    s += fmt::format("failed     {:>10}  alerts refused whole (corrupt cutout, no position)\n", l.failed);
    s += fmt::format("failures   {:>10}  inputs, packets or alerts that failed:\n", l.failures.size());
    for (const auto &f : l.failures) s += fmt::format("  {} [{}]\n", f.message, f.reason);
    for (const auto &[what, n] : l.not_scored) s += fmt::format("not scored {:>10}  {}\n", n, what);
    s += fmt::format("check: decoded {} = stored {} + duplicates {} + rejected {} + failed {}: {}\n", l.decoded,
                     l.stored, l.duplicates, l.RejectedTotal(), l.failed, l.Reconciles() ? "ok" : "MISMATCH");
    return s;
}

inline nlohmann::json SummaryJson(const IngestLedger &l, double seconds) {
    nlohmann::json j;
    j["packets"] = l.packets;
    j["bytes"] = l.bytes;
    j["decoded"] = l.decoded;
    j["stored"] = l.stored;
    j["duplicates"] = l.duplicates;
    j["rejected"] = nlohmann::json::object();
    for (const auto &[reason, n] : l.rejected) j["rejected"][reason] = n;
    j["rejected_total"] = l.RejectedTotal();
    j["failed"] = l.failed;
    j["failures"] = nlohmann::json::array();
    for (const auto &f : l.failures) j["failures"].push_back({{"reason", f.reason}, {"message", f.message}});
    j["not_scored"] = nlohmann::json::object();
    for (const auto &[what, n] : l.not_scored) j["not_scored"][what] = n;
    j["seconds"] = seconds;
    j["reconciles"] = l.Reconciles();
    return j;
}

//! Prints the summary on stdout, as text or JSON.
inline void PrintIngestSummary(const IngestLedger &ledger, double seconds, bool json) {
    if (json) std::printf("%s\n", SummaryJson(ledger, seconds).dump(2).c_str());
    else std::fputs(SummaryText(ledger, seconds).c_str(), stdout);
}

}  // namespace rivulet::cli
