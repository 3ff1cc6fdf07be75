#pragma once
// Helpers shared by the commands that read a store.

#include <filesystem>
#include <memory>
#include <string>

#include "alert/alert_format.hpp"
#include "common/error.hpp"
#include "store/sqlite_store.hpp"

namespace rivulet::cli {

// Query commands never create a store: a mistyped path is an error, not an empty answer.
inline std::unique_ptr<Store> OpenExistingStore(const std::filesystem::path &db) {
    if (!std::filesystem::exists(db)) throw RivuletError(ErrorKind::kInvalidInput, db.string() + ": no such store");
    return OpenSqliteStore(db);
}

//! A JD printed exactly (shortest round-trip text of the double).
inline std::string Jd(double jd) {
    std::string s;
    AppendDouble(s, jd);
    return s;
}

}  // namespace rivulet::cli
