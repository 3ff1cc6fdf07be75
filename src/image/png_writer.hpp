#pragma once
// Pictures of cutouts for people: 8-bit grayscale PNGs with a robust stretch, north up, NaN drawn black.
// Not for measurement: the stretch throws away the flux scale.
// @locality any thread: no shared state.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "image/image.hpp"

namespace rivulet {

struct PngOptions {
    //! Each pixel becomes a scale x scale block, so a 63 px stamp is visible (1..64).
    int scale = 4;
    //! Finite pixels below/above these percentiles clip to the darkest/brightest grey. The black point is
    //! raised to median - 3 sigma (MAD) when that is higher, so a few bad rows cannot wash out the sky.
    double low_percentile = 0.5;
    double high_percentile = 99.5;
    //! asinh softening a: grey = asinh(a t) / asinh(a) for t in [0,1]; shows faint and bright structure at once.
    //! 0 gives a linear stretch.
    double asinh_softening = 10.0;
    //! Grey level of NaN pixels, of missing triplet panels and of padding. Finite pixels are drawn in 1..255,
    //! so the default 0 keeps NaN distinct from any data value.
    std::uint8_t nan_value = 0;
    //! Draw Image row 0 (FITS first row) at the bottom, as astronomers do.
    bool north_up = true;
    //! Gap between triplet panels, in source pixels (multiplied by scale), drawn white.
    int gap = 2;
};

//! The PNG file bytes for `image`. Throws RivuletError(kInvalidInput) for bad options or an output larger
//! than 16384 px per side, RivuletError(kInternal) if libpng fails. An empty image gives a 1x1 NaN-grey PNG.
std::vector<std::uint8_t> EncodePng(const Image &image, const PngOptions &options = {});

//! Science, reference (template) and difference side by side, each stretched on its own, separated by a
//! white gap. A null or empty image gives a blank (nan_value) panel; panels take the largest shape present
//! (63x63 if none) and smaller stamps are centred in them.
std::vector<std::uint8_t> EncodeTripletPng(const Image *science, const Image *reference, const Image *difference,
                                           const PngOptions &options = {});

//! Writes EncodePng(image) to `path`. Throws RivuletError(kIo) naming the path if it cannot be written.
void WritePng(const Image &image, const std::filesystem::path &path, const PngOptions &options = {});

//! Writes EncodeTripletPng(...) to `path`. Throws RivuletError(kIo) naming the path if it cannot be written.
void WriteTripletPng(const Image *science, const Image *reference, const Image *difference,
                     const std::filesystem::path &path, const PngOptions &options = {});

}  // namespace rivulet
