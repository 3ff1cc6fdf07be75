#pragma once
// Thin RAII over the SQLite C API, for the SQLite store only: a connection that turns every failure into
// RivuletError(kStore, "<db path>: <what>: <sqlite message>"), and prepared statements that are bound,
// stepped and reset (a statement left mid-step would hold its read lock).

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rivulet {

class SqliteConnection;

//! A prepared statement, reused across calls. Parameters are 1-based as in SQLite.
//! Text and blob parameters are bound without copying: they must outlive the next Step/Run.
class SqliteStatement {
public:
    SqliteStatement(SqliteConnection &db, std::string_view sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    SqliteStatement &Bind(int i, int64_t v);
    SqliteStatement &Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
    SqliteStatement &Bind(int i, double v);
    SqliteStatement &Bind(int i, float v) { return Bind(i, static_cast<double>(v)); }
    SqliteStatement &Bind(int i, std::string_view v);
    SqliteStatement &BindBlob(int i, std::span<const uint8_t> v);
    SqliteStatement &BindNull(int i);
    template <class T>
    SqliteStatement &Bind(int i, const std::optional<T> &v) {
        return v ? Bind(i, *v) : BindNull(i);
    }

    //! Steps once: true when a row is ready, false when done (then the statement is reset).
    bool Step();
    //! Runs a statement that returns no rows and resets it; returns sqlite3_changes().
    int Run();
    //! Resets and clears bindings; safe to call at any time.
    void Reset();

    bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    int64_t Int64(int col) const { return sqlite3_column_int64(stmt_, col); }
    int Int(int col) const { return sqlite3_column_int(stmt_, col); }
    double Double(int col) const { return sqlite3_column_double(stmt_, col); }
    std::string Text(int col) const;
    std::span<const uint8_t> Blob(int col) const;
    std::optional<int64_t> OptInt64(int col) const { return IsNull(col) ? std::nullopt : std::optional(Int64(col)); }
    std::optional<int> OptInt(int col) const { return IsNull(col) ? std::nullopt : std::optional(Int(col)); }
    std::optional<double> OptDouble(int col) const { return IsNull(col) ? std::nullopt : std::optional(Double(col)); }
    //! Float columns are stored widened to double, so narrowing gives back the exact float.
    std::optional<float> OptFloat(int col) const {
        return IsNull(col) ? std::nullopt : std::optional(static_cast<float>(Double(col)));
    }
    std::optional<std::string> OptText(int col) const { return IsNull(col) ? std::nullopt : std::optional(Text(col)); }

private:
    void Check(int rc, const char *what);

    SqliteConnection &db_;
    sqlite3_stmt *stmt_ = nullptr;
    std::string sql_;
};

//! One open database file. @locality one thread at a time (opened without SQLite's own mutex).
class SqliteConnection {
public:
    explicit SqliteConnection(const std::string &path);
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    //! Runs one or more statements that return nothing of interest.
    void Exec(const std::string &sql);
    //! Runs a statement and returns the first column of its first row as an integer (0 if no row).
    int64_t QueryInt(const std::string &sql);
    std::string QueryText(const std::string &sql);

    sqlite3 *handle() { return db_; }
    const std::string &path() const { return path_; }

    //! Throws RivuletError(kStore) when `rc` is an error code, with SQLite's message for this connection.
    void Check(int rc, std::string_view what);
    [[noreturn]] void Fail(std::string_view what, std::string_view message);

private:
    sqlite3 *db_ = nullptr;
    std::string path_;
};

}  // namespace rivulet
