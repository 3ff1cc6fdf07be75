#pragma once
// Turns the raw `stampData` bytes of a ZTF cutout into pixels, and back for the simulator.
// Every decode failure is a Result error naming what failed; hostile input (random bytes, truncated streams,
// headers claiming enormous images) is rejected before any large allocation.
// @locality any thread: no shared state.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/result.hpp"
#include "image/image.hpp"

namespace rivulet {

enum class CutoutFormat { kGzipFits, kFits, kJpeg, kUnknown };

//! Largest image DecodeCutout accepts, per side. ZTF stamps are 63x63; anything near this cap is not a stamp.
inline constexpr int kMaxCutoutSide = 4096;
//! Largest output GzipDecompress produces by default (the gzip ISIZE trailer is not trusted).
inline constexpr std::size_t kMaxGzipOutput = std::size_t{64} << 20;

//! Guesses the format from the magic bytes only (gzip 1f 8b, FITS "SIMPLE  =", JPEG ff d8 ff).
//! Does not say the bytes are valid; kGzipFits means "gzip", the payload is checked when decoding.
CutoutFormat DetectCutoutFormat(std::span<const std::uint8_t> bytes);

//! Short name for logs: "gzip-fits", "fits", "jpeg", "unknown".
const char *CutoutFormatName(CutoutFormat format);

//! Decodes gzipped FITS, plain FITS (BITPIX 8/16/32/64/-32/-64, BSCALE/BZERO applied, BLANK -> NaN) or JPEG
//! (luminance, 0..255). The FITS image is the primary HDU, or the first extension when the primary is empty.
//! Error reasons: "cutout_gzip", "cutout_fits", "cutout_jpeg", "cutout_unknown_format".
//! Does not handle a null cutout: the caller knows whether the field was null.
Result<Image> DecodeCutout(std::span<const std::uint8_t> bytes);

//! gzip (RFC 1952) at libdeflate level 6. Throws std::bad_alloc only.
std::vector<std::uint8_t> GzipCompress(std::span<const std::uint8_t> bytes);

//! Inflates one or more concatenated gzip members; bytes after the last member that do not start a new
//! member are ignored. Fails (reason "gzip") on a bad header, corrupt or truncated data, CRC/size mismatch,
//! or output beyond `max_output`.
Result<std::vector<std::uint8_t>> GzipDecompress(std::span<const std::uint8_t> bytes,
                                                 std::size_t max_output = kMaxGzipOutput);

//! A single-HDU FITS file (BITPIX -32) holding `image`, bit-exact (NaN and -0.0 kept). Not gzipped: wrap in
//! GzipCompress for an alert-style stamp. Throws RivuletError(kInternal) if cfitsio fails.
std::vector<std::uint8_t> EncodeFitsFloat(const Image &image);

}  // namespace rivulet
