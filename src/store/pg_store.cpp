#include "store/pg_store.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>
#include <unordered_set>

#include "alert/alert_format.hpp"
#include "common/error.hpp"
#include "store/annotation_validation.hpp"
#include "store/light_curve_rows.hpp"
#include "store/pg_connection.hpp"
#include "store/sky_distance.hpp"

namespace rivulet {

namespace {

// Schema version 1: the tables of the SQLite store (sqlite_store.cpp), with PostgreSQL types. Float
// fields are `real` (float4, exact for the schema's floats), doubles `double precision`. Light-curve
// tables are keyed by (objectid, jd, fid). Positions are indexed with Q3C instead of a HEALPix column.
constexpr const char *kSchemaV1 = R"sql(
CREATE TABLE schema_version (version integer NOT NULL);

CREATE TABLE objects (
  objectid text PRIMARY KEY,
  ra double precision NOT NULL, dec double precision NOT NULL,
  sum_x double precision NOT NULL, sum_y double precision NOT NULL, sum_z double precision NOT NULL,
  n_alerts bigint NOT NULL,
  ndet bigint NOT NULL, first_jd double precision, last_jd double precision
);
CREATE INDEX objects_q3c ON objects (q3c_ang2ipix(ra, dec));

CREATE TABLE alerts (
  candid bigint PRIMARY KEY,
  objectid text NOT NULL,
  jd double precision NOT NULL, fid integer NOT NULL,
  ra double precision NOT NULL, dec double precision NOT NULL,
  magpsf real, sigmapsf real, isdiffpos text, rb real, drb real, programid integer,
  schemavsn text NOT NULL,
  candidate json NOT NULL,                    -- complete candidate record, ZTF field names, as written
  ingested_at double precision NOT NULL       -- Unix time, s
);
CREATE INDEX alerts_object ON alerts (objectid, jd);
CREATE INDEX alerts_q3c ON alerts (q3c_ang2ipix(ra, dec));

CREATE TABLE cutouts (
  candid bigint NOT NULL,
  kind text NOT NULL,                         -- cutoutScience, cutoutTemplate, cutoutDifference
  file_name text NOT NULL,
  stamp_data bytea NOT NULL,                  -- exactly as received (gzipped FITS)
  PRIMARY KEY (candid, kind)
);
-- Stamps are gzipped already: store them out of line without trying to compress them again.
ALTER TABLE cutouts ALTER COLUMN stamp_data SET STORAGE EXTERNAL;

CREATE TABLE detections (
  objectid text NOT NULL, jd double precision NOT NULL, fid integer NOT NULL,
  candid bigint, pid bigint,
  magpsf real, sigmapsf real, diffmaglim real, isdiffpos text,
  ra double precision, dec double precision, programid integer, field integer, rcid integer, rb real,
  magnr real, sigmagnr real, distnr real, magzpsci real,
  source_candid bigint NOT NULL,              -- the stored alert this row was taken from
  from_candidate boolean NOT NULL,            -- that alert's own candidate, or its prv_candidates
  PRIMARY KEY (objectid, jd, fid)
);
CREATE INDEX detections_candid ON detections (candid);

CREATE TABLE upper_limits (
  objectid text NOT NULL, jd double precision NOT NULL, fid integer NOT NULL,
  pid bigint, diffmaglim real, programid integer, field integer, rcid integer,
  source_candid bigint NOT NULL,
  PRIMARY KEY (objectid, jd, fid)
);

CREATE TABLE forced_photometry (
  objectid text NOT NULL, jd double precision NOT NULL, fid integer NOT NULL,
  pid bigint, forcediffimflux real, forcediffimfluxunc real, diffmaglim real, procstatus text,
  programid integer, field integer, rcid integer,
  magzpsci real, magzpsciunc real, magzpscirms real, exptime real,
  distnr real, magnr real, sigmagnr real,
  source_candid bigint NOT NULL,
  PRIMARY KEY (objectid, jd, fid)
);

CREATE TABLE rejections (
  candid bigint PRIMARY KEY,
  objectid text NOT NULL, jd double precision NOT NULL,
  reason text NOT NULL,
  rejected_at double precision NOT NULL       -- Unix time, s
);
)sql";

// Schema version 2: annotations written with each new alert (as in the SQLite store).
constexpr const char *kMigrateV1ToV2 = R"sql(
CREATE TABLE alert_scores (
  candid bigint NOT NULL,
  model text NOT NULL,                        -- model version: tN_fN_cN, or e.g. d6_m7
  score double precision NOT NULL,
  PRIMARY KEY (candid, model)
);
CREATE TABLE alert_xmatch (
  candid bigint NOT NULL,
  catalog text NOT NULL,                      -- configured catalog name
  cat_row bigint NOT NULL,                    -- 0-based row in the catalog file
  sep_arcsec double precision NOT NULL,
  PRIMARY KEY (candid, catalog)
);
)sql";

// Our tables, to tell an empty database from someone else's tables under our names.
constexpr std::array<const char *, 10> kTables = {"schema_version", "objects",      "alerts",
                                                  "cutouts",        "detections",   "upper_limits",
                                                  "forced_photometry", "rejections", "alert_scores",
                                                  "alert_xmatch"};

// Per-connection staging tables: a Write COPYs its rows here, then merges them with set-based statements.
// ON COMMIT DELETE ROWS empties them at each commit; a rollback discards what an aborted Write put in.
constexpr const char *kStagingTables = R"sql(
SET client_min_messages = warning;
CREATE TEMP TABLE IF NOT EXISTS stage_alerts (
  candid bigint, objectid text, jd float8, fid int, ra float8, dec float8, magpsf real, sigmapsf real,
  isdiffpos text, rb real, drb real, programid int, schemavsn text, candidate text) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_detections (
  seq bigint, objectid text, jd float8, fid int, candid bigint, pid bigint, magpsf real, sigmapsf real,
  diffmaglim real, isdiffpos text, ra float8, dec float8, programid int, field int, rcid int, rb real,
  magnr real, sigmagnr real, distnr real, magzpsci real, source_candid bigint, from_candidate bool)
  ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_upper_limits (
  seq bigint, objectid text, jd float8, fid int, pid bigint, diffmaglim real, programid int, field int,
  rcid int, source_candid bigint) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_forced (
  seq bigint, objectid text, jd float8, fid int, pid bigint, forcediffimflux real, forcediffimfluxunc real,
  diffmaglim real, procstatus text, programid int, field int, rcid int, magzpsci real, magzpsciunc real,
  magzpscirms real, exptime real, distnr real, magnr real, sigmagnr real, source_candid bigint)
  ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_object_ids (objectid text) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_objects (
  objectid text, ra float8, dec float8, sum_x float8, sum_y float8, sum_z float8, n_alerts bigint,
  ndet bigint, first_jd float8, last_jd float8) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_rejections (candid bigint, objectid text, jd float8, reason text)
  ON COMMIT DELETE ROWS;
)sql";

constexpr const char *kAlertColumns =
    "candid, objectid, jd, fid, ra, dec, magpsf, sigmapsf, isdiffpos, rb, drb, programid, schemavsn";

constexpr const char *kDetectionColumns =
    "objectid, jd, fid, candid, pid, magpsf, sigmapsf, diffmaglim, isdiffpos, ra, dec, programid, field, rcid, "
    "rb, magnr, sigmagnr, distnr, magzpsci, source_candid, from_candidate";
constexpr const char *kUpperLimitColumns = "objectid, jd, fid, pid, diffmaglim, programid, field, rcid, source_candid";
constexpr const char *kForcedColumns =
    "objectid, jd, fid, pid, forcediffimflux, forcediffimfluxunc, diffmaglim, procstatus, programid, field, rcid, "
    "magzpsci, magzpsciunc, magzpscirms, exptime, distnr, magnr, sigmagnr, source_candid";

// New epochs of a batch. Per (objectid, jd, fid) the batch offers one row: an alert's own candidate
// before prv_candidates copies, then the earliest in the batch (seq) — what the SQLite store keeps when
// it applies the same rows one by one. Returns, per object, the new detections and their jd range.
const std::string kInsertDetections = std::string(R"sql(
WITH chosen AS (
  SELECT DISTINCT ON (objectid, jd, fid) * FROM stage_detections
  ORDER BY objectid, jd, fid, from_candidate DESC, seq),
ins AS (
  INSERT INTO detections ()sql") + kDetectionColumns + ") SELECT " + kDetectionColumns + R"sql( FROM chosen
  ON CONFLICT (objectid, jd, fid) DO NOTHING
  RETURNING objectid, jd)
SELECT objectid, count(*), min(jd), max(jd) FROM ins GROUP BY objectid)sql";

// An alert's own candidate replaces a copy of the same epoch stored earlier from another alert's
// prv_candidates (rows this batch inserted are already the batch's best, so only older ones change).
// Upper limits and forced photometry: the first stored row of an epoch stays.
const std::string kMergeRest = std::string(R"sql(
UPDATE detections d SET candid = c.candid, pid = c.pid, magpsf = c.magpsf, sigmapsf = c.sigmapsf,
  diffmaglim = c.diffmaglim, isdiffpos = c.isdiffpos, ra = c.ra, dec = c.dec, programid = c.programid,
  field = c.field, rcid = c.rcid, rb = c.rb, magnr = c.magnr, sigmagnr = c.sigmagnr, distnr = c.distnr,
  magzpsci = c.magzpsci, source_candid = c.source_candid, from_candidate = true
FROM (SELECT DISTINCT ON (objectid, jd, fid) * FROM stage_detections WHERE from_candidate
      ORDER BY objectid, jd, fid, seq) c
WHERE d.objectid = c.objectid AND d.jd = c.jd AND d.fid = c.fid AND NOT d.from_candidate;
INSERT INTO upper_limits ()sql") + kUpperLimitColumns + ") SELECT " + kUpperLimitColumns + R"sql( FROM
  (SELECT DISTINCT ON (objectid, jd, fid) * FROM stage_upper_limits ORDER BY objectid, jd, fid, seq) u
  ON CONFLICT (objectid, jd, fid) DO NOTHING;
INSERT INTO forced_photometry ()sql" + kForcedColumns + ") SELECT " + kForcedColumns + R"sql( FROM
  (SELECT DISTINCT ON (objectid, jd, fid) * FROM stage_forced ORDER BY objectid, jd, fid, seq) f
  ON CONFLICT (objectid, jd, fid) DO NOTHING;
)sql";

// An object's summary is folded on the client, alert by alert in batch order, exactly as the SQLite
// store does (floating-point sums depend on the order). Rows are created empty first so that FOR UPDATE
// can lock every object of the batch, new or not, against concurrent writers; in objectid order, so
// that two writers lock in the same order.
constexpr const char *kLockObjects = R"sql(
INSERT INTO objects (objectid, ra, dec, sum_x, sum_y, sum_z, n_alerts, ndet)
  SELECT objectid, 0, 0, 0, 0, 0, 0, 0 FROM stage_object_ids ORDER BY objectid
  ON CONFLICT (objectid) DO NOTHING)sql";
constexpr const char *kSelectObjectsForUpdate = R"sql(
SELECT o.objectid, o.sum_x, o.sum_y, o.sum_z, o.n_alerts, o.ndet, o.first_jd, o.last_jd
FROM objects o JOIN stage_object_ids s ON s.objectid = o.objectid
ORDER BY o.objectid FOR UPDATE OF o)sql";
constexpr const char *kUpdateObjects = R"sql(
UPDATE objects o SET ra = s.ra, dec = s.dec, sum_x = s.sum_x, sum_y = s.sum_y, sum_z = s.sum_z,
  n_alerts = s.n_alerts, ndet = s.ndet, first_jd = s.first_jd, last_jd = s.last_jd
FROM stage_objects s WHERE o.objectid = s.objectid)sql";

double UnixNow() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

// An object's summary row while a batch is folded into it.
struct ObjectState {
    std::array<double, 3> sum{0, 0, 0};
    int64_t n_alerts = 0, ndet = 0;
    std::optional<double> first_jd, last_jd;
};

class PostgresStore final : public Store {
public:
    PostgresStore(const std::string &uri, const PostgresStoreOptions &options);

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
    //! Creates or migrates the schema (serialised across processes by an advisory lock).
    void Migrate();
    //! Session settings and staging tables; after every (re)connect.
    void SetUpSession() { db_.Exec(kStagingTables, "create staging tables"); }
    //! Runs `fn` (a whole transaction or a read), reconnecting and running it again with back-off while
    //! it fails with a retriable error; a transaction left open by a failure is rolled back.
    template <class F>
    auto Retrying(std::string_view what, F &&fn) -> decltype(fn());
    WriteSummary WriteOnce(std::span<const Alert> accepted, std::span<const Rejection> rejected,
                           std::span<const AlertAnnotations> annotations);
    void StoreNewAlerts(const std::vector<const Alert *> &fresh);
    //! Annotations of the new alerts (`fresh` point into `accepted`; `annotations` parallels it).
    void StoreAnnotations(const std::vector<const Alert *> &fresh, std::span<const Alert> accepted,
                          std::span<const AlertAnnotations> annotations);
    void UpdateObjects(const std::vector<const Alert *> &fresh, const std::map<std::string, ObjectState> &delta);

    PostgresStoreOptions options_;
    PgConnection db_;
};

PostgresStore::PostgresStore(const std::string &uri, const PostgresStoreOptions &options)
    : options_(options), db_(uri) {
    Migrate();
    SetUpSession();
}

void PostgresStore::Migrate() {
    db_.Exec("BEGIN", "begin");
    try {
        // Two processes opening a new database at once would both try to create the tables.
        db_.Exec("SELECT pg_advisory_xact_lock(5283723895245312001)", "lock schema");
        db_.Exec("CREATE EXTENSION IF NOT EXISTS q3c", "create extension q3c");
        auto exists = [&](const char *table) {
            return db_.Query("SELECT to_regclass($1) IS NOT NULL", PgParams().Text(table), "open").Bool(0, 0);
        };
        int64_t version = 0;
        if (exists("schema_version")) {
            auto r = db_.Query("SELECT max(version) FROM schema_version", "read schema version");
            // The table is created and filled in one transaction: empty, it is not ours.
            if (r.IsNull(0, 0))
                throw PgError(db_.display_name() + ": open: not a Rivulet store (schema_version is empty)", false, "");
            version = r.Int64(0, 0);
        } else {
            for (const char *t : kTables)
                if (exists(t))
                    throw PgError(db_.display_name() + ": open: not a Rivulet store (table " + t +
                                      " present, no schema_version)",
                                  false, "");
        }
        if (version > kPostgresStoreSchemaVersion)
            throw PgError(db_.display_name() + ": open: store schema version " + std::to_string(version) +
                              " is newer than this Rivulet's (" + std::to_string(kPostgresStoreSchemaVersion) + ")",
                          false, "");
        if (version == 0) db_.Exec(kSchemaV1, "create schema");
        // Migrations from version N to N+1, each in this same transaction; a new store runs them all.
        if (version < 2) db_.Exec(kMigrateV1ToV2, "migrate schema to version 2");
        if (version < kPostgresStoreSchemaVersion)
            db_.Exec("DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
                         std::to_string(kPostgresStoreSchemaVersion) + ")",
                     "record schema version");
        db_.Exec("COMMIT", "commit schema");
    } catch (...) {
        db_.RollbackQuietly();
        throw;
    }
}

template <class F>
auto PostgresStore::Retrying(std::string_view what, F &&fn) -> decltype(fn()) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto delay = options_.initial_backoff;
    for (int attempt = 1;; ++attempt) {
        try {
            if (!db_.Ok()) {
                db_.Reconnect();
                SetUpSession();
            }
            return fn();
        } catch (const PgError &e) {
            db_.RollbackQuietly();
            const auto waited = Clock::now() - start;
            if (!e.retriable()) throw;
            if (attempt >= options_.max_attempts || waited + delay > options_.max_retry_time) {
                const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(waited).count();
                throw PgError(std::string(e.what()) + " (" + std::string(what) + ": gave up after " +
                                  std::to_string(attempt) + " attempts in " + std::to_string(ms) + " ms)",
                              false, e.sqlstate());
            }
            std::this_thread::sleep_for(delay);
            delay = std::min(delay * 2, options_.max_backoff);
        } catch (...) {
            db_.RollbackQuietly();
            throw;
        }
    }
}

WriteSummary PostgresStore::Write(std::span<const Alert> accepted, std::span<const Rejection> rejected,
                                  std::span<const AlertAnnotations> annotations) {
    if (accepted.empty() && rejected.empty()) return {};
    // Before any database work: invalid input fails the whole call, as a failed transaction would.
    for (const Alert &a : accepted) ValidateAlertForStore(a);
    ValidateAnnotationsForStore(accepted, annotations);
    return Retrying("write", [&] { return WriteOnce(accepted, rejected, annotations); });
}

WriteSummary PostgresStore::WriteOnce(std::span<const Alert> accepted, std::span<const Rejection> rejected,
                                      std::span<const AlertAnnotations> annotations) {
    WriteSummary summary;
    const double now = UnixNow();
    db_.Exec("BEGIN", "begin");

    // Alerts: the first copy of each candid in the batch is offered; later copies are duplicates.
    std::vector<const Alert *> offered;
    std::unordered_set<int64_t> seen;
    for (const Alert &a : accepted) {
        if (seen.insert(a.candid).second) offered.push_back(&a);
        else ++summary.duplicates;
    }
    std::vector<const Alert *> fresh;
    if (!offered.empty()) {
        PgCopyWriter w;
        for (const Alert *a : offered) {
            const Candidate &c = a->candidate;
            w.Row(14).Int64(a->candid).Text(a->objectId).Double(*c.jd).Int32(*c.fid).Double(*c.ra).Double(*c.dec);
            w.Opt(c.magpsf).Opt(c.sigmapsf).Opt(c.isdiffpos).Opt(c.rb).Opt(c.drb).Opt(c.programid);
            w.Text(a->SchemaVersion()).Text(CandidateToJson(c));
        }
        db_.CopyIn(std::string("stage_alerts (") + kAlertColumns + ", candidate)", std::move(w).Finish(),
                   "stage alerts");
        auto res = db_.Query(std::string("INSERT INTO alerts (") + kAlertColumns + ", candidate, ingested_at) SELECT " +
                                 kAlertColumns + ", candidate::json, $1 FROM stage_alerts " +
                                 "ON CONFLICT (candid) DO NOTHING RETURNING candid",
                             PgParams().Double(now), "insert alerts");
        std::unordered_set<int64_t> inserted;
        for (int r = 0; r < res.rows(); ++r) inserted.insert(res.Int64(r, 0));
        for (const Alert *a : offered)
            if (inserted.count(a->candid)) fresh.push_back(a);
    }
    summary.stored = fresh.size();
    summary.duplicates += offered.size() - fresh.size();
    const std::unordered_set<const Alert *> fresh_set(fresh.begin(), fresh.end());
    summary.is_new.reserve(accepted.size());
    for (const Alert &a : accepted) summary.is_new.push_back(fresh_set.count(&a) > 0);
    if (!fresh.empty()) StoreNewAlerts(fresh);
    if (!fresh.empty() && !annotations.empty()) StoreAnnotations(fresh, accepted, annotations);

    if (!rejected.empty()) {
        std::unordered_set<int64_t> seen_rej;
        PgCopyWriter w;
        for (const Rejection &r : rejected) {
            if (!seen_rej.insert(r.candid).second) {
                ++summary.rejection_duplicates;
                continue;
            }
            w.Row(4).Int64(r.candid).Text(r.objectId).Double(r.jd).Text(r.reason);
        }
        const size_t offered_rej = w.rows();
        db_.CopyIn("stage_rejections (candid, objectid, jd, reason)", std::move(w).Finish(), "stage rejections");
        auto res = db_.Query("INSERT INTO rejections (candid, objectid, jd, reason, rejected_at) "
                             "SELECT candid, objectid, jd, reason, $1 FROM stage_rejections "
                             "ON CONFLICT (candid) DO NOTHING RETURNING 1",
                             PgParams().Double(now), "insert rejections");
        summary.rejections_recorded = static_cast<size_t>(res.rows());
        summary.rejection_duplicates += offered_rej - summary.rejections_recorded;
    }
    db_.Exec("COMMIT", "commit");
    return summary;
}

void PostgresStore::StoreAnnotations(const std::vector<const Alert *> &fresh, std::span<const Alert> accepted,
                                     std::span<const AlertAnnotations> annotations) {
    // The alerts are new, so are the keys: straight into the tables.
    PgCopyWriter scores, matches;
    for (const Alert *a : fresh) {
        const AlertAnnotations &an = annotations[static_cast<size_t>(a - accepted.data())];
        for (const ScoreAnnotation &sc : an.scores) scores.Row(3).Int64(a->candid).Text(sc.model).Double(sc.score);
        for (const CatalogMatchAnnotation &m : an.xmatch)
            matches.Row(4).Int64(a->candid).Text(m.catalog).Int64(m.cat_row).Double(m.sep_arcsec);
    }
    if (scores.rows()) db_.CopyIn("alert_scores (candid, model, score)", std::move(scores).Finish(), "copy scores");
    if (matches.rows())
        db_.CopyIn("alert_xmatch (candid, catalog, cat_row, sep_arcsec)", std::move(matches).Finish(), "copy matches");
}

void PostgresStore::StoreNewAlerts(const std::vector<const Alert *> &fresh) {
    // Cutouts go straight into their table: their alerts are new, so their keys are too.
    PgCopyWriter cut;
    for (const Alert *a : fresh)
        for (CutoutKind k : kCutoutKinds)
            if (const auto &c = a->cutout(k))
                cut.Row(4).Int64(a->candid).Text(CutoutFieldName(k)).Text(c->file_name).Bytes(c->stamp_data);
    if (cut.rows()) db_.CopyIn("cutouts (candid, kind, file_name, stamp_data)", std::move(cut).Finish(), "copy cutouts");

    PgCopyWriter det, ul, fp;
    int64_t seq = 0;  // arrival order of the rows within this batch
    for (const Alert *a : fresh) {
        const AlertLightCurveRows rows = LightCurveRows(*a);
        for (const LightCurvePoint &p : rows.detections) {
            det.Row(22).Int64(seq++).Text(a->objectId).Double(p.jd).Int32(p.fid).Opt(p.candid).Opt(p.pid);
            det.Opt(p.magpsf).Opt(p.sigmapsf).Opt(p.diffmaglim).Opt(p.isdiffpos).Opt(p.ra).Opt(p.dec);
            det.Opt(p.programid).Opt(p.field).Opt(p.rcid).Opt(p.rb).Opt(p.magnr).Opt(p.sigmagnr).Opt(p.distnr);
            det.Opt(p.magzpsci).Int64(p.source_candid).Bool(p.from_candidate);
        }
        for (const UpperLimit &u : rows.upper_limits) {
            ul.Row(10).Int64(seq++).Text(a->objectId).Double(u.jd).Int32(u.fid).Opt(u.pid).Opt(u.diffmaglim);
            ul.Opt(u.programid).Opt(u.field).Opt(u.rcid).Int64(u.source_candid);
        }
        for (const ForcedPhotometryPoint &f : rows.forced_photometry) {
            fp.Row(20).Int64(seq++).Text(a->objectId).Double(f.jd).Int32(f.fid).Opt(f.pid).Opt(f.forcediffimflux);
            fp.Opt(f.forcediffimfluxunc).Opt(f.diffmaglim).Opt(f.procstatus).Opt(f.programid).Opt(f.field);
            fp.Opt(f.rcid).Opt(f.magzpsci).Opt(f.magzpsciunc).Opt(f.magzpscirms).Opt(f.exptime).Opt(f.distnr);
            fp.Opt(f.magnr).Opt(f.sigmagnr).Int64(f.source_candid);
        }
    }
    db_.CopyIn(std::string("stage_detections (seq, ") + kDetectionColumns + ")", std::move(det).Finish(),
               "stage detections");
    if (ul.rows())
        db_.CopyIn(std::string("stage_upper_limits (seq, ") + kUpperLimitColumns + ")", std::move(ul).Finish(),
                   "stage upper limits");
    if (fp.rows())
        db_.CopyIn(std::string("stage_forced (seq, ") + kForcedColumns + ")", std::move(fp).Finish(),
                   "stage forced photometry");

    std::map<std::string, ObjectState> delta;  // per object: new detections and their jd range
    auto res = db_.Query(kInsertDetections, "insert detections");
    for (int r = 0; r < res.rows(); ++r) {
        ObjectState &d = delta[res.Text(r, 0)];
        d.ndet = res.Int64(r, 1);
        d.first_jd = res.Double(r, 2);
        d.last_jd = res.Double(r, 3);
    }
    db_.Exec(kMergeRest, "merge light curves");
    UpdateObjects(fresh, delta);
}

void PostgresStore::UpdateObjects(const std::vector<const Alert *> &fresh,
                                  const std::map<std::string, ObjectState> &delta) {
    std::map<std::string, ObjectState> objects;
    for (const Alert *a : fresh) objects.emplace(a->objectId, ObjectState{});
    PgCopyWriter ids;
    for (const auto &[id, _] : objects) ids.Row(1).Text(id);
    db_.CopyIn("stage_object_ids (objectid)", std::move(ids).Finish(), "stage objects");
    db_.Exec(kLockObjects, "create objects");
    auto res = db_.Query(kSelectObjectsForUpdate, "lock objects");
    for (int r = 0; r < res.rows(); ++r) {
        ObjectState &o = objects[res.Text(r, 0)];
        o.sum = {res.Double(r, 1), res.Double(r, 2), res.Double(r, 3)};
        o.n_alerts = res.Int64(r, 4);
        o.ndet = res.Int64(r, 5);
        o.first_jd = res.OptDouble(r, 6);
        o.last_jd = res.OptDouble(r, 7);
    }
    // Alert by alert, in batch order: the same additions, in the same order, as the SQLite store.
    for (const Alert *a : fresh) {
        ObjectState &o = objects[a->objectId];
        const auto v = UnitVector(*a->candidate.ra, *a->candidate.dec);
        for (int i = 0; i < 3; ++i) o.sum[i] += v[i];
        ++o.n_alerts;
    }
    PgCopyWriter w;
    for (auto &[id, o] : objects) {
        if (auto it = delta.find(id); it != delta.end()) {
            const ObjectState &d = it->second;
            o.ndet += d.ndet;
            o.first_jd = o.first_jd ? std::min(*o.first_jd, *d.first_jd) : *d.first_jd;
            o.last_jd = o.last_jd ? std::max(*o.last_jd, *d.last_jd) : *d.last_jd;
        }
        double ra = 0, dec = 0;
        VectorToRaDec(o.sum, ra, dec);
        w.Row(10).Text(id).Double(ra).Double(dec).Double(o.sum[0]).Double(o.sum[1]).Double(o.sum[2]);
        w.Int64(o.n_alerts).Int64(o.ndet).Opt(o.first_jd).Opt(o.last_jd);
    }
    db_.CopyIn("stage_objects (objectid, ra, dec, sum_x, sum_y, sum_z, n_alerts, ndet, first_jd, last_jd)",
               std::move(w).Finish(), "stage objects");
    db_.Exec(kUpdateObjects, "update objects");
}

StoreStats PostgresStore::Stats() {
    return Retrying("stats", [&] {
        StoreStats s;
        // One snapshot for every count, so they agree with each other while others write.
        db_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin");
        auto c = db_.Query("SELECT (SELECT count(*) FROM alerts), (SELECT count(*) FROM objects), "
                           "(SELECT count(*) FROM detections), (SELECT count(*) FROM upper_limits), "
                           "(SELECT count(*) FROM forced_photometry), (SELECT count(*) FROM cutouts)",
                           "stats");
        s.alerts = c.Int64(0, 0);
        s.objects = c.Int64(0, 1);
        s.detections = c.Int64(0, 2);
        s.upper_limits = c.Int64(0, 3);
        s.forced_photometry = c.Int64(0, 4);
        s.cutouts = c.Int64(0, 5);
        auto r = db_.Query("SELECT reason, count(*) FROM rejections GROUP BY reason", "stats");
        for (int i = 0; i < r.rows(); ++i) s.rejected[r.Text(i, 0)] = r.Int64(i, 1);
        auto sc = db_.Query("SELECT model, count(*) FROM alert_scores GROUP BY model", "stats");
        for (int i = 0; i < sc.rows(); ++i) s.scored[sc.Text(i, 0)] = sc.Int64(i, 1);
        auto m = db_.Query("SELECT catalog, count(*) FROM alert_xmatch GROUP BY catalog", "stats");
        for (int i = 0; i < m.rows(); ++i) s.matched[m.Text(i, 0)] = m.Int64(i, 1);
        db_.Exec("COMMIT", "commit");
        return s;
    });
}

std::optional<LightCurve> PostgresStore::GetLightCurve(const std::string &objectId) {
    return Retrying("light curve", [&]() -> std::optional<LightCurve> {
        const PgParams id = PgParams().Text(objectId);
        if (db_.Query("SELECT 1 FROM objects WHERE objectid = $1", id, "light curve").rows() == 0)
            return std::nullopt;
        LightCurve lc;
        lc.objectId = objectId;
        auto d = db_.Query(R"sql(SELECT jd, fid, candid, pid, magpsf, sigmapsf, diffmaglim, isdiffpos, ra, dec,
            programid, field, rcid, rb, magnr, sigmagnr, distnr, magzpsci, source_candid, from_candidate
            FROM detections WHERE objectid = $1 ORDER BY jd, fid)sql",
                           id, "light curve");
        for (int r = 0; r < d.rows(); ++r) {
            LightCurvePoint p;
            p.jd = d.Double(r, 0);
            p.fid = d.Int(r, 1);
            p.candid = d.OptInt64(r, 2);
            p.pid = d.OptInt64(r, 3);
            p.magpsf = d.OptFloat(r, 4);
            p.sigmapsf = d.OptFloat(r, 5);
            p.diffmaglim = d.OptFloat(r, 6);
            p.isdiffpos = d.OptText(r, 7);
            p.ra = d.OptDouble(r, 8);
            p.dec = d.OptDouble(r, 9);
            p.programid = d.OptInt(r, 10);
            p.field = d.OptInt(r, 11);
            p.rcid = d.OptInt(r, 12);
            p.rb = d.OptFloat(r, 13);
            p.magnr = d.OptFloat(r, 14);
            p.sigmagnr = d.OptFloat(r, 15);
            p.distnr = d.OptFloat(r, 16);
            p.magzpsci = d.OptFloat(r, 17);
            p.source_candid = d.Int64(r, 18);
            p.from_candidate = d.Bool(r, 19);
            lc.detections.push_back(std::move(p));
        }
        auto u = db_.Query(R"sql(SELECT jd, fid, pid, diffmaglim, programid, field, rcid, source_candid
            FROM upper_limits u WHERE objectid = $1 AND NOT EXISTS
              (SELECT 1 FROM detections d WHERE d.objectid = u.objectid AND d.jd = u.jd AND d.fid = u.fid)
            ORDER BY jd, fid)sql",
                           id, "light curve");
        for (int r = 0; r < u.rows(); ++r) {
            UpperLimit p;
            p.jd = u.Double(r, 0);
            p.fid = u.Int(r, 1);
            p.pid = u.OptInt64(r, 2);
            p.diffmaglim = u.OptFloat(r, 3);
            p.programid = u.OptInt(r, 4);
            p.field = u.OptInt(r, 5);
            p.rcid = u.OptInt(r, 6);
            p.source_candid = u.Int64(r, 7);
            lc.upper_limits.push_back(p);
        }
        auto f = db_.Query(R"sql(SELECT jd, fid, pid, forcediffimflux, forcediffimfluxunc, diffmaglim, procstatus,
            programid, field, rcid, magzpsci, magzpsciunc, magzpscirms, exptime, distnr, magnr, sigmagnr,
            source_candid FROM forced_photometry WHERE objectid = $1 ORDER BY jd, fid)sql",
                           id, "light curve");
        for (int r = 0; r < f.rows(); ++r) {
            ForcedPhotometryPoint p;
            p.jd = f.Double(r, 0);
            p.fid = f.Int(r, 1);
            p.pid = f.OptInt64(r, 2);
            p.forcediffimflux = f.OptFloat(r, 3);
            p.forcediffimfluxunc = f.OptFloat(r, 4);
            p.diffmaglim = f.OptFloat(r, 5);
            p.procstatus = f.OptText(r, 6);
            p.programid = f.OptInt(r, 7);
            p.field = f.OptInt(r, 8);
            p.rcid = f.OptInt(r, 9);
            p.magzpsci = f.OptFloat(r, 10);
            p.magzpsciunc = f.OptFloat(r, 11);
            p.magzpscirms = f.OptFloat(r, 12);
            p.exptime = f.OptFloat(r, 13);
            p.distnr = f.OptFloat(r, 14);
            p.magnr = f.OptFloat(r, 15);
            p.sigmagnr = f.OptFloat(r, 16);
            p.source_candid = f.Int64(r, 17);
            lc.forced_photometry.push_back(std::move(p));
        }
        return lc;
    });
}

std::vector<ConeMatch> PostgresStore::ConeSearchObjects(double ra_deg, double dec_deg, double radius_arcsec) {
    if (!std::isfinite(ra_deg) || !std::isfinite(dec_deg) || std::abs(dec_deg) > 90.0 ||
        !std::isfinite(radius_arcsec) || radius_arcsec < 0)
        throw RivuletError(ErrorKind::kInvalidInput, "cone search: bad position or radius (ra " +
                                                         std::to_string(ra_deg) + ", dec " + std::to_string(dec_deg) +
                                                         ", radius " + std::to_string(radius_arcsec) + "\")");
    // Q3C's test is a prefilter: a slightly larger radius keeps objects on the rim despite its rounding,
    // and the exact distance (sky_distance.hpp, as the SQLite store) decides. A cone of 180° or more is
    // the whole sky.
    const double query_deg = radius_arcsec / 3600.0 * (1 + 1e-9) + 1e-8;
    double q3c_ra = std::fmod(ra_deg, 360.0);
    if (q3c_ra < 0) q3c_ra += 360.0;
    auto res = Retrying("cone search", [&] {
        const char *kColumns = "SELECT objectid, ra, dec, ndet, first_jd, last_jd FROM objects";
        if (query_deg >= 180.0) return db_.Query(kColumns, "cone search");
        return db_.Query(std::string(kColumns) + " WHERE q3c_radial_query(ra, dec, $1, $2, $3)",
                         PgParams().Double(q3c_ra).Double(dec_deg).Double(query_deg), "cone search");
    });
    std::vector<ConeMatch> out;
    for (int r = 0; r < res.rows(); ++r) {
        ConeMatch m;
        m.ra = res.Double(r, 1);
        m.dec = res.Double(r, 2);
        m.sep_arcsec = AngularSeparationArcsec(ra_deg, dec_deg, m.ra, m.dec);
        if (m.sep_arcsec > radius_arcsec) continue;
        m.objectId = res.Text(r, 0);
        m.ndet = res.Int64(r, 3);
        m.first_jd = res.IsNull(r, 4) ? NAN : res.Double(r, 4);
        m.last_jd = res.IsNull(r, 5) ? NAN : res.Double(r, 5);
        out.push_back(std::move(m));
    }
    std::sort(out.begin(), out.end(), [](const ConeMatch &a, const ConeMatch &b) {
        return a.sep_arcsec != b.sep_arcsec ? a.sep_arcsec < b.sep_arcsec : a.objectId < b.objectId;
    });
    return out;
}

std::optional<StoredAlert> PostgresStore::GetAlert(int64_t candid) {
    return Retrying("get alert", [&]() -> std::optional<StoredAlert> {
        const PgParams id = PgParams().Int64(candid);
        auto st = db_.Query(R"sql(SELECT objectid, jd, fid, ra, dec, magpsf, sigmapsf, rb, drb, isdiffpos,
            programid, schemavsn, candidate::text, ingested_at FROM alerts WHERE candid = $1)sql",
                            id, "get alert");
        if (st.rows() == 0) return std::nullopt;
        StoredAlert a;
        a.candid = candid;
        a.objectId = st.Text(0, 0);
        a.jd = st.Double(0, 1);
        a.fid = st.Int(0, 2);
        a.ra = st.Double(0, 3);
        a.dec = st.Double(0, 4);
        a.magpsf = st.OptFloat(0, 5);
        a.sigmapsf = st.OptFloat(0, 6);
        a.rb = st.OptFloat(0, 7);
        a.drb = st.OptFloat(0, 8);
        a.isdiffpos = st.OptText(0, 9);
        a.programid = st.OptInt(0, 10);
        a.schemavsn = st.Text(0, 11);
        a.candidate_json = st.Text(0, 12);
        a.ingested_at = st.Double(0, 13);
        auto c = db_.Query("SELECT kind, file_name, stamp_data FROM cutouts WHERE candid = $1", id, "get alert");
        for (int r = 0; r < c.rows(); ++r) {
            if (const auto k = CutoutKindOfField(c.Text(r, 0))) {
                const auto blob = c.Bytes(r, 2);
                a.cutouts[static_cast<int>(*k)] = Cutout{c.Text(r, 1), std::vector<uint8_t>(blob.begin(), blob.end())};
            }
        }
        auto sc = db_.Query("SELECT model, score FROM alert_scores WHERE candid = $1 ORDER BY model", id, "get alert");
        for (int r = 0; r < sc.rows(); ++r) a.annotations.scores.push_back({sc.Text(r, 0), sc.Double(r, 1)});
        auto m = db_.Query("SELECT catalog, cat_row, sep_arcsec FROM alert_xmatch WHERE candid = $1 ORDER BY catalog",
                           id, "get alert");
        for (int r = 0; r < m.rows(); ++r)
            a.annotations.xmatch.push_back({m.Text(r, 0), m.Int64(r, 1), m.Double(r, 2)});
        return a;
    });
}

std::vector<int64_t> PostgresStore::AlertCandids(const std::string &objectId) {
    return Retrying("alert candids", [&] {
        auto r = db_.Query("SELECT candid FROM alerts WHERE objectid = $1 ORDER BY jd, candid",
                           PgParams().Text(objectId), "alert candids");
        std::vector<int64_t> out;
        for (int i = 0; i < r.rows(); ++i) out.push_back(r.Int64(i, 0));
        return out;
    });
}

std::optional<std::string> PostgresStore::RejectionReason(int64_t candid) {
    return Retrying("rejection reason", [&]() -> std::optional<std::string> {
        auto r = db_.Query("SELECT reason FROM rejections WHERE candid = $1", PgParams().Int64(candid),
                           "rejection reason");
        if (r.rows() == 0) return std::nullopt;
        return r.Text(0, 0);
    });
}

}  // namespace

std::unique_ptr<Store> OpenPostgresStore(const std::string &uri) { return OpenPostgresStore(uri, {}); }

std::unique_ptr<Store> OpenPostgresStore(const std::string &uri, const PostgresStoreOptions &options) {
    return std::make_unique<PostgresStore>(uri, options);
}

}  // namespace rivulet
