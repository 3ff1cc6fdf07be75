#pragma once
// Synthetic ZTF nights: a population of objects (periodic variable stars, supernova-like transients, AGN and
// difference-imaging artefacts) observed by a ZTF-like schedule, written as real ZTF v4.02 Avro alert
// packets with history, forced photometry and gzipped FITS cutouts. Lets the demo run without external data.
// What it does not simulate: see src/sim/README.md.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "alert/alert.hpp"
#include "sim/light_curve_model.hpp"

namespace rivulet {

//! JD of the start of ZTF night `nid` (ZTF's night id counts UT days from 2017-01-01): 03:36 UT, dusk at
//! Palomar. Exposures of a simulated night fall in [NightStartJd(nid), NightStartJd(nid) + 0.33].
double NightStartJd(int nid);
//! ZTF night id of a JD: whole UT days since 2017-01-01.
int NightId(double jd);

struct SimulationOptions {
    double night_jd = NightStartJd(2454);  //!< start of the night's observations (any JD; see NightStartJd)
    size_t n_alerts = 2000;                //!< exactly this many alerts are produced
    uint64_t seed = 1;                     //!< same seed and options: byte-identical packets
    //! Approximate number of distinct objects; 0: derived (about 0.55 per alert). Steers how often each
    //! field is visited tonight, so the count is met only roughly.
    size_t n_objects = 0;
    double bogus_fraction = 0.3;           //!< fraction of alerts that are artefacts (rounded to an alert)
    double fp_hists_fraction = 0.6;        //!< fraction of real objects whose packets carry fp_hists
    int history_days = 30;                 //!< prv_candidates / fp_hists look back this far, as ZTF does
    int n_fields = 0;                      //!< ZTF fields observed; 0: derived from n_alerts (3..8)
    unsigned threads = 0;                  //!< threads rendering cutouts; 0: hardware concurrency
};

//! One simulated alert with what it truly is (for evaluating real/bogus classification).
struct SimulatedAlert {
    Alert alert;
    SimObjectKind kind = SimObjectKind::kVariableStar;
    BogusKind bogus = BogusKind::kNone;
};

struct SimulationSummary {
    size_t n_alerts = 0;
    size_t n_objects = 0;
    std::array<size_t, 4> alerts_by_kind{};  //!< indexed by SimObjectKind
    std::vector<std::filesystem::path> files;  //!< packets written (or the archive), in candid order
};

//! Simulates one night in memory: `options.n_alerts` alerts sorted by (jd, candid), every field of the
//! v4.02 candidate filled (null where ZTF leaves it null), cutouts as gzipped FITS.
//! Throws RivuletError(kConfig) on options out of range.
std::vector<SimulatedAlert> SimulateNight(const SimulationOptions &options);

//! Writes the night as `<candid>.avro` packets (one alert each, codec null, as ZTF distributes them) into
//! `out_dir` (created if missing), plus `truth.csv` (candid,objectId,kind,bogus_kind). Renders in batches,
//! so memory does not grow with n_alerts. Throws RivuletError(kIo) when a file cannot be written.
SimulationSummary WriteSimulatedNight(const SimulationOptions &options, const std::filesystem::path &out_dir);

//! Writes the night as one gzipped tar of `<candid>.avro` members, like ZTF's nightly public archives
//! (ztf_public_YYYYMMDD.tar.gz). Throws RivuletError(kIo) when the archive cannot be written.
SimulationSummary WriteSimulatedNightArchive(const SimulationOptions &options, const std::filesystem::path &tar_gz);

}  // namespace rivulet
