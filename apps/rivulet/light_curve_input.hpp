#pragma once
// The input options shared by `features`, `period` and `dmdt`: a light-curve table (CSV or CSV.gz) with
// named columns, or one object of a store (`--db PATH` or `--pg URI`, with `--object ID`).

#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "apps/rivulet/store_access.hpp"
#include "lightcurve/light_curve_table.hpp"

namespace rivulet::cli {

struct LightCurveInput {
    std::filesystem::path input;
    StoreTarget store;
    std::string object;
    lightcurve::TableColumns cols;
};

//! Adds the table argument, --db/--pg/--object and the column options; `band_help` says what --band does.
inline void AddLightCurveInputOptions(CLI::App &cmd, LightCurveInput &in, const std::string &band_help) {
    cmd.add_option("input", in.input, "light-curve table, CSV or CSV.gz, one row per measurement");
    AddStoreOptions(cmd, in.store);
    cmd.add_option("--object", in.object, "objectId to read from the store (--db or --pg) instead of a table");
    cmd.add_option("--id", in.cols.id, "id column")->capture_default_str();
    cmd.add_option("--time", in.cols.time, "time column (days)")->capture_default_str();
    cmd.add_option("--mag", in.cols.mag, "magnitude column")->capture_default_str();
    cmd.add_option("--err", in.cols.err, "magnitude error column")->capture_default_str();
    cmd.add_option("--band", in.cols.band, band_help);
}

//! The light curves the options name. Throws RivuletError(kInvalidInput) naming what is missing.
inline std::vector<lightcurve::RawObject> ReadLightCurveInput(const LightCurveInput &in) {
    std::vector<lightcurve::RawObject> raw;
    if (!in.store.db.empty() || !in.store.pg.empty()) {
        const std::string name = in.store.pg.empty() ? in.store.db.string() : "--pg store";
        if (in.object.empty()) throw RivuletError(ErrorKind::kInvalidInput, name + ": needs --object ID");
        if (!in.input.empty())
            throw RivuletError(ErrorKind::kInvalidInput, "give a light-curve table or a store, not both");
        auto lc = OpenStore(in.store, /*create=*/false)->GetLightCurve(in.object);
        if (!lc) throw RivuletError(ErrorKind::kInvalidInput, name + ": no object " + in.object);
        raw.push_back(lightcurve::FromStoredLightCurve(*lc));
    } else {
        if (!in.object.empty()) throw RivuletError(ErrorKind::kInvalidInput, "--object needs --db PATH or --pg URI");
        if (in.input.empty())
            throw RivuletError(ErrorKind::kInvalidInput, "give a light-curve table or --db PATH|--pg URI --object ID");
        raw = lightcurve::ReadLightCurveTable(in.input, in.cols);
    }
    return raw;
}

}  // namespace rivulet::cli
