#pragma once
// Input preparation for triplet CNNs, as braai's models were trained (Duev et al. 2019; braai notebook
// `nb/braai_run.ipynb`, Kowalski `make_triplet`): each cutout is decoded from gzipped FITS (numpy row order),
// NaN → 0 (±inf → ±float32 max, as numpy.nan_to_num), normalised, then padded at the end of each axis with
// 1e-9 up to 63×63, and stacked channels-last as (science, template, difference).
// Does not score: see braai_scorer.hpp.
// @locality any thread: no shared state.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert.hpp"
#include "common/result.hpp"
#include "image/image.hpp"

namespace rivulet::dl {

//! How one cutout is scaled before it is fed to a network.
enum class Normalization {
    kRowL2,     //!< tf.keras.utils.normalize: each image row divided by its L2 norm (braai up to d6_m7)
    kCutoutL2,  //!< the whole cutout divided by its L2 norm (braai after d6_m7, Kowalski make_triplet)
    kSkyL2,     //!< the cutout median subtracted, then kCutoutL2: for raw, not background-subtracted images
    kNone,      //!< pixels as they are (after NaN → 0)
};

//! "row_l2", "cutout_l2", "sky_l2", "none".
const char *NormalizationName(Normalization n);
//! Inverse of NormalizationName; nullopt for anything else.
std::optional<Normalization> ParseNormalization(std::string_view name);
//! The preparation braai used for a model version: "d<D>_m<M>" (an optional "braai_" prefix is ignored) with
//! D < 6, or D = 6 and M <= 7, was trained on row-normalised cutouts; later versions on cutout-normalised ones.
//! nullopt when the name is not of that form.
std::optional<Normalization> BraaiNormalizationForVersion(std::string_view model_version);

//! The braai input side (63 px) and the value padding takes (the constant of Kowalski's np.pad).
inline constexpr int kTripletSide = 63;
inline constexpr float kPadValue = 1e-9f;

//! Scales `pixels` (row-major, `height` × `width`) in place. Non-finite values are replaced first (NaN → 0,
//! ±inf → ±FLT_MAX). A norm that float32 arithmetic would overflow (a ZTF fill value of -3.4e38 in the row or
//! cutout) zeroes the row or cutout, as numpy does (x / inf = 0); a zero norm leaves zeros. So the result is
//! always finite.
void NormalizePlane(std::span<float> pixels, int height, int width, Normalization normalization);

//! Writes one prepared cutout as channel `channel` of a `side` × `side` × `channels` channels-last array:
//! normalised, padded with kPadValue at the end of each axis. Error "cutout_shape" when the image is empty or
//! larger than `side` in either axis.
Result<bool> PreparePlane(const Image &image, Normalization normalization, int side, int channels, int channel,
                          std::span<float> out);

//! Why a triplet could not be prepared uses these reasons (stable counter names):
//! "cutout_missing" (null or absent cutout), "cutout_format" (not FITS, e.g. schema-1 JPEG stamps),
//! "cutout_gzip"/"cutout_fits" (from DecodeCutout), "cutout_shape" (empty or larger than 63×63).
struct PreparedTriplet {
    std::vector<float> pixels;  //!< 63 × 63 × 3, channels-last
    bool padded = false;        //!< some cutout was smaller than 63×63 and was padded
};

//! The 63×63×3 braai input of `alert`.
Result<PreparedTriplet> PrepareTriplet(const Alert &alert, Normalization normalization);

}  // namespace rivulet::dl
