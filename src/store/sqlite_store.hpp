#pragma once
// The embedded store backend: one SQLite file, no server. The default store of a Rivulet installation.

#include <filesystem>
#include <memory>

#include "store/store.hpp"

namespace rivulet {

//! SQLite schema version written to `PRAGMA user_version`; bump it and add a migration step when the
//! tables change.
inline constexpr int kSqliteStoreSchemaVersion = 3;

//! Opens (creating when absent) an SQLite store: WAL journal, synchronous=NORMAL (a power cut may lose
//! the last transactions but never corrupts the file), 10 s busy timeout. ":memory:" gives a private
//! in-memory store. Throws RivuletError(kStore) when the file cannot be opened or was written by a
//! newer schema version.
std::unique_ptr<Store> OpenSqliteStore(const std::filesystem::path &path);

}  // namespace rivulet
