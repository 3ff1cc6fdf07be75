#include "image/cutout_codec.hpp"

#include <fitsio.h>
#include <libdeflate.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <string>

// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

#include "common/error.hpp"

namespace rivulet {
namespace {

constexpr std::uint8_t kFitsMagic[] = {'S', 'I', 'M', 'P', 'L', 'E', ' ', ' ', '='};

// DEFLATE cannot expand more than ~1032:1, so a trailer claiming more than this for the input we hold is a lie.
constexpr std::size_t kMaxDeflateRatio = 1032;

struct DecompressorDeleter {
    void operator()(libdeflate_decompressor *d) const { libdeflate_free_decompressor(d); }
};
struct CompressorDeleter {
    void operator()(libdeflate_compressor *c) const { libdeflate_free_compressor(c); }
};

std::string MiB(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// ---------------------------------------------------------------------------------------------- FITS

// cfitsio reports a status code plus a global message stack; take the short text and the most specific
// stack message, then clear the stack so the next file does not inherit stale messages.
std::string FitsErrorText(int status) {
    char text[FLEN_STATUS] = {};
    fits_get_errstatus(status, text);
    std::string out = text;
    char msg[FLEN_ERRMSG] = {};
    std::string detail;
    while (fits_read_errmsg(msg)) {
        if (detail.empty() && msg[0] != '\0') detail = msg;
    }
    if (!detail.empty() && detail != out) out += " (" + detail + ")";
    out += " [cfitsio status " + std::to_string(status) + "]";
    return out;
}

Error FitsError(const std::string &what, int status) {
    return MakeError("cutout_fits", what + ": " + FitsErrorText(status));
}

struct FitsCloser {
    void operator()(fitsfile *f) const {
        int status = 0;
        fits_close_file(f, &status);
        if (status != 0) fits_clear_errmsg();
    }
};
using FitsPtr = std::unique_ptr<fitsfile, FitsCloser>;

// double -> float with IEEE round-to-nearest, overflow to +-Inf (a plain cast of an out-of-range value is UB).
float NarrowToFloat(double d) {
    // FLT_MAX plus half an ulp: anything at or beyond rounds to infinity.
    constexpr double kOverflow = 3.4028235677973366e38;
    if (std::isfinite(d) && std::fabs(d) >= kOverflow) {
        return d > 0 ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
    }
    return static_cast<float>(d);
}

// `bytes` must outlive the call; cfitsio only reads it (READONLY, no realloc function).
Result<Image> DecodeFits(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 2880) {
        return MakeError("cutout_fits", "FITS file is " + std::to_string(bytes.size()) +
                                            " bytes, shorter than one 2880-byte header block");
    }
    // cfitsio wants a mutable pointer for its memory driver; in READONLY mode it never writes through it.
    void *mem = const_cast<std::uint8_t *>(bytes.data());
    std::size_t mem_size = bytes.size();
    fitsfile *raw = nullptr;
    int status = 0;
    fits_open_memfile(&raw, "cutout.fits", READONLY, &mem, &mem_size, 0, nullptr, &status);
    if (status != 0) {
        if (raw != nullptr) FitsCloser{}(raw);
        return FitsError("cfitsio could not open the FITS data", status);
    }
    FitsPtr file(raw);

    int bitpix = 0;
    int naxis = 0;
    LONGLONG naxes[9] = {};
    fits_get_img_paramll(file.get(), 9, &bitpix, &naxis, naxes, &status);
    if (status == 0 && naxis == 0) {
        // Some writers leave the primary HDU empty and put the image in the first extension.
        int hdu_type = 0;
        fits_movabs_hdu(file.get(), 2, &hdu_type, &status);
        if (status != 0) return FitsError("primary HDU has no image and there is no extension", status);
        if (hdu_type != IMAGE_HDU) return MakeError("cutout_fits", "primary HDU is empty and HDU 2 is a table");
        fits_get_img_paramll(file.get(), 9, &bitpix, &naxis, naxes, &status);
    }
    if (status != 0) return FitsError("cannot read image parameters", status);
    if (naxis < 2 || naxis > 9) {
        return MakeError("cutout_fits", "image has NAXIS = " + std::to_string(naxis) + ", expected 2");
    }
    for (int i = 2; i < naxis; ++i) {
        if (naxes[i] != 1) {
            return MakeError("cutout_fits", "image has NAXIS" + std::to_string(i + 1) + " = " +
                                                std::to_string(naxes[i]) + ", only 2-d images are cutouts");
        }
    }
    const LONGLONG width = naxes[0];
    const LONGLONG height = naxes[1];
    if (width < 1 || height < 1 || width > kMaxCutoutSide || height > kMaxCutoutSide) {
        return MakeError("cutout_fits", "image claims " + std::to_string(width) + "x" + std::to_string(height) +
                                            " pixels, outside 1.." + std::to_string(kMaxCutoutSide) +
                                            " per side");
    }
    const LONGLONG count = width * height;
    // The data must be in the bytes we hold; checking first avoids allocating for a header that lies.
    LONGLONG head_start = 0, data_start = 0, data_end = 0;
    fits_get_hduaddrll(file.get(), &head_start, &data_start, &data_end, &status);
    if (status != 0) return FitsError("cannot locate the image data", status);
    const LONGLONG need = data_start + count * (std::abs(bitpix) / 8);
    int compressed = fits_is_compressed_image(file.get(), &status);
    // A tile-compressed image stores its pixels in a table, so the raw size says nothing; cfitsio checks it.
    if (!compressed && need > static_cast<LONGLONG>(bytes.size())) {
        return MakeError("cutout_fits", "FITS data truncated: " + std::to_string(width) + "x" +
                                            std::to_string(height) + " BITPIX " + std::to_string(bitpix) +
                                            " needs " + std::to_string(need) + " bytes, have " +
                                            std::to_string(bytes.size()));
    }

    Image image;
    image.width = static_cast<int>(width);
    image.height = static_cast<int>(height);
    image.pixels.resize(static_cast<std::size_t>(count));
    // Float data: nulval 0 disables cfitsio's null check, so NaN (and +-Inf, which its NaN test also
    // catches) pass through bit for bit. Integer data: BLANK pixels must become NaN, so ask for the check.
    int anynul = 0;
    if (bitpix == DOUBLE_IMG) {
        // Read doubles and narrow ourselves: cfitsio would clip values beyond float range to FLT_MAX and call
        // it an error, whereas astropy/numpy (and IEEE rounding) give +-Inf.
        std::vector<double> wide(static_cast<std::size_t>(count));
        double dnul = 0.0;
        fits_read_img(file.get(), TDOUBLE, 1, count, &dnul, wide.data(), &anynul, &status);
        for (std::size_t i = 0; status == 0 && i < wide.size(); ++i) image.pixels[i] = NarrowToFloat(wide[i]);
    } else {
        float nulval = bitpix < 0 ? 0.0f : std::numeric_limits<float>::quiet_NaN();
        fits_read_img(file.get(), TFLOAT, 1, count, &nulval, image.pixels.data(), &anynul, &status);
    }
    if (status != 0) {
        return FitsError("cannot read " + std::to_string(width) + "x" + std::to_string(height) + " BITPIX " +
                             std::to_string(bitpix) + " pixels",
                         status);
    }
    return image;
}

// ---------------------------------------------------------------------------------------------- JPEG

// libjpeg reports fatal errors through error_exit, which by default calls exit(). We longjmp back instead.
// Only C frames (libjpeg's) lie between setjmp and longjmp, so no C++ destructor is skipped.
struct JpegErrorManager {
    jpeg_error_mgr base;  // must stay first: libjpeg sees a jpeg_error_mgr*
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    char first_warning[JMSG_LENGTH_MAX];
};

extern "C" void JpegErrorExit(j_common_ptr cinfo) {
    auto *err = reinterpret_cast<JpegErrorManager *>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, err->message);
    std::longjmp(err->jump, 1);
}

// Never print to stderr; keep the first warning (a warning means corrupt data that libjpeg papered over).
extern "C" void JpegEmitMessage(j_common_ptr cinfo, int msg_level) {
    auto *err = reinterpret_cast<JpegErrorManager *>(cinfo->err);
    if (msg_level < 0) {
        if (err->base.num_warnings == 0) (*cinfo->err->format_message)(cinfo, err->first_warning);
        err->base.num_warnings++;
    }
}

extern "C" void JpegOutputMessage(j_common_ptr) {}

// Everything libjpeg touches lives here, in memory whose address escapes, so its contents are well defined
// after a longjmp (no register-cached locals to worry about).
struct JpegState {
    jpeg_decompress_struct cinfo;
    JpegErrorManager err;
    std::vector<JSAMPLE> row;
    std::vector<float> pixels;
    int width = 0;
    int height = 0;
    bool too_large = false;
};

// Returns false on a libjpeg error (message in state.err.message) or when the header is over the size cap.
bool RunJpegDecode(JpegState &state, const std::uint8_t *data, std::size_t size) {
    jpeg_decompress_struct &cinfo = state.cinfo;
    if (setjmp(state.err.jump) != 0) return false;
    jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.image_width > static_cast<JDIMENSION>(kMaxCutoutSide) ||
        cinfo.image_height > static_cast<JDIMENSION>(kMaxCutoutSide)) {
        state.width = static_cast<int>(std::min<JDIMENSION>(cinfo.image_width, 1u << 30));
        state.height = static_cast<int>(std::min<JDIMENSION>(cinfo.image_height, 1u << 30));
        state.too_large = true;
        return false;
    }
    // Grayscale output from gray or YCbCr input is the Y (luminance) channel; other colour spaces (CMYK, YCCK)
    // cannot be converted, so they keep their native channels and we take the first.
    if (cinfo.jpeg_color_space == JCS_GRAYSCALE || cinfo.jpeg_color_space == JCS_YCbCr) {
        cinfo.out_color_space = JCS_GRAYSCALE;
    }
    jpeg_start_decompress(&cinfo);
    state.width = static_cast<int>(cinfo.output_width);
    state.height = static_cast<int>(cinfo.output_height);
    const std::size_t channels = static_cast<std::size_t>(cinfo.output_components);
    state.row.resize(static_cast<std::size_t>(state.width) * channels);
    state.pixels.resize(static_cast<std::size_t>(state.width) * static_cast<std::size_t>(state.height));
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[1] = {state.row.data()};
        const JDIMENSION y = cinfo.output_scanline;
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) break;
        // JPEG row 0 is the top of the picture; Image row 0 is the bottom (FITS convention).
        float *out = state.pixels.data() + static_cast<std::size_t>(state.height - 1 - static_cast<int>(y)) *
                                               static_cast<std::size_t>(state.width);
        for (int x = 0; x < state.width; ++x) out[x] = static_cast<float>(state.row[static_cast<std::size_t>(x) * channels]);
    }
    jpeg_finish_decompress(&cinfo);
    return true;
}

Result<Image> DecodeJpeg(std::span<const std::uint8_t> bytes) {
    auto state = std::make_unique<JpegState>();
    state->cinfo.err = jpeg_std_error(&state->err.base);
    state->err.base.error_exit = JpegErrorExit;
    state->err.base.emit_message = JpegEmitMessage;
    state->err.base.output_message = JpegOutputMessage;
    state->err.message[0] = '\0';
    state->err.first_warning[0] = '\0';
    if (setjmp(state->err.jump) != 0) {
        // jpeg_create_decompress itself failed (out of memory): nothing to destroy beyond what libjpeg owns.
        jpeg_destroy_decompress(&state->cinfo);
        return MakeError("cutout_jpeg", std::string("libjpeg: ") + state->err.message);
    }
    jpeg_create_decompress(&state->cinfo);
    // Bound libjpeg's working memory; a 4096x4096 RGB image needs far less than this.
    state->cinfo.mem->max_memory_to_use = 256L << 20;
    const bool ok = RunJpegDecode(*state, bytes.data(), bytes.size());
    jpeg_destroy_decompress(&state->cinfo);
    if (state->too_large) {
        return MakeError("cutout_jpeg", "JPEG claims " + std::to_string(state->width) + "x" +
                                            std::to_string(state->height) + " pixels, over the " +
                                            std::to_string(kMaxCutoutSide) + " per side cap");
    }
    if (!ok) return MakeError("cutout_jpeg", std::string("libjpeg: ") + state->err.message);
    if (state->err.base.num_warnings > 0) {
        return MakeError("cutout_jpeg", std::string("corrupt JPEG data, libjpeg: ") + state->err.first_warning);
    }
    Image image;
    image.width = state->width;
    image.height = state->height;
    image.pixels = std::move(state->pixels);
    return image;
}

Result<Image> DecodeNonGzip(std::span<const std::uint8_t> bytes, CutoutFormat format) {
    switch (format) {
        case CutoutFormat::kFits: return DecodeFits(bytes);
        case CutoutFormat::kJpeg: return DecodeJpeg(bytes);
        default: break;
    }
    return MakeError("cutout_unknown_format", "unknown format");  // callers handle kGzipFits/kUnknown first
}

std::string HexPrefix(std::span<const std::uint8_t> bytes) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 8); ++i) {
        out += kHex[bytes[i] >> 4];
        out += kHex[bytes[i] & 15];
    }
    return out;
}

}  // namespace

CutoutFormat DetectCutoutFormat(std::span<const std::uint8_t> bytes) {
    if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) return CutoutFormat::kGzipFits;
    if (bytes.size() >= sizeof kFitsMagic && std::memcmp(bytes.data(), kFitsMagic, sizeof kFitsMagic) == 0) {
        return CutoutFormat::kFits;
    }
    if (bytes.size() >= 3 && bytes[0] == 0xff && bytes[1] == 0xd8 && bytes[2] == 0xff) return CutoutFormat::kJpeg;
    return CutoutFormat::kUnknown;
}

const char *CutoutFormatName(CutoutFormat format) {
    switch (format) {
        case CutoutFormat::kGzipFits: return "gzip-fits";
        case CutoutFormat::kFits: return "fits";
        case CutoutFormat::kJpeg: return "jpeg";
        case CutoutFormat::kUnknown: return "unknown";
    }
    return "unknown";
}

Result<Image> DecodeCutout(std::span<const std::uint8_t> bytes) {
    const CutoutFormat format = DetectCutoutFormat(bytes);
    if (format == CutoutFormat::kUnknown) {
        if (bytes.empty()) return MakeError("cutout_unknown_format", "cutout is empty (0 bytes)");
        return MakeError("cutout_unknown_format", "cutout of " + std::to_string(bytes.size()) +
                                                      " bytes is not gzip, FITS or JPEG (starts " +
                                                      HexPrefix(bytes) + ")");
    }
    if (format != CutoutFormat::kGzipFits) return DecodeNonGzip(bytes, format);

    auto inflated = GzipDecompress(bytes);
    if (!inflated) return MakeError("cutout_gzip", inflated.error().message);
    const std::span<const std::uint8_t> inner(inflated.value());
    const CutoutFormat inner_format = DetectCutoutFormat(inner);
    if (inner_format == CutoutFormat::kFits || inner_format == CutoutFormat::kJpeg) {
        return DecodeNonGzip(inner, inner_format);
    }
    return MakeError("cutout_fits", "gzip payload (" + std::to_string(inner.size()) +
                                        " bytes) is not FITS (starts " + HexPrefix(inner) + ")");
}

std::vector<std::uint8_t> GzipCompress(std::span<const std::uint8_t> bytes) {
    std::unique_ptr<libdeflate_compressor, CompressorDeleter> compressor(libdeflate_alloc_compressor(6));
    if (!compressor) throw std::bad_alloc();
    std::vector<std::uint8_t> out(libdeflate_gzip_compress_bound(compressor.get(), bytes.size()));
    const std::size_t n =
        libdeflate_gzip_compress(compressor.get(), bytes.data(), bytes.size(), out.data(), out.size());
    // The bound is an upper bound by contract, so 0 ("did not fit") cannot happen.
    assert(n > 0);
    out.resize(n);
    return out;
}

Result<std::vector<std::uint8_t>> GzipDecompress(std::span<const std::uint8_t> bytes, std::size_t max_output) {
    // Smallest gzip member: 10-byte header, an empty deflate block, 8-byte trailer.
    if (bytes.size() < 18) {
        return MakeError("gzip", "gzip stream truncated: " + std::to_string(bytes.size()) +
                                     " bytes, shorter than a gzip header and trailer");
    }
    if (bytes[0] != 0x1f || bytes[1] != 0x8b) return MakeError("gzip", "not a gzip stream (bad magic)");
    if (bytes[2] != 8) return MakeError("gzip", "gzip compression method " + std::to_string(bytes[2]) + " is not deflate");

    std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> decompressor(libdeflate_alloc_decompressor());
    if (!decompressor) throw std::bad_alloc();

    // ISIZE (last 4 bytes, little-endian) is the size of the last member mod 2^32. It is untrusted: it only
    // picks the first buffer size, bounded by the cap and by what DEFLATE could possibly expand our input to.
    const std::size_t tail = bytes.size() - 4;
    const std::size_t isize = static_cast<std::size_t>(bytes[tail]) | static_cast<std::size_t>(bytes[tail + 1]) << 8 |
                              static_cast<std::size_t>(bytes[tail + 2]) << 16 |
                              static_cast<std::size_t>(bytes[tail + 3]) << 24;
    // A first guess beyond 8x the input is only believed after the data proves it (by running out of room),
    // so a corrupt trailer on a small stream costs a small allocation; real stamps compress about 1.5x.
    const std::size_t plausible = std::min(bytes.size() * kMaxDeflateRatio,
                                           std::max<std::size_t>(bytes.size() * 8, std::size_t{64} << 10));
    std::size_t capacity = std::min({isize, plausible, max_output});
    if (capacity == 0) capacity = std::min<std::size_t>(4096, max_output);

    // Uninitialised storage: a guess from a lying trailer may be megabytes, and zero-filling it would cost
    // more than the failed inflate. Only the bytes libdeflate writes are ever read.
    std::unique_ptr<std::uint8_t[]> buf(new std::uint8_t[capacity]);
    std::size_t in_pos = 0;
    std::size_t out_pos = 0;
    while (true) {
        std::size_t in_used = 0;
        std::size_t out_used = 0;
        const libdeflate_result r = libdeflate_gzip_decompress_ex(decompressor.get(), bytes.data() + in_pos,
                                                                  bytes.size() - in_pos, buf.get() + out_pos,
                                                                  capacity - out_pos, &in_used, &out_used);
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
            if (capacity >= max_output) {
                return MakeError("gzip", "gzip output exceeds the " + MiB(max_output) + " cap");
            }
            const std::size_t grown = std::min(max_output, std::max<std::size_t>(capacity * 2, 4096));
            std::unique_ptr<std::uint8_t[]> bigger(new std::uint8_t[grown]);
            std::memcpy(bigger.get(), buf.get(), out_pos);  // earlier members are done; keep them
            buf = std::move(bigger);
            capacity = grown;
            continue;  // retry this member from its start with more room
        }
        if (r != LIBDEFLATE_SUCCESS) {
            // libdeflate cannot tell truncation from corruption (both end as bad data or a CRC/ISIZE mismatch).
            return MakeError("gzip", "gzip stream corrupt or truncated: member at byte " + std::to_string(in_pos) +
                                         " of " + std::to_string(bytes.size()) + " does not inflate");
        }
        in_pos += in_used;
        out_pos += out_used;
        const std::size_t rest = bytes.size() - in_pos;
        if (rest < 2 || bytes[in_pos] != 0x1f || bytes[in_pos + 1] != 0x8b) break;
        if (out_pos == capacity) {
            // The next member needs room even to report it is too big.
            const std::size_t grown = std::min(max_output, std::max<std::size_t>(capacity * 2, 4096));
            if (grown == capacity) return MakeError("gzip", "gzip output exceeds the " + MiB(max_output) + " cap");
            std::unique_ptr<std::uint8_t[]> bigger(new std::uint8_t[grown]);
            std::memcpy(bigger.get(), buf.get(), out_pos);
            buf = std::move(bigger);
            capacity = grown;
        }
    }
    return std::vector<std::uint8_t>(buf.get(), buf.get() + out_pos);
}

std::vector<std::uint8_t> EncodeFitsFloat(const Image &image) {
    if (image.width < 0 || image.height < 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height)) {
        throw RivuletError(ErrorKind::kInternal, "EncodeFitsFloat: image is " + std::to_string(image.width) + "x" +
                                                     std::to_string(image.height) + " but holds " +
                                                     std::to_string(image.pixels.size()) + " pixels");
    }
    // cfitsio grows the buffer with realloc, so it must start as malloc'd memory we free afterwards.
    std::size_t mem_size = 2880;
    void *mem = std::malloc(mem_size);
    if (mem == nullptr) throw std::bad_alloc();
    fitsfile *file = nullptr;
    int status = 0;
    LONGLONG file_size = 0;
    fits_create_memfile(&file, &mem, &mem_size, 2880, std::realloc, &status);
    if (status == 0) {
        long naxes[2] = {image.width, image.height};
        const int naxis = image.empty() ? 0 : 2;
        fits_create_img(file, FLOAT_IMG, naxis, naxes, &status);
        if (naxis == 2) {
            // fits_write_img copies float to float without null substitution, so NaN bits are kept.
            fits_write_img(file, TFLOAT, 1, static_cast<LONGLONG>(image.pixels.size()),
                           const_cast<float *>(image.pixels.data()), &status);
        }
        LONGLONG head_start = 0, data_start = 0, data_end = 0;
        fits_get_hduaddrll(file, &head_start, &data_start, &data_end, &status);
        // The file on close is padded to whole 2880-byte blocks.
        file_size = (data_end + 2879) / 2880 * 2880;
    }
    int close_status = 0;
    if (file != nullptr) fits_close_file(file, &close_status);
    if (status == 0) status = close_status;
    if (status != 0) {
        std::free(mem);
        throw RivuletError(ErrorKind::kInternal, "EncodeFitsFloat: cfitsio failed: " + FitsErrorText(status));
    }
    const std::size_t n = std::min(static_cast<std::size_t>(file_size), mem_size);
    const auto *p = static_cast<const std::uint8_t *>(mem);
    std::vector<std::uint8_t> out(p, p + n);
    std::free(mem);
    return out;
}

}  // namespace rivulet
