#include "store/sqlite_connection.hpp"

#include "common/error.hpp"

namespace rivulet {

SqliteConnection::SqliteConnection(const std::string &path) : path_(path) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw RivuletError(ErrorKind::kStore, path_ + ": open: " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
}

SqliteConnection::~SqliteConnection() {
    // close_v2 defers the close until every statement is finalised, so member order cannot leak a handle.
    sqlite3_close_v2(db_);
}

void SqliteConnection::Fail(std::string_view what, std::string_view message) {
    throw RivuletError(ErrorKind::kStore, path_ + ": " + std::string(what) + ": " + std::string(message));
}

void SqliteConnection::Check(int rc, std::string_view what) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    Fail(what, sqlite3_errmsg(db_));
}

void SqliteConnection::Exec(const std::string &sql) {
    char *err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        Fail(sql.substr(0, 60), msg);
    }
}

int64_t SqliteConnection::QueryInt(const std::string &sql) {
    SqliteStatement st(*this, sql);
    int64_t v = st.Step() ? st.Int64(0) : 0;
    st.Reset();
    return v;
}

std::string SqliteConnection::QueryText(const std::string &sql) {
    SqliteStatement st(*this, sql);
    std::string v = st.Step() ? st.Text(0) : std::string();
    st.Reset();
    return v;
}

SqliteStatement::SqliteStatement(SqliteConnection &db, std::string_view sql) : db_(db), sql_(sql) {
    int rc = sqlite3_prepare_v3(db_.handle(), sql_.data(), static_cast<int>(sql_.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    Check(rc, "prepare");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::Check(int rc, const char *what) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    // Name the statement by its first words: enough to find it, short enough for a log line.
    db_.Fail(std::string(what) + " [" + sql_.substr(0, 48) + "]", sqlite3_errmsg(db_.handle()));
}

SqliteStatement &SqliteStatement::Bind(int i, int64_t v) {
    Check(sqlite3_bind_int64(stmt_, i, v), "bind");
    return *this;
}

SqliteStatement &SqliteStatement::Bind(int i, double v) {
    Check(sqlite3_bind_double(stmt_, i, v), "bind");
    return *this;
}

SqliteStatement &SqliteStatement::Bind(int i, std::string_view v) {
    Check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC), "bind");
    return *this;
}

SqliteStatement &SqliteStatement::BindBlob(int i, std::span<const uint8_t> v) {
    // A zero-length blob must stay a blob, not NULL: sqlite3_bind_blob with a null pointer binds NULL.
    static const uint8_t kEmpty = 0;
    const void *p = v.empty() ? static_cast<const void *>(&kEmpty) : v.data();
    Check(sqlite3_bind_blob(stmt_, i, p, static_cast<int>(v.size()), SQLITE_STATIC), "bind");
    return *this;
}

SqliteStatement &SqliteStatement::BindNull(int i) {
    Check(sqlite3_bind_null(stmt_, i), "bind");
    return *this;
}

bool SqliteStatement::Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
        Reset();
        return false;
    }
    // Reset before throwing so the statement holds no lock while the caller rolls back.
    std::string msg = sqlite3_errmsg(db_.handle());
    Reset();
    db_.Fail("step [" + sql_.substr(0, 48) + "]", msg);
}

int SqliteStatement::Run() {
    while (Step()) {
    }
    return sqlite3_changes(db_.handle());
}

void SqliteStatement::Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string SqliteStatement::Text(int col) const {
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}

std::span<const uint8_t> SqliteStatement::Blob(int col) const {
    const auto *p = static_cast<const uint8_t *>(sqlite3_column_blob(stmt_, col));
    return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

}  // namespace rivulet
