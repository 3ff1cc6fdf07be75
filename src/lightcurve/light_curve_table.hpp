#pragma once
// Light curves from a long CSV table (one row per measurement; .gz read transparently): the columns
// holding id, time, magnitude, error and (optionally) band are chosen by name. Rows keep file order
// within an object; objects keep the order of their first row. Cleaning is CleanSeries's job, so
// unparsable numbers become NaN here and are dropped and counted there.
// @locality any thread.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "lightcurve/period_search.hpp"
#include "lightcurve/series.hpp"
#include "store/light_curve.hpp"

namespace rivulet::lightcurve {

struct TableColumns {
    std::string id = "id";
    std::string time = "time";
    std::string mag = "mag";
    std::string err = "err";
    std::string band;  //!< empty: single-band table
};

//! One band of one object, uncleaned.
struct RawBand {
    std::string band;  //!< "" for single-band tables
    std::vector<double> t, mag, err;
};

struct RawObject {
    std::string id;
    std::vector<RawBand> bands;  //!< in order of first appearance
};

//! Reads the table. Throws RivuletError(kIo) naming the file when it cannot be read, and
//! RivuletError(kInvalidInput) naming the file and column when a chosen column is not in the header
//! (the message lists the header) or a row has fewer fields than the header.
std::vector<RawObject> ReadLightCurveTable(const std::filesystem::path &path, const TableColumns &columns);

//! An object from the store: its detections (magpsf, sigmapsf at jd) split by fid into bands "g" (1),
//! "r" (2), "i" (3) (other fids as their number). Detections without magpsf or sigmapsf are skipped.
RawObject FromStoredLightCurve(const rivulet::LightCurve &lc);

//! Cleans every band of `object`; bands that fail cleaning are left out and named in `skipped`
//! ("<band>: <reason message>"). Bands keep their order.
BandSet CleanBands(const RawObject &object, const CleanOptions &options, std::vector<std::string> *band_names = nullptr,
                   std::vector<std::string> *skipped = nullptr);

}  // namespace rivulet::lightcurve
