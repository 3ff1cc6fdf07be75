#include "store/pg_connection.hpp"

#include <algorithm>
#include <bit>
#include <cctype>

namespace rivulet {

namespace {

// Type OIDs of the parameters we send (pg_type.h; stable across PostgreSQL versions).
constexpr unsigned kInt8Oid = 20, kTextOid = 25, kFloat8Oid = 701;

std::string Trimmed(const char *s) {
    std::string out = s ? s : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

uint64_t ReadBe(const char *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
    return v;
}

// Empties libpq's queue of results so the connection is ready for the next command.
void DrainResults(PGconn *conn) {
    while (PGresult *r = PQgetResult(conn)) PQclear(r);
}

void IgnoreNotice(void *, const char *) {}

}  // namespace

std::string RedactConnectionString(const std::string &conninfo) {
    std::string s = conninfo;
    // URI form: postgresql://user:password@host/db?password=...
    const size_t scheme = s.find("://");
    if (scheme != std::string::npos) {
        const size_t auth = scheme + 3;
        const size_t auth_end = s.find_first_of("/?", auth);
        const size_t at = s.rfind('@', auth_end == std::string::npos ? s.size() : auth_end);
        if (at != std::string::npos && at >= auth) {
            const size_t colon = s.find(':', auth);
            if (colon != std::string::npos && colon < at) s.erase(colon, at - colon);
        }
    }
    // password=... as a URI query parameter or a key=value pair (value possibly quoted).
    for (size_t pos = 0; (pos = s.find("password", pos)) != std::string::npos;) {
        size_t eq = pos + 8;
        while (eq < s.size() && s[eq] == ' ') ++eq;
        if (eq >= s.size() || s[eq] != '=' || (pos > 0 && std::isalnum(static_cast<unsigned char>(s[pos - 1])))) {
            pos += 8;
            continue;
        }
        size_t end = eq + 1;
        while (end < s.size() && s[end] == ' ') ++end;
        if (end < s.size() && s[end] == '\'') {
            for (++end; end < s.size() && s[end] != '\''; ++end)
                if (s[end] == '\\') ++end;
            if (end < s.size()) ++end;
        } else {
            while (end < s.size() && s[end] != ' ' && s[end] != '&') ++end;
        }
        s.erase(pos, end - pos);
        if (pos < s.size() && (s[pos] == '&' || s[pos] == ' ')) s.erase(pos, 1);
        else if (pos > 0 && (s[pos - 1] == '&' || s[pos - 1] == '?' || s[pos - 1] == ' ')) s.erase(--pos, 1);
    }
    return s;
}

bool IsRetriableSqlState(std::string_view st) {
    return st.starts_with("08")                                    // connection exception
           || st == "57P01" || st == "57P02" || st == "57P03"    // admin/crash shutdown, cannot connect now
           || st == "40001" || st == "40P01"                     // serialization failure, deadlock
           || st == "53300";                                     // too many connections
}

PgParams &PgParams::Int64(int64_t v) {
    std::string b(8, '\0');
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(static_cast<uint64_t>(v) >> (56 - 8 * i));
    Add(kInt8Oid, std::move(b));
    return *this;
}

PgParams &PgParams::Double(double v) {
    const auto bits = std::bit_cast<uint64_t>(v);
    std::string b(8, '\0');
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(bits >> (56 - 8 * i));
    Add(kFloat8Oid, std::move(b));
    return *this;
}

PgParams &PgParams::Text(std::string_view v) {
    Add(kTextOid, std::string(v));
    return *this;
}

void PgParams::Add(unsigned type, std::string bytes) {
    types_.push_back(type);
    lengths_.push_back(static_cast<int>(bytes.size()));
    formats_.push_back(1);
    data_.push_back(std::move(bytes));
}

std::vector<const char *> PgParams::values() const {
    std::vector<const char *> v;
    for (const auto &d : data_) v.push_back(d.data());
    return v;
}

int64_t PgResult::Int64(int r, int c) const {
    const char *p = PQgetvalue(res_.get(), r, c);
    switch (PQgetlength(res_.get(), r, c)) {
        case 2: return static_cast<int16_t>(ReadBe(p, 2));
        case 4: return static_cast<int32_t>(ReadBe(p, 4));
        case 8: return static_cast<int64_t>(ReadBe(p, 8));
        default: throw RivuletError(ErrorKind::kInternal, "PostgreSQL result: column is not an integer");
    }
}

double PgResult::Double(int r, int c) const {
    const char *p = PQgetvalue(res_.get(), r, c);
    switch (PQgetlength(res_.get(), r, c)) {
        case 4: return std::bit_cast<float>(static_cast<uint32_t>(ReadBe(p, 4)));
        case 8: return std::bit_cast<double>(ReadBe(p, 8));
        default: throw RivuletError(ErrorKind::kInternal, "PostgreSQL result: column is not a float");
    }
}

float PgResult::Float(int r, int c) const { return static_cast<float>(Double(r, c)); }

bool PgResult::Bool(int r, int c) const { return PQgetlength(res_.get(), r, c) == 1 && *PQgetvalue(res_.get(), r, c) != 0; }

std::string PgResult::Text(int r, int c) const {
    return std::string(PQgetvalue(res_.get(), r, c), static_cast<size_t>(PQgetlength(res_.get(), r, c)));
}

std::span<const uint8_t> PgResult::Bytes(int r, int c) const {
    return {reinterpret_cast<const uint8_t *>(PQgetvalue(res_.get(), r, c)),
            static_cast<size_t>(PQgetlength(res_.get(), r, c))};
}

PgCopyWriter::PgCopyWriter() {
    static constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // + the terminating NUL: 11 bytes
    Raw(kSignature, sizeof kSignature);
    Be32(0);  // flags
    Be32(0);  // header extension length
}

void PgCopyWriter::Be32(uint32_t v) {
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
    Raw(b, 4);
}

void PgCopyWriter::Be64(uint64_t v) {
    Be32(static_cast<uint32_t>(v >> 32));
    Be32(static_cast<uint32_t>(v));
}

PgCopyWriter &PgCopyWriter::Row(int fields) {
    const char b[2] = {static_cast<char>(fields >> 8), static_cast<char>(fields)};
    Raw(b, 2);
    ++rows_;
    return *this;
}

PgCopyWriter &PgCopyWriter::Null() {
    Be32(0xFFFFFFFFu);  // length -1
    return *this;
}

PgCopyWriter &PgCopyWriter::Int64(int64_t v) {
    Be32(8);
    Be64(static_cast<uint64_t>(v));
    return *this;
}

PgCopyWriter &PgCopyWriter::Int32(int32_t v) {
    Be32(4);
    Be32(static_cast<uint32_t>(v));
    return *this;
}

PgCopyWriter &PgCopyWriter::Double(double v) {
    if (v != v) return Null();
    Be32(8);
    Be64(std::bit_cast<uint64_t>(v));
    return *this;
}

PgCopyWriter &PgCopyWriter::Float(float v) {
    if (v != v) return Null();
    Be32(4);
    Be32(std::bit_cast<uint32_t>(v));
    return *this;
}

PgCopyWriter &PgCopyWriter::Bool(bool v) {
    Be32(1);
    const char b = v ? 1 : 0;
    Raw(&b, 1);
    return *this;
}

PgCopyWriter &PgCopyWriter::Text(std::string_view v) {
    Be32(static_cast<uint32_t>(v.size()));
    Raw(v.data(), v.size());
    return *this;
}

PgCopyWriter &PgCopyWriter::Bytes(std::span<const uint8_t> v) {
    Be32(static_cast<uint32_t>(v.size()));
    Raw(v.data(), v.size());
    return *this;
}

std::string PgCopyWriter::Finish() && {
    const char trailer[2] = {'\xff', '\xff'};  // field count -1
    Raw(trailer, 2);
    return std::move(buf_);
}

PgConnection::PgConnection(std::string conninfo)
    : conninfo_(std::move(conninfo)), display_(RedactConnectionString(conninfo_)) {
    Reconnect();
}

PgConnection::~PgConnection() { PQfinish(conn_); }

void PgConnection::Reconnect() {
    PQfinish(conn_);
    conn_ = nullptr;
    // Defaults the caller's string may override (it is expanded where `dbname` stands; later keywords
    // would override it): a bounded connect, and keep-alives that notice a dead peer in about a minute
    // rather than the system's two hours.
    const char *const keywords[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                                    "fallback_application_name", "dbname", nullptr};
    const char *const values[] = {"10", "30", "10", "3", "rivulet", conninfo_.c_str(), nullptr};
    conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (!conn_) throw PgError(display_ + ": connect: out of memory", /*retriable=*/true, "");
    if (PQstatus(conn_) != CONNECTION_OK) {
        // A refused or dropped connection may succeed later (server restarting); bad credentials or a
        // missing database will not, but telling them apart needs the SQLSTATE libpq does not expose
        // for a failed connection, so the caller's retry budget bounds the cost.
        const std::string message = Trimmed(PQerrorMessage(conn_));
        // Freed here: when the constructor throws, no destructor will.
        PQfinish(conn_);
        conn_ = nullptr;
        throw PgError(display_ + ": connect: " + message, /*retriable=*/true, "");
    }
    PQsetNoticeProcessor(conn_, &IgnoreNotice, nullptr);
}

bool PgConnection::InTransaction() const {
    if (!conn_) return false;
    const auto st = PQtransactionStatus(conn_);
    return st == PQTRANS_INTRANS || st == PQTRANS_INERROR || st == PQTRANS_ACTIVE;
}

void PgConnection::RollbackQuietly() noexcept {
    if (!Ok() || !InTransaction()) return;
    if (PGresult *r = PQexec(conn_, "ROLLBACK")) PQclear(r);
}

void PgConnection::Fail(std::string_view what, const PGresult *res) {
    std::string sqlstate, message;
    if (res) {
        const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        sqlstate = st ? st : "";
        const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        message = primary ? primary : Trimmed(PQresultErrorMessage(res));
        if (const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)) message += " (" + std::string(detail) + ")";
    }
    if (message.empty()) message = Trimmed(PQerrorMessage(conn_));
    if (!sqlstate.empty()) message += " [SQLSTATE " + sqlstate + "]";
    const bool lost = PQstatus(conn_) != CONNECTION_OK;
    throw PgError(display_ + ": " + std::string(what) + ": " + message, lost || IsRetriableSqlState(sqlstate),
                  sqlstate);
}

void PgConnection::Exec(const std::string &sql, std::string_view what) {
    PgResult res(PQexec(conn_, sql.c_str()));
    const auto st = PQresultStatus(res.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) Fail(what, res.get());
}

PgResult PgConnection::Query(const std::string &sql, const PgParams &params, std::string_view what) {
    const auto values = params.values();
    PgResult res(PQexecParams(conn_, sql.c_str(), params.size(), params.types(), values.data(), params.lengths(),
                              params.formats(), /*resultFormat=*/1));
    const auto st = PQresultStatus(res.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) Fail(what, res.get());
    return res;
}

void PgConnection::CopyIn(const std::string &target, const std::string &payload, std::string_view what) {
    {
        PgResult start(PQexec(conn_, ("COPY " + target + " FROM STDIN (FORMAT binary)").c_str()));
        if (PQresultStatus(start.get()) != PGRES_COPY_IN) Fail(what, start.get());
    }
    // Chunks of 1 MiB: libpq buffers what it cannot send at once; smaller pieces keep that buffer small.
    constexpr size_t kChunk = 1 << 20;
    bool ok = true;
    for (size_t off = 0; ok && off < payload.size(); off += kChunk) {
        const size_t n = std::min(kChunk, payload.size() - off);
        ok = PQputCopyData(conn_, payload.data() + off, static_cast<int>(n)) == 1;
    }
    if (ok) ok = PQputCopyEnd(conn_, nullptr) == 1;
    PgResult res(PQgetResult(conn_));
    const bool done = ok && PQresultStatus(res.get()) == PGRES_COMMAND_OK;
    DrainResults(conn_);  // the connection is ready for the next command, even after an error
    if (!done) Fail(what, res.get() && PQresultStatus(res.get()) == PGRES_FATAL_ERROR ? res.get() : nullptr);
}

}  // namespace rivulet
