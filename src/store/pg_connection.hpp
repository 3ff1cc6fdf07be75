#pragma once
// Thin RAII over libpq, for the PostgreSQL store only: a connection that turns every failure into a
// PgError (a RivuletError(kStore) "<uri without password>: <what>: <server message>" that says whether
// it is retriable), parameters and results in PostgreSQL's binary format (exact floats, raw bytea), and
// a writer for binary COPY.

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/error.hpp"

namespace rivulet {

//! A failure of the PostgreSQL backend. `retriable()`: the connection was lost or the server asked to
//! try again (SQLSTATE class 08, 57P01-57P03, 40001, 40P01, 53300); the transaction was not committed
//! and may be run again from the start.
class PgError : public RivuletError {
public:
    PgError(const std::string &message, bool retriable, std::string sqlstate)
        : RivuletError(ErrorKind::kStore, message), retriable_(retriable), sqlstate_(std::move(sqlstate)) {}
    bool retriable() const { return retriable_; }
    const std::string &sqlstate() const { return sqlstate_; }  //!< "" when libpq itself failed

private:
    bool retriable_;
    std::string sqlstate_;
};

//! The URI or key=value connection string with any password removed, for messages and logs.
std::string RedactConnectionString(const std::string &conninfo);

//! Whether an SQLSTATE names a transient condition worth retrying the whole transaction for.
bool IsRetriableSqlState(std::string_view sqlstate);

//! Query parameters, sent in binary with explicit types. Text and bytes are copied.
class PgParams {
public:
    PgParams &Int64(int64_t v);
    PgParams &Double(double v);
    PgParams &Text(std::string_view v);

    int size() const { return static_cast<int>(types_.size()); }
    const unsigned *types() const { return types_.data(); }
    std::vector<const char *> values() const;
    const int *lengths() const { return lengths_.data(); }
    const int *formats() const { return formats_.data(); }

private:
    void Add(unsigned type, std::string bytes);
    std::vector<unsigned> types_;
    std::vector<std::string> data_;
    std::vector<int> lengths_, formats_;
};

//! A query result in binary format. Accessors take the column type the SQL declares: integers may be
//! int2/int4/int8, floats float4/float8, text/json/bytea are raw bytes.
class PgResult {
public:
    explicit PgResult(PGresult *res) : res_(res, &PQclear) {}
    int rows() const { return PQntuples(res_.get()); }
    bool IsNull(int r, int c) const { return PQgetisnull(res_.get(), r, c) != 0; }
    int64_t Int64(int r, int c) const;
    int Int(int r, int c) const { return static_cast<int>(Int64(r, c)); }
    double Double(int r, int c) const;
    //! A float4 column reads back exactly as the float that was written.
    float Float(int r, int c) const;
    bool Bool(int r, int c) const;
    std::string Text(int r, int c) const;
    std::span<const uint8_t> Bytes(int r, int c) const;
    std::optional<int64_t> OptInt64(int r, int c) const { return IsNull(r, c) ? std::nullopt : std::optional(Int64(r, c)); }
    std::optional<int> OptInt(int r, int c) const { return IsNull(r, c) ? std::nullopt : std::optional(Int(r, c)); }
    std::optional<double> OptDouble(int r, int c) const { return IsNull(r, c) ? std::nullopt : std::optional(Double(r, c)); }
    std::optional<float> OptFloat(int r, int c) const { return IsNull(r, c) ? std::nullopt : std::optional(Float(r, c)); }
    std::optional<std::string> OptText(int r, int c) const { return IsNull(r, c) ? std::nullopt : std::optional(Text(r, c)); }
    PGresult *get() const { return res_.get(); }

private:
    std::unique_ptr<PGresult, void (*)(PGresult *)> res_;
};

//! Rows for `COPY ... FROM STDIN (FORMAT binary)`. Each row: Row(n) then exactly n fields. NaN floats are
//! written as NULL (as SQLite stores them), so both backends read back the same nullopt.
class PgCopyWriter {
public:
    PgCopyWriter();
    PgCopyWriter &Row(int fields);
    PgCopyWriter &Null();
    PgCopyWriter &Int64(int64_t v);
    PgCopyWriter &Int32(int32_t v);
    PgCopyWriter &Double(double v);
    PgCopyWriter &Float(float v);
    PgCopyWriter &Bool(bool v);
    PgCopyWriter &Text(std::string_view v);
    PgCopyWriter &Bytes(std::span<const uint8_t> v);
    template <class T>
    PgCopyWriter &Opt(const std::optional<T> &v) {
        if (!v) return Null();
        if constexpr (std::is_same_v<T, int64_t>) return Int64(*v);
        else if constexpr (std::is_same_v<T, int>) return Int32(*v);
        else if constexpr (std::is_same_v<T, double>) return Double(*v);
        else if constexpr (std::is_same_v<T, float>) return Float(*v);
        else return Text(*v);
    }
    size_t rows() const { return rows_; }
    //! The complete COPY payload (header, rows, trailer).
    std::string Finish() &&;

private:
    void Raw(const void *p, size_t n) { buf_.append(static_cast<const char *>(p), n); }
    void Be32(uint32_t v);
    void Be64(uint64_t v);
    std::string buf_;
    size_t rows_ = 0;
};

//! One libpq connection. @locality one thread at a time.
class PgConnection {
public:
    //! Connects at once; a failure throws PgError (retriable: the server may come back).
    explicit PgConnection(std::string conninfo);
    ~PgConnection();
    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    //! Drops the current connection (if any) and opens a new one; throws PgError on failure.
    void Reconnect();
    bool Ok() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }
    //! Inside a transaction block (idle, active or failed).
    bool InTransaction() const;

    //! Runs one or more SQL commands without parameters (simple protocol); results are discarded.
    void Exec(const std::string &sql, std::string_view what);
    //! Runs one statement with binary parameters and binary results.
    PgResult Query(const std::string &sql, const PgParams &params, std::string_view what);
    PgResult Query(const std::string &sql, std::string_view what) { return Query(sql, PgParams{}, what); }
    //! Streams a binary COPY payload into `target` ("table (col, ...)").
    void CopyIn(const std::string &target, const std::string &payload, std::string_view what);
    //! ROLLBACK if a transaction is open and the connection is up; never throws.
    void RollbackQuietly() noexcept;

    const std::string &display_name() const { return display_; }
    PGconn *handle() { return conn_; }

    [[noreturn]] void Fail(std::string_view what, const PGresult *res);

private:
    std::string conninfo_, display_;
    PGconn *conn_ = nullptr;
};

}  // namespace rivulet
