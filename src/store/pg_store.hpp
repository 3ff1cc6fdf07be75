#pragma once
// The PostgreSQL backend: a shared database that several Rivulet processes (e.g. the consumers of one
// Kafka group) write at once. Same observable behaviour as the embedded SQLite store; cone search with
// the Q3C extension.

#include <chrono>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace rivulet {

//! Schema version recorded in the `schema_version` table; bump it and add a migration step when the
//! tables change.
inline constexpr int kPostgresStoreSchemaVersion = 2;

//! How a PostgreSQL store rides out a lost connection or a transient server condition (SQLSTATE class
//! 08, 57P01-57P03, deadlock, serialization failure, too many connections): it reconnects and runs the
//! whole call again, waiting `initial_backoff`, then twice as long each time up to `max_backoff`, for at
//! most `max_attempts` attempts and `max_retry_time` in all; then the last error is thrown. Writes are
//! idempotent by candid, so running one again is safe. Any other error throws at once.
struct PostgresStoreOptions {
    int max_attempts = 10;
    std::chrono::milliseconds initial_backoff{100};
    std::chrono::milliseconds max_backoff{5000};
    std::chrono::milliseconds max_retry_time{60000};
};

//! Opens a store in the PostgreSQL database named by `uri` (a libpq URI or key=value string, e.g.
//! postgresql://rivulet@db.example:5432/alerts), creating the tables and the Q3C extension when absent
//! (`CREATE EXTENSION` needs a role allowed to create it) and migrating older schema versions.
//! Throws RivuletError(kStore) "<uri without password>: <what>: <server message>" when the database
//! cannot be reached (no retry at open), holds other tables under our names, or was written by a newer
//! schema version.
//!
//! Writes stage every row with binary COPY into temporary tables and merge them with a few set-based
//! statements, in one transaction per Write.
//! If a Write is retried after its COMMIT was sent but before the reply arrived, its alerts were in fact
//! stored and the retry counts them as duplicates: never lost, never stored twice.
std::unique_ptr<Store> OpenPostgresStore(const std::string &uri);
std::unique_ptr<Store> OpenPostgresStore(const std::string &uri, const PostgresStoreOptions &options);

}  // namespace rivulet
