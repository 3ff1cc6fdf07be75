#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "alert/alert.hpp"
#include "cuts/cut_config.hpp"

namespace rivulet {

//! Why an alert was cut. Order is evaluation order: an alert's reason is the first cut it fails.
enum class CutReason {
    kPass = 0,
    kDetectionSnr,
    kPhotometricSnr,
    kEdgeDistance,
    kElongation,
    kFluxRatio,
    kNegativePixels,
    kBadPixels,
    kPsfApertureDiff,
    kRbMagpsf,
    kRbNbad,
    kRbFwhm,
    kRbElong,
    kRbMagapMagpsf,
};
inline constexpr int kCutReasonCount = 14;

//! Stable name of a reason, used as counter key and in the store: "prefilter_detection_snr", "rb_fwhm", ...
std::string_view CutReasonName(CutReason reason);
//! Inverse of CutReasonName; nullopt for an unknown name.
std::optional<CutReason> CutReasonFromName(std::string_view name);

//! Applies the configured pre-filter and real/bogus cuts. Pure: judges, never copies or drops alerts.
//! @locality any thread; const after construction.
class QualityCuts {
public:
    explicit QualityCuts(CutConfig config = {}) : config_(config) {}

    //! The first cut `alert` fails, or kPass.
    CutReason Judge(const Alert &alert) const;

    //! Judges a batch: verdicts[i] belongs to alerts[i].
    std::vector<CutReason> Judge(std::span<const Alert> alerts) const;

    const CutConfig &config() const { return config_; }

private:
    CutConfig config_;
};

}  // namespace rivulet
