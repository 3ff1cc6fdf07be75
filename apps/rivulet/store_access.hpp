#pragma once
// How commands name a store: `--db PATH` (embedded SQLite, the default) or `--pg URI` (PostgreSQL + Q3C).

#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "alert/alert_format.hpp"
#include "common/error.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"

namespace rivulet::cli {

struct StoreTarget {
    std::filesystem::path db;
    std::string pg;
};

//! Adds `--db PATH` and `--pg URI`, mutually exclusive; OpenStore insists on one.
inline void AddStoreOptions(CLI::App &cmd, StoreTarget &target) {
    auto *db = cmd.add_option("--db", target.db, "embedded store (SQLite file)");
    auto *pg = cmd.add_option("--pg", target.pg, "PostgreSQL store, e.g. postgresql://user@host:5432/rivulet");
    db->excludes(pg);
    pg->excludes(db);
}

//! Opens the store. With `create` false a missing SQLite file is an error (queries never create a store:
//! a mistyped path must not answer "nothing here").
inline std::unique_ptr<Store> OpenStore(const StoreTarget &target, bool create) {
    if (!target.pg.empty()) return OpenPostgresStore(target.pg);
    if (target.db.empty()) throw RivuletError(ErrorKind::kConfig, "give --db PATH or --pg URI");
    if (!create && !std::filesystem::exists(target.db))
        throw RivuletError(ErrorKind::kInvalidInput, target.db.string() + ": no such store");
    return OpenSqliteStore(target.db);
}

//! A JD printed exactly (shortest round-trip text of the double).
inline std::string Jd(double jd) {
    std::string s;
    AppendDouble(s, jd);
    return s;
}

}  // namespace rivulet::cli
