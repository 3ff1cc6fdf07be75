#pragma once
// The alert store interface: where accepted alerts, their cutouts and their light curves go, and where
// rejected alerts are recorded. Backend-neutral (no SQL here): the embedded SQLite backend
// (sqlite_store.hpp) and the PostgreSQL backend (pg_store.hpp) implement it.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "alert/alert.hpp"
#include "alert/alert_annotations.hpp"
#include "store/light_curve.hpp"

namespace rivulet {

//! An alert that a cut or a decoding step refused; stored once per candid with the reason.
struct Rejection {
    int64_t candid = 0;
    std::string objectId;  // NOLINT(readability-identifier-naming): ZTF name
    double jd = 0;
    std::string reason;
};

//! What one Write did. `stored + duplicates` = accepted alerts passed in, and
//! `rejections_recorded + rejection_duplicates` = rejections passed in.
struct WriteSummary {
    size_t stored = 0;                //!< alerts new to the store
    size_t duplicates = 0;            //!< alerts whose candid was already stored (nothing changed)
    size_t rejections_recorded = 0;   //!< rejections new to the store
    size_t rejection_duplicates = 0;  //!< rejections whose candid was already recorded
    //! Per accepted alert, in the order given: true when it was new to the store (false: a duplicate).
    std::vector<bool> is_new;
};

struct StoreStats {
    int64_t alerts = 0, objects = 0, detections = 0, upper_limits = 0, forced_photometry = 0, cutouts = 0;
    std::map<std::string, int64_t> rejected;  //!< reason → rejected alerts
    std::map<std::string, int64_t> scored;    //!< model version → alerts with its score
    std::map<std::string, int64_t> matched;   //!< catalog → alerts with a match in it
};

//! An object found by a cone search. The position is the normalised mean of the unit vectors of its
//! stored alerts' candidate positions (a mean that stays right across RA 0/360 and at the poles).
struct ConeMatch {
    std::string objectId;  // NOLINT(readability-identifier-naming): ZTF name
    double ra = 0, dec = 0;
    double sep_arcsec = 0;
    int64_t ndet = 0;               //!< detections in the merged light curve
    double first_jd = 0, last_jd = 0;  //!< of those detections
};

//! One stored alert: the main candidate columns, the complete candidate record and the cutouts as received.
struct StoredAlert {
    std::string objectId;  // NOLINT(readability-identifier-naming): ZTF name
    int64_t candid = 0;
    double jd = 0;
    int fid = 0;
    double ra = 0, dec = 0;
    std::optional<float> magpsf, sigmapsf, rb, drb;
    std::optional<std::string> isdiffpos;
    std::optional<int> programid;
    std::string schemavsn;  //!< Alert::SchemaVersion() of the packet
    //! The candidate record as a JSON object: every field of the packet's writer schema under its ZTF
    //! name, null for null (and for non-finite floats, which JSON cannot hold).
    std::string candidate_json;
    double ingested_at = 0;  //!< Unix time (s) of the Write that stored it
    CutoutTriplet cutouts;   //!< byte-identical to the packet's; nullopt for a null cutout
    AlertAnnotations annotations;  //!< as written with the alert; scores by model, matches by catalog
};

//! @locality one Store per thread: implementations are not thread-safe. Several processes may open the
//! same store; writers are serialised by the backend.
//! Errors of the backend throw RivuletError(ErrorKind::kStore) naming the store and the cause.
class Store {
public:
    virtual ~Store() = default;

    //! Stores accepted alerts (with cutouts and light-curve points) and records rejections, in one
    //! transaction: if anything throws, nothing of this call is kept. Idempotent by candid: an alert or a
    //! rejection whose candid is already stored is counted as a duplicate and changes nothing.
    //! An accepted alert without objectId, candidate jd, fid, ra or dec throws RivuletError(kInvalidInput).
    //! `annotations` is empty or holds one entry per accepted alert; they are stored with a new alert
    //! (a duplicate keeps the annotations it was first stored with). A model or catalog named twice for
    //! one alert throws RivuletError(kInvalidInput).
    virtual WriteSummary Write(std::span<const Alert> accepted, std::span<const Rejection> rejected,
                               std::span<const AlertAnnotations> annotations) = 0;
    WriteSummary Write(std::span<const Alert> accepted, std::span<const Rejection> rejected) {
        return Write(accepted, rejected, {});
    }

    virtual StoreStats Stats() = 0;

    //! The merged light curve of an object; nullopt when no alert of it is stored. Detections are
    //! unique per (jd, fid); an alert's own candidate wins over copies in other alerts' prv_candidates;
    //! an upper limit at the (jd, fid) of a detection is dropped.
    virtual std::optional<LightCurve> GetLightCurve(const std::string &objectId) = 0;

    //! Objects within `radius_arcsec` of a position (degrees), nearest first. Throws
    //! RivuletError(kInvalidInput) for a negative or non-finite radius or position.
    virtual std::vector<ConeMatch> ConeSearchObjects(double ra_deg, double dec_deg, double radius_arcsec) = 0;

    virtual std::optional<StoredAlert> GetAlert(int64_t candid) = 0;

    //! Candids of an object's stored alerts, by jd.
    virtual std::vector<int64_t> AlertCandids(const std::string &objectId) = 0;

    //! Whether a rejection is recorded for `candid`, and its reason.
    virtual std::optional<std::string> RejectionReason(int64_t candid) = 0;
};

}  // namespace rivulet
