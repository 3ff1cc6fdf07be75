#pragma once
// What the store tests of both backends share: the real alert corpus (../shared/data/ztf-alerts) decoded
// once per test binary, batched writes, StoreStats comparison, and the invariants of a merged light curve.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "alert/avro_alert_decoder.hpp"
#include "store/store.hpp"
#include "support/shared_data.hpp"

namespace rivulet::testing {

inline std::filesystem::path AlertsDir() { return SharedDataDir() / "ztf-alerts" / "alerts"; }

//! Every decodable alert of the corpus, decoded once per test binary, in path order.
inline const std::vector<Alert> &CorpusAlerts() {
    static const std::vector<Alert> alerts = [] {
        std::vector<std::filesystem::path> paths;
        for (const auto &e : std::filesystem::recursive_directory_iterator(AlertsDir()))
            if (e.path().extension() == ".avro") paths.push_back(e.path());
        std::sort(paths.begin(), paths.end());
        std::vector<Alert> out;
        AvroAlertDecoder decoder;
        for (const auto &p : paths) {
            auto packet = decoder.DecodeFile(p);
            for (auto &a : packet.alerts) out.push_back(std::move(a));
        }
        return out;
    }();
    return alerts;
}

inline std::vector<Alert> AlertsOf(const std::string &objectId) {
    std::vector<Alert> out;
    for (const auto &a : CorpusAlerts())
        if (a.objectId == objectId) out.push_back(a);
    return out;
}

//! Writes `alerts` in Writes of `batch`, adding up what they stored and found duplicate.
inline WriteSummary WriteAll(Store &store, std::span<const Alert> alerts, size_t batch = 100) {
    WriteSummary total;
    for (size_t i = 0; i < alerts.size(); i += batch) {
        auto s = store.Write(alerts.subspan(i, std::min(batch, alerts.size() - i)), {});
        total.stored += s.stored;
        total.duplicates += s.duplicates;
    }
    return total;
}

inline bool SameStats(const StoreStats &a, const StoreStats &b) {
    return a.alerts == b.alerts && a.objects == b.objects && a.detections == b.detections &&
           a.upper_limits == b.upper_limits && a.forced_photometry == b.forced_photometry &&
           a.cutouts == b.cutouts && a.rejected == b.rejected;
}

inline std::string Describe(const StoreStats &s) {
    std::string out = "alerts " + std::to_string(s.alerts) + ", objects " + std::to_string(s.objects) +
                      ", detections " + std::to_string(s.detections) + ", upper_limits " +
                      std::to_string(s.upper_limits) + ", forced " + std::to_string(s.forced_photometry) +
                      ", cutouts " + std::to_string(s.cutouts);
    for (const auto &[k, v] : s.rejected) out += ", " + k + " " + std::to_string(v);
    return out;
}

//! Checks the invariants of a merged light curve against the alerts it came from.
inline void CheckLightCurve(const LightCurve &lc, const std::vector<Alert> &alerts) {
    std::set<std::pair<double, int>> det_keys, ul_keys, fp_keys;
    for (size_t i = 0; i < lc.detections.size(); ++i) {
        const auto &p = lc.detections[i];
        EXPECT_TRUE(det_keys.emplace(p.jd, p.fid).second) << "duplicate detection at jd " << p.jd;
        if (i) { EXPECT_LE(lc.detections[i - 1].jd, p.jd); }
        EXPECT_TRUE(p.magpsf.has_value());
    }
    std::set<int64_t> det_candids;
    for (const auto &p : lc.detections)
        if (p.candid) { EXPECT_TRUE(det_candids.insert(*p.candid).second) << "candid twice: " << *p.candid; }
    for (size_t i = 0; i < lc.upper_limits.size(); ++i) {
        const auto &u = lc.upper_limits[i];
        EXPECT_TRUE(ul_keys.emplace(u.jd, u.fid).second) << "duplicate upper limit at jd " << u.jd;
        EXPECT_FALSE(det_keys.count({u.jd, u.fid})) << "upper limit at a detection epoch";
        if (i) { EXPECT_LE(lc.upper_limits[i - 1].jd, u.jd); }
    }
    for (size_t i = 0; i < lc.forced_photometry.size(); ++i) {
        const auto &f = lc.forced_photometry[i];
        EXPECT_TRUE(fp_keys.emplace(f.jd, f.fid).second);
        if (i) { EXPECT_LE(lc.forced_photometry[i - 1].jd, f.jd); }
    }

    // Brute-force merge straight from the packets: the same epochs, and every alert's own candidate is
    // the record kept for its epoch.
    std::set<std::pair<double, int>> want_det, want_ul, want_fp;
    for (const auto &a : alerts) {
        want_det.emplace(*a.candidate.jd, *a.candidate.fid);
        if (a.prv_candidates)
            for (const auto &p : *a.prv_candidates) {
                if (p.forcediffimflux) want_fp.emplace(*p.jd, *p.fid);
                else if (p.magpsf) want_det.emplace(*p.jd, *p.fid);
                else want_ul.emplace(*p.jd, *p.fid);
            }
        if (a.fp_hists)
            for (const auto &f : *a.fp_hists) want_fp.emplace(*f.jd, *f.fid);
    }
    for (const auto &k : want_det) want_ul.erase(k);
    EXPECT_EQ(det_keys, want_det);
    EXPECT_EQ(ul_keys, want_ul);
    EXPECT_EQ(fp_keys, want_fp);
    for (const auto &a : alerts) {
        auto it = std::find_if(lc.detections.begin(), lc.detections.end(), [&](const LightCurvePoint &p) {
            return p.jd == *a.candidate.jd && p.fid == *a.candidate.fid;
        });
        ASSERT_NE(it, lc.detections.end());
        EXPECT_TRUE(it->from_candidate);
        EXPECT_EQ(it->source_candid, a.candid);
        EXPECT_EQ(it->magpsf, a.candidate.magpsf);
    }
}

}  // namespace rivulet::testing
