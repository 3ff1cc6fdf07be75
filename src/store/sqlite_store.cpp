#include "store/sqlite_store.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "common/error.hpp"
#include "alert/alert_format.hpp"
#include "store/annotation_validation.hpp"
#include "store/cutout_file.hpp"
#include "store/sky_distance.hpp"
#include "store/light_curve_rows.hpp"
#include "store/sky_index.hpp"
#include "store/sqlite_checkpointer.hpp"
#include "store/sqlite_connection.hpp"

namespace rivulet {

namespace {

// Schema version 1. Light-curve tables are keyed by (objectId, jd, fid) so re-ingesting an alert, or
// ingesting several alerts that carry the same history, stores each epoch once. Float fields are
// stored as REAL (double): widening a float is exact, so they read back bit for bit.
constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE objects (
  objectId TEXT PRIMARY KEY,
  ra REAL NOT NULL, dec REAL NOT NULL,
  hpix INTEGER NOT NULL,                      -- HEALPix NESTED pixel of (ra, dec) at order 14
  sum_x REAL NOT NULL, sum_y REAL NOT NULL, sum_z REAL NOT NULL,  -- sum of candidate unit vectors
  n_alerts INTEGER NOT NULL,
  ndet INTEGER NOT NULL, first_jd REAL, last_jd REAL
);
CREATE INDEX objects_hpix ON objects(hpix);

CREATE TABLE alerts (
  candid INTEGER PRIMARY KEY,
  objectId TEXT NOT NULL,
  jd REAL NOT NULL, fid INTEGER NOT NULL,
  ra REAL NOT NULL, dec REAL NOT NULL,
  magpsf REAL, sigmapsf REAL, isdiffpos TEXT, rb REAL, drb REAL, programid INTEGER,
  schemavsn TEXT NOT NULL,
  hpix INTEGER NOT NULL,
  candidate TEXT NOT NULL,                    -- complete candidate record, JSON, ZTF field names
  ingested_at REAL NOT NULL                   -- Unix time, s
);
CREATE INDEX alerts_object ON alerts(objectId, jd);
CREATE INDEX alerts_hpix ON alerts(hpix);

CREATE TABLE cutouts (
  candid INTEGER NOT NULL,
  kind TEXT NOT NULL,                         -- cutoutScience, cutoutTemplate, cutoutDifference
  file_name TEXT NOT NULL,
  stamp_data BLOB NOT NULL,                   -- exactly as received (gzipped FITS)
  PRIMARY KEY (candid, kind)
);

CREATE TABLE detections (
  objectId TEXT NOT NULL, jd REAL NOT NULL, fid INTEGER NOT NULL,
  candid INTEGER, pid INTEGER,
  magpsf REAL, sigmapsf REAL, diffmaglim REAL, isdiffpos TEXT,
  ra REAL, dec REAL, programid INTEGER, field INTEGER, rcid INTEGER, rb REAL,
  magnr REAL, sigmagnr REAL, distnr REAL, magzpsci REAL,
  source_candid INTEGER NOT NULL,             -- the stored alert this row was taken from
  from_candidate INTEGER NOT NULL,            -- 1: that alert's own candidate; 0: its prv_candidates
  PRIMARY KEY (objectId, jd, fid)
) WITHOUT ROWID;
CREATE INDEX detections_candid ON detections(candid);

CREATE TABLE upper_limits (
  objectId TEXT NOT NULL, jd REAL NOT NULL, fid INTEGER NOT NULL,
  pid INTEGER, diffmaglim REAL, programid INTEGER, field INTEGER, rcid INTEGER,
  source_candid INTEGER NOT NULL,
  PRIMARY KEY (objectId, jd, fid)
) WITHOUT ROWID;

CREATE TABLE forced_photometry (
  objectId TEXT NOT NULL, jd REAL NOT NULL, fid INTEGER NOT NULL,
  pid INTEGER, forcediffimflux REAL, forcediffimfluxunc REAL, diffmaglim REAL, procstatus TEXT,
  programid INTEGER, field INTEGER, rcid INTEGER,
  magzpsci REAL, magzpsciunc REAL, magzpscirms REAL, exptime REAL,
  distnr REAL, magnr REAL, sigmagnr REAL,
  source_candid INTEGER NOT NULL,
  PRIMARY KEY (objectId, jd, fid)
) WITHOUT ROWID;

CREATE TABLE rejections (
  candid INTEGER PRIMARY KEY,
  objectId TEXT NOT NULL, jd REAL NOT NULL,
  reason TEXT NOT NULL,
  rejected_at REAL NOT NULL                   -- Unix time, s
);
)sql";

// Schema version 2: annotations written with each new alert (scores by model, nearest catalog matches).
constexpr const char *kMigrateV1ToV2 = R"sql(
CREATE TABLE alert_scores (
  candid INTEGER NOT NULL,
  model TEXT NOT NULL,                        -- model version: tN_fN_cN, or e.g. d6_m7
  score REAL NOT NULL,
  PRIMARY KEY (candid, model)
) WITHOUT ROWID;

CREATE TABLE alert_xmatch (
  candid INTEGER NOT NULL,
  catalog TEXT NOT NULL,                      -- configured catalog name
  cat_row INTEGER NOT NULL,                   -- 0-based row in the catalog file
  sep_arcsec REAL NOT NULL,
  PRIMARY KEY (candid, catalog)
) WITHOUT ROWID;
)sql";

// Schema version 3: the stamps of a file store go to the append-only cutout file beside it (cutout_file.hpp);
// the database records where each one is. Stamps of earlier versions stay in `cutouts` (read from both);
// an in-memory store, which has no file beside it, keeps using `cutouts`.
constexpr const char *kMigrateV2ToV3 = R"sql(
CREATE TABLE cutout_locations (
  candid INTEGER NOT NULL,
  kind TEXT NOT NULL,                         -- cutoutScience, cutoutTemplate, cutoutDifference
  file_name TEXT NOT NULL,
  file_offset INTEGER NOT NULL,               -- byte offset in <store>.cutouts
  length INTEGER NOT NULL,                    -- bytes, exactly as received (gzipped FITS)
  crc32 INTEGER NOT NULL,                     -- of those bytes, checked on every read
  PRIMARY KEY (candid, kind)
) WITHOUT ROWID;
)sql";

constexpr const char *kInsertDetection = R"sql(
INSERT OR IGNORE INTO detections (objectId, jd, fid, candid, pid, magpsf, sigmapsf, diffmaglim, isdiffpos,
  ra, dec, programid, field, rcid, rb, magnr, sigmagnr, distnr, magzpsci, source_candid, from_candidate)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21))sql";

// An alert's own candidate replaces a copy of the same epoch taken earlier from another alert's
// prv_candidates: it is the more complete record, and replacing makes the result independent of the
// order in which alerts arrive.
constexpr const char *kPromoteDetection = R"sql(
UPDATE detections SET candid = ?4, pid = ?5, magpsf = ?6, sigmapsf = ?7, diffmaglim = ?8, isdiffpos = ?9,
  ra = ?10, dec = ?11, programid = ?12, field = ?13, rcid = ?14, rb = ?15, magnr = ?16, sigmagnr = ?17,
  distnr = ?18, magzpsci = ?19, source_candid = ?20, from_candidate = ?21
WHERE objectId = ?1 AND jd = ?2 AND fid = ?3 AND from_candidate = 0)sql";

constexpr const char *kDetectionColumns =
    "jd, fid, candid, pid, magpsf, sigmapsf, diffmaglim, isdiffpos, ra, dec, programid, field, rcid, rb, "
    "magnr, sigmagnr, distnr, magzpsci, source_candid, from_candidate";

double UnixNow() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

class SqliteStore final : public Store {
public:
    explicit SqliteStore(const std::filesystem::path &path);
    ~SqliteStore() override;

    using Store::Write;
    WriteSummary Write(std::span<const Alert> accepted, std::span<const Rejection> rejected,
                       std::span<const AlertAnnotations> annotations) override;
    StoreStats Stats() override;
    std::optional<LightCurve> GetLightCurve(const std::string &objectId) override;
    std::vector<ConeMatch> ConeSearchObjects(double ra_deg, double dec_deg, double radius_arcsec) override;
    std::optional<StoredAlert> GetAlert(int64_t candid) override;
    std::vector<int64_t> AlertCandids(const std::string &objectId) override;
    std::optional<std::string> RejectionReason(int64_t candid) override;

private:
    // What the light-curve inserts of one alert did to its object's summary.
    struct ObjectDelta {
        int64_t new_detections = 0;
        double first_jd = INFINITY, last_jd = -INFINITY;
    };

    //! Sets the connection up and brings the schema to kSqliteStoreSchemaVersion; returns that version.
    static int ConfigureAndMigrate(SqliteConnection &db);
    bool StoreAlert(const Alert &a, const AlertAnnotations *annotations, double now);
    void InsertDetection(const std::string &objectId, const LightCurvePoint &r, ObjectDelta &delta);
    void InsertForcedPhotometry(const std::string &objectId, const ForcedPhotometryPoint &r);
    void InsertUpperLimit(const std::string &objectId, const UpperLimit &r);
    void UpdateObject(const Alert &a, const ObjectDelta &delta);
    void StoreCutouts(const Alert &a);
    void ReadCutouts(int64_t candid, CutoutTriplet &out);

    SqliteConnection db_;
    [[maybe_unused]] int schema_version_;  // initialised before the statements, which need the tables
    // Prepared once, reused for every row: preparing costs more than executing these inserts.
    SqliteStatement insert_alert_, insert_cutout_, insert_cutout_location_, insert_detection_, promote_detection_, insert_upper_limit_,
        insert_forced_, select_object_, upsert_object_, insert_rejection_, insert_score_, insert_xmatch_;
    SqliteStatement select_alert_, select_cutouts_, select_cutout_locations_, select_candids_, object_exists_, select_detections_,
        select_upper_limits_, select_forced_, select_rejection_, cone_range_, select_scores_, select_xmatch_;
    // The stamps of a file store (null for an in-memory one). Outlives the checkpointer, which syncs it.
    std::unique_ptr<CutoutFile> cutout_file_;
    // Last member: destroyed first, before the connection it hooks into.
    std::unique_ptr<SqliteCheckpointer> checkpointer_;
};

int SqliteStore::ConfigureAndMigrate(SqliteConnection &db) {
    // Larger pages keep a ~10 kB stamp in few overflow pages (stamps stay in the database in an in-memory
    // store and in stores written before version 3); only takes effect on a new file.
    db.Exec("PRAGMA page_size = 16384");
    sqlite3_busy_timeout(db.handle(), 10000);
    const std::string mode = db.QueryText("PRAGMA journal_mode = WAL");
    if (mode != "wal" && mode != "memory")
        db.Fail("PRAGMA journal_mode = WAL", "journal mode stays '" + mode + "'");
    // The autocheckpoint set here is what a connection gets until SqliteCheckpointer takes over (below).
    db.Exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -65536;"
            "PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 4096");

    db.Exec("BEGIN IMMEDIATE");
    try {
        const int64_t version = db.QueryInt("PRAGMA user_version");
        if (version > kSqliteStoreSchemaVersion)
            db.Fail("open", "store schema version " + std::to_string(version) +
                                " is newer than this Rivulet's (" + std::to_string(kSqliteStoreSchemaVersion) + ")");
        if (version == 0) {
            if (db.QueryInt("SELECT count(*) FROM sqlite_schema") != 0)
                db.Fail("open", "not a Rivulet store (tables present, user_version 0)");
            db.Exec(kSchemaV1);
        }
        // Migrations from version N to N+1, each in this same transaction; a new store runs them all.
        if (version < 2) db.Exec(kMigrateV1ToV2);
        if (version < 3) db.Exec(kMigrateV2ToV3);
        if (version < kSqliteStoreSchemaVersion)
            db.Exec("PRAGMA user_version = " + std::to_string(kSqliteStoreSchemaVersion));
        db.Exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    return kSqliteStoreSchemaVersion;
}

SqliteStore::SqliteStore(const std::filesystem::path &path)
    : db_(path.string()),
      schema_version_(ConfigureAndMigrate(db_)),
      insert_alert_(db_, R"sql(INSERT OR IGNORE INTO alerts (candid, objectId, jd, fid, ra, dec, magpsf, sigmapsf,
          isdiffpos, rb, drb, programid, schemavsn, hpix, candidate, ingested_at)
          VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16))sql"),
      insert_cutout_(db_, "INSERT INTO cutouts (candid, kind, file_name, stamp_data) VALUES (?1, ?2, ?3, ?4)"),
      insert_cutout_location_(db_, R"sql(INSERT INTO cutout_locations (candid, kind, file_name, file_offset, length,
          crc32) VALUES (?1, ?2, ?3, ?4, ?5, ?6))sql"),
      insert_detection_(db_, kInsertDetection),
      promote_detection_(db_, kPromoteDetection),
      insert_upper_limit_(db_, R"sql(INSERT OR IGNORE INTO upper_limits (objectId, jd, fid, pid, diffmaglim,
          programid, field, rcid, source_candid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))sql"),
      insert_forced_(db_, R"sql(INSERT OR IGNORE INTO forced_photometry (objectId, jd, fid, pid, forcediffimflux,
          forcediffimfluxunc, diffmaglim, procstatus, programid, field, rcid, magzpsci, magzpsciunc, magzpscirms,
          exptime, distnr, magnr, sigmagnr, source_candid)
          VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19))sql"),
      select_object_(db_, "SELECT sum_x, sum_y, sum_z, n_alerts, ndet, first_jd, last_jd FROM objects WHERE objectId = ?1"),
      upsert_object_(db_, R"sql(INSERT OR REPLACE INTO objects (objectId, ra, dec, hpix, sum_x, sum_y, sum_z,
          n_alerts, ndet, first_jd, last_jd) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11))sql"),
      insert_rejection_(db_, R"sql(INSERT OR IGNORE INTO rejections (candid, objectId, jd, reason, rejected_at)
          VALUES (?1, ?2, ?3, ?4, ?5))sql"),
      insert_score_(db_, "INSERT INTO alert_scores (candid, model, score) VALUES (?1, ?2, ?3)"),
      insert_xmatch_(db_, "INSERT INTO alert_xmatch (candid, catalog, cat_row, sep_arcsec) VALUES (?1, ?2, ?3, ?4)"),
      select_alert_(db_, R"sql(SELECT objectId, jd, fid, ra, dec, magpsf, sigmapsf, rb, drb, isdiffpos, programid,
          schemavsn, candidate, ingested_at FROM alerts WHERE candid = ?1)sql"),
      select_cutouts_(db_, "SELECT kind, file_name, stamp_data FROM cutouts WHERE candid = ?1"),
      select_cutout_locations_(db_, R"sql(SELECT kind, file_name, file_offset, length, crc32 FROM cutout_locations
          WHERE candid = ?1)sql"),
      select_candids_(db_, "SELECT candid FROM alerts WHERE objectId = ?1 ORDER BY jd, candid"),
      object_exists_(db_, "SELECT 1 FROM objects WHERE objectId = ?1"),
      select_detections_(db_, std::string("SELECT ") + kDetectionColumns +
                                  " FROM detections WHERE objectId = ?1 ORDER BY jd, fid"),
      select_upper_limits_(db_, R"sql(SELECT jd, fid, pid, diffmaglim, programid, field, rcid, source_candid
          FROM upper_limits u WHERE objectId = ?1 AND NOT EXISTS
            (SELECT 1 FROM detections d WHERE d.objectId = u.objectId AND d.jd = u.jd AND d.fid = u.fid)
          ORDER BY jd, fid)sql"),
      select_forced_(db_, R"sql(SELECT jd, fid, pid, forcediffimflux, forcediffimfluxunc, diffmaglim, procstatus,
          programid, field, rcid, magzpsci, magzpsciunc, magzpscirms, exptime, distnr, magnr, sigmagnr, source_candid
          FROM forced_photometry WHERE objectId = ?1 ORDER BY jd, fid)sql"),
      select_rejection_(db_, "SELECT reason FROM rejections WHERE candid = ?1"),
      cone_range_(db_, R"sql(SELECT objectId, ra, dec, ndet, first_jd, last_jd FROM objects
          WHERE hpix BETWEEN ?1 AND ?2)sql"),
      select_scores_(db_, "SELECT model, score FROM alert_scores WHERE candid = ?1 ORDER BY model"),
      select_xmatch_(db_, "SELECT catalog, cat_row, sep_arcsec FROM alert_xmatch WHERE candid = ?1 ORDER BY catalog") {
    // Checkpoints in the background from 1024 pages (16 MiB, about one batch of alerts with cutouts); the
    // writer itself checkpoints only if the WAL reaches 16384 pages (256 MiB).
    if (db_.QueryText("PRAGMA journal_mode") == "wal") {
        cutout_file_ = std::make_unique<CutoutFile>(CutoutFile::PathFor(path));
        checkpointer_ = std::make_unique<SqliteCheckpointer>(db_.handle(), db_.path(), 1024, 16384,
                                                             [file = cutout_file_.get()] { file->Sync(); });
    }
}

SqliteStore::~SqliteStore() {
    // Closing the connection checkpoints what is left in the WAL: the stamps those rows point to go first.
    if (cutout_file_) cutout_file_->Sync();
}

// Rows come from LightCurveRows (light_curve_rows.hpp), which also states the merge rules applied here.
void SqliteStore::InsertDetection(const std::string &objectId, const LightCurvePoint &r, ObjectDelta &delta) {
    for (SqliteStatement *st : {&insert_detection_, &promote_detection_}) {
        st->Bind(1, std::string_view(objectId)).Bind(2, r.jd).Bind(3, r.fid);
        st->Bind(4, r.candid).Bind(5, r.pid).Bind(6, r.magpsf).Bind(7, r.sigmapsf).Bind(8, r.diffmaglim);
        st->Bind(9, r.isdiffpos).Bind(10, r.ra).Bind(11, r.dec).Bind(12, r.programid).Bind(13, r.field);
        st->Bind(14, r.rcid).Bind(15, r.rb).Bind(16, r.magnr).Bind(17, r.sigmagnr).Bind(18, r.distnr);
        st->Bind(19, r.magzpsci).Bind(20, r.source_candid).Bind(21, static_cast<int64_t>(r.from_candidate));
        if (st->Run() > 0) {
            if (st == &insert_detection_) {
                ++delta.new_detections;
                delta.first_jd = std::min(delta.first_jd, r.jd);
                delta.last_jd = std::max(delta.last_jd, r.jd);
            }
            return;
        }
        // Already there: only the alert's own candidate may replace a prv_candidates copy.
        if (!r.from_candidate) return;
    }
}

void SqliteStore::InsertForcedPhotometry(const std::string &objectId, const ForcedPhotometryPoint &r) {
    auto &st = insert_forced_;
    st.Bind(1, std::string_view(objectId)).Bind(2, r.jd).Bind(3, r.fid).Bind(4, r.pid);
    st.Bind(5, r.forcediffimflux).Bind(6, r.forcediffimfluxunc).Bind(7, r.diffmaglim).Bind(8, r.procstatus);
    st.Bind(9, r.programid).Bind(10, r.field).Bind(11, r.rcid).Bind(12, r.magzpsci).Bind(13, r.magzpsciunc);
    st.Bind(14, r.magzpscirms).Bind(15, r.exptime).Bind(16, r.distnr).Bind(17, r.magnr).Bind(18, r.sigmagnr);
    st.Bind(19, r.source_candid);
    st.Run();
}

void SqliteStore::InsertUpperLimit(const std::string &objectId, const UpperLimit &r) {
    auto &st = insert_upper_limit_;
    st.Bind(1, std::string_view(objectId)).Bind(2, r.jd).Bind(3, r.fid).Bind(4, r.pid);
    st.Bind(5, r.diffmaglim).Bind(6, r.programid).Bind(7, r.field).Bind(8, r.rcid).Bind(9, r.source_candid);
    st.Run();
}

void SqliteStore::UpdateObject(const Alert &a, const ObjectDelta &delta) {
    std::array<double, 3> sum{0, 0, 0};
    int64_t n_alerts = 0, ndet = 0;
    double first_jd = delta.first_jd, last_jd = delta.last_jd;
    select_object_.Bind(1, std::string_view(a.objectId));
    if (select_object_.Step()) {
        sum = {select_object_.Double(0), select_object_.Double(1), select_object_.Double(2)};
        n_alerts = select_object_.Int64(3);
        ndet = select_object_.Int64(4);
        if (!select_object_.IsNull(5)) first_jd = std::min(first_jd, select_object_.Double(5));
        if (!select_object_.IsNull(6)) last_jd = std::max(last_jd, select_object_.Double(6));
        select_object_.Reset();
    }
    const auto v = UnitVector(*a.candidate.ra, *a.candidate.dec);
    for (int i = 0; i < 3; ++i) sum[i] += v[i];
    double ra = 0, dec = 0;
    VectorToRaDec(sum, ra, dec);
    ndet += delta.new_detections;

    auto &st = upsert_object_;
    st.Bind(1, std::string_view(a.objectId)).Bind(2, ra).Bind(3, dec).Bind(4, SkyPixel(ra, dec));
    st.Bind(5, sum[0]).Bind(6, sum[1]).Bind(7, sum[2]).Bind(8, n_alerts + 1).Bind(9, ndet);
    if (std::isfinite(first_jd)) st.Bind(10, first_jd).Bind(11, last_jd);
    st.Run();
}

void SqliteStore::StoreCutouts(const Alert &a) {
    for (CutoutKind k : kCutoutKinds) {
        const auto &cut = a.cutout(k);
        if (!cut) continue;
        if (cutout_file_) {
            const CutoutLocation where = cutout_file_->Stage(cut->stamp_data);
            auto &st = insert_cutout_location_;
            st.Bind(1, a.candid).Bind(2, CutoutFieldName(k)).Bind(3, std::string_view(cut->file_name));
            st.Bind(4, where.offset).Bind(5, where.length).Bind(6, static_cast<int64_t>(where.crc32));
            st.Run();
        } else {
            insert_cutout_.Bind(1, a.candid).Bind(2, CutoutFieldName(k)).Bind(3, std::string_view(cut->file_name));
            insert_cutout_.BindBlob(4, cut->stamp_data);
            insert_cutout_.Run();
        }
    }
}

bool SqliteStore::StoreAlert(const Alert &a, const AlertAnnotations *annotations, double now) {
    const Candidate &c = a.candidate;
    const std::string json = CandidateToJson(c);
    const std::string schemavsn = a.SchemaVersion();
    auto &st = insert_alert_;
    st.Bind(1, a.candid).Bind(2, std::string_view(a.objectId)).Bind(3, *c.jd).Bind(4, *c.fid);
    st.Bind(5, *c.ra).Bind(6, *c.dec).Bind(7, c.magpsf).Bind(8, c.sigmapsf).Bind(9, c.isdiffpos);
    st.Bind(10, c.rb).Bind(11, c.drb).Bind(12, c.programid).Bind(13, std::string_view(schemavsn));
    st.Bind(14, SkyPixel(*c.ra, *c.dec)).Bind(15, std::string_view(json)).Bind(16, now);
    if (st.Run() == 0) return false;  // candid already stored: a duplicate changes nothing

    StoreCutouts(a);
    if (annotations) {
        for (const ScoreAnnotation &sc : annotations->scores) {
            insert_score_.Bind(1, a.candid).Bind(2, std::string_view(sc.model)).Bind(3, sc.score);
            insert_score_.Run();
        }
        for (const CatalogMatchAnnotation &m : annotations->xmatch) {
            insert_xmatch_.Bind(1, a.candid).Bind(2, std::string_view(m.catalog)).Bind(3, m.cat_row).Bind(4, m.sep_arcsec);
            insert_xmatch_.Run();
        }
    }

    ObjectDelta delta;
    const AlertLightCurveRows rows = LightCurveRows(a);
    for (const LightCurvePoint &p : rows.detections) InsertDetection(a.objectId, p, delta);
    for (const UpperLimit &u : rows.upper_limits) InsertUpperLimit(a.objectId, u);
    for (const ForcedPhotometryPoint &f : rows.forced_photometry) InsertForcedPhotometry(a.objectId, f);
    UpdateObject(a, delta);
    return true;
}

WriteSummary SqliteStore::Write(std::span<const Alert> accepted, std::span<const Rejection> rejected,
                                std::span<const AlertAnnotations> annotations) {
    WriteSummary summary;
    if (accepted.empty() && rejected.empty()) return summary;
    // Before any database work: invalid input fails the whole call, as a failed transaction would.
    for (const Alert &a : accepted) ValidateAlertForStore(a);
    ValidateAnnotationsForStore(accepted, annotations);
    const double now = UnixNow();
    // IMMEDIATE takes the write lock now (waiting up to the busy timeout) instead of failing half-way.
    db_.Exec("BEGIN IMMEDIATE");
    try {
        // Under the write lock from here: this batch's stamps go at the current end of the cutout file.
        if (cutout_file_) cutout_file_->BeginBatch();
        summary.is_new.reserve(accepted.size());
        for (size_t i = 0; i < accepted.size(); ++i) {
            const bool is_new = StoreAlert(accepted[i], annotations.empty() ? nullptr : &annotations[i], now);
            summary.is_new.push_back(is_new);
            ++(is_new ? summary.stored : summary.duplicates);
        }
        // The stamps are in the file before any committed row points to them.
        if (cutout_file_) cutout_file_->WriteBatch();
        for (const Rejection &r : rejected) {
            auto &st = insert_rejection_;
            st.Bind(1, r.candid).Bind(2, std::string_view(r.objectId)).Bind(3, r.jd);
            st.Bind(4, std::string_view(r.reason)).Bind(5, now);
            ++(st.Run() > 0 ? summary.rejections_recorded : summary.rejection_duplicates);
        }
        db_.Exec("COMMIT");
    } catch (...) {
        // ROLLBACK may itself fail when SQLite already rolled back (e.g. SQLITE_FULL); nothing to add then.
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        if (cutout_file_) cutout_file_->AbandonBatch();
        throw;
    }
    return summary;
}

StoreStats SqliteStore::Stats() {
    StoreStats s;
    // One read transaction so the counts agree with each other while another process writes.
    db_.Exec("BEGIN");
    try {
        s.alerts = db_.QueryInt("SELECT count(*) FROM alerts");
        s.objects = db_.QueryInt("SELECT count(*) FROM objects");
        s.detections = db_.QueryInt("SELECT count(*) FROM detections");
        s.upper_limits = db_.QueryInt("SELECT count(*) FROM upper_limits");
        s.forced_photometry = db_.QueryInt("SELECT count(*) FROM forced_photometry");
        s.cutouts = db_.QueryInt("SELECT (SELECT count(*) FROM cutouts) + (SELECT count(*) FROM cutout_locations)");
        SqliteStatement st(db_, "SELECT reason, count(*) FROM rejections GROUP BY reason");
        while (st.Step()) s.rejected[st.Text(0)] = st.Int64(1);
        SqliteStatement scored(db_, "SELECT model, count(*) FROM alert_scores GROUP BY model");
        while (scored.Step()) s.scored[scored.Text(0)] = scored.Int64(1);
        SqliteStatement matched(db_, "SELECT catalog, count(*) FROM alert_xmatch GROUP BY catalog");
        while (matched.Step()) s.matched[matched.Text(0)] = matched.Int64(1);
        db_.Exec("COMMIT");
    } catch (...) {
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
    return s;
}

std::optional<LightCurve> SqliteStore::GetLightCurve(const std::string &objectId) {
    object_exists_.Bind(1, std::string_view(objectId));
    if (!object_exists_.Step()) return std::nullopt;
    object_exists_.Reset();

    LightCurve lc;
    lc.objectId = objectId;
    auto &d = select_detections_;
    d.Bind(1, std::string_view(objectId));
    while (d.Step()) {
        LightCurvePoint p;
        p.jd = d.Double(0);
        p.fid = d.Int(1);
        p.candid = d.OptInt64(2);
        p.pid = d.OptInt64(3);
        p.magpsf = d.OptFloat(4);
        p.sigmapsf = d.OptFloat(5);
        p.diffmaglim = d.OptFloat(6);
        p.isdiffpos = d.OptText(7);
        p.ra = d.OptDouble(8);
        p.dec = d.OptDouble(9);
        p.programid = d.OptInt(10);
        p.field = d.OptInt(11);
        p.rcid = d.OptInt(12);
        p.rb = d.OptFloat(13);
        p.magnr = d.OptFloat(14);
        p.sigmagnr = d.OptFloat(15);
        p.distnr = d.OptFloat(16);
        p.magzpsci = d.OptFloat(17);
        p.source_candid = d.Int64(18);
        p.from_candidate = d.Int(19) != 0;
        lc.detections.push_back(std::move(p));
    }
    auto &u = select_upper_limits_;
    u.Bind(1, std::string_view(objectId));
    while (u.Step()) {
        UpperLimit p;
        p.jd = u.Double(0);
        p.fid = u.Int(1);
        p.pid = u.OptInt64(2);
        p.diffmaglim = u.OptFloat(3);
        p.programid = u.OptInt(4);
        p.field = u.OptInt(5);
        p.rcid = u.OptInt(6);
        p.source_candid = u.Int64(7);
        lc.upper_limits.push_back(p);
    }
    auto &f = select_forced_;
    f.Bind(1, std::string_view(objectId));
    while (f.Step()) {
        ForcedPhotometryPoint p;
        p.jd = f.Double(0);
        p.fid = f.Int(1);
        p.pid = f.OptInt64(2);
        p.forcediffimflux = f.OptFloat(3);
        p.forcediffimfluxunc = f.OptFloat(4);
        p.diffmaglim = f.OptFloat(5);
        p.procstatus = f.OptText(6);
        p.programid = f.OptInt(7);
        p.field = f.OptInt(8);
        p.rcid = f.OptInt(9);
        p.magzpsci = f.OptFloat(10);
        p.magzpsciunc = f.OptFloat(11);
        p.magzpscirms = f.OptFloat(12);
        p.exptime = f.OptFloat(13);
        p.distnr = f.OptFloat(14);
        p.magnr = f.OptFloat(15);
        p.sigmagnr = f.OptFloat(16);
        p.source_candid = f.Int64(17);
        lc.forced_photometry.push_back(std::move(p));
    }
    return lc;
}

std::vector<ConeMatch> SqliteStore::ConeSearchObjects(double ra_deg, double dec_deg, double radius_arcsec) {
    if (!std::isfinite(ra_deg) || !std::isfinite(dec_deg) || std::abs(dec_deg) > 90.0 ||
        !std::isfinite(radius_arcsec) || radius_arcsec < 0)
        throw RivuletError(ErrorKind::kInvalidInput, "cone search: bad position or radius (ra " +
                                                         std::to_string(ra_deg) + ", dec " + std::to_string(dec_deg) +
                                                         ", radius " + std::to_string(radius_arcsec) + "\")");
    std::vector<ConeMatch> out;
    // The pixel ranges are a superset of the disc; the exact distance decides. A small margin keeps
    // objects exactly on the rim inside despite rounding in the HEALPix query.
    const double query_deg = radius_arcsec / 3600.0 + 1e-9;
    for (const auto &[first, last] : SkyPixelRanges(ra_deg, dec_deg, query_deg)) {
        cone_range_.Bind(1, first).Bind(2, last);
        while (cone_range_.Step()) {
            ConeMatch m;
            m.ra = cone_range_.Double(1);
            m.dec = cone_range_.Double(2);
            m.sep_arcsec = AngularSeparationArcsec(ra_deg, dec_deg, m.ra, m.dec);
            if (m.sep_arcsec > radius_arcsec) continue;
            m.objectId = cone_range_.Text(0);
            m.ndet = cone_range_.Int64(3);
            m.first_jd = cone_range_.IsNull(4) ? NAN : cone_range_.Double(4);
            m.last_jd = cone_range_.IsNull(5) ? NAN : cone_range_.Double(5);
            out.push_back(std::move(m));
        }
    }
    std::sort(out.begin(), out.end(), [](const ConeMatch &a, const ConeMatch &b) {
        return a.sep_arcsec != b.sep_arcsec ? a.sep_arcsec < b.sep_arcsec : a.objectId < b.objectId;
    });
    return out;
}

std::optional<StoredAlert> SqliteStore::GetAlert(int64_t candid) {
    auto &st = select_alert_;
    st.Bind(1, candid);
    if (!st.Step()) return std::nullopt;
    StoredAlert a;
    a.candid = candid;
    a.objectId = st.Text(0);
    a.jd = st.Double(1);
    a.fid = st.Int(2);
    a.ra = st.Double(3);
    a.dec = st.Double(4);
    a.magpsf = st.OptFloat(5);
    a.sigmapsf = st.OptFloat(6);
    a.rb = st.OptFloat(7);
    a.drb = st.OptFloat(8);
    a.isdiffpos = st.OptText(9);
    a.programid = st.OptInt(10);
    a.schemavsn = st.Text(11);
    a.candidate_json = st.Text(12);
    a.ingested_at = st.Double(13);
    st.Reset();

    ReadCutouts(candid, a.cutouts);
    select_scores_.Bind(1, candid);
    while (select_scores_.Step()) a.annotations.scores.push_back({select_scores_.Text(0), select_scores_.Double(1)});
    select_xmatch_.Bind(1, candid);
    while (select_xmatch_.Step())
        a.annotations.xmatch.push_back({select_xmatch_.Text(0), select_xmatch_.Int64(1), select_xmatch_.Double(2)});
    return a;
}

void SqliteStore::ReadCutouts(int64_t candid, CutoutTriplet &out) {
    const auto slot = [&out](const std::string &kind) -> std::optional<Cutout> * {
        const auto k = CutoutKindOfField(kind);
        return k ? &out[static_cast<int>(*k)] : nullptr;
    };
    // Stamps stored before schema version 3, or by an in-memory store.
    auto &c = select_cutouts_;
    c.Bind(1, candid);
    while (c.Step()) {
        if (auto *s = slot(c.Text(0))) {
            const auto blob = c.Blob(2);
            *s = Cutout{c.Text(1), std::vector<uint8_t>(blob.begin(), blob.end())};
        }
    }
    auto &l = select_cutout_locations_;
    l.Bind(1, candid);
    while (l.Step()) {
        const std::string kind = l.Text(0);
        auto *s = slot(kind);
        if (!s) continue;
        const CutoutLocation where{l.Int64(2), l.Int64(3), static_cast<uint32_t>(l.Int64(4))};
        try {
            if (!cutout_file_) db_.Fail("read cutouts", "cutout locations in an in-memory store");
            *s = Cutout{l.Text(1), cutout_file_->Read(where)};
        } catch (const RivuletError &e) {
            l.Reset();  // a statement left mid-step would hold its read lock
            throw RivuletError(e.kind(), std::string(e.what()) + " (candid " + std::to_string(candid) + ", " + kind + ")");
        }
    }
}

std::vector<int64_t> SqliteStore::AlertCandids(const std::string &objectId) {
    std::vector<int64_t> out;
    select_candids_.Bind(1, std::string_view(objectId));
    while (select_candids_.Step()) out.push_back(select_candids_.Int64(0));
    return out;
}

std::optional<std::string> SqliteStore::RejectionReason(int64_t candid) {
    select_rejection_.Bind(1, candid);
    if (!select_rejection_.Step()) return std::nullopt;
    std::string reason = select_rejection_.Text(0);
    select_rejection_.Reset();
    return reason;
}

}  // namespace

std::unique_ptr<Store> OpenSqliteStore(const std::filesystem::path &path) {
    return std::make_unique<SqliteStore>(path);
}

}  // namespace rivulet
