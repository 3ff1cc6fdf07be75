#include "image/png_writer.hpp"

#include <png.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

#include "common/error.hpp"

namespace rivulet {
namespace {

constexpr int kMaxScale = 64;
constexpr std::size_t kMaxOutputSide = 16384;
constexpr std::uint8_t kGapValue = 255;

// An 8-bit raster in PNG order (row 0 = top).
struct Gray8 {
    std::size_t width = 0;
    std::size_t height = 0;
    std::vector<std::uint8_t> data;

    Gray8(std::size_t w, std::size_t h, std::uint8_t fill) : width(w), height(h), data(w * h, fill) {}
    std::uint8_t *Row(std::size_t y) { return data.data() + y * width; }
};

void CheckOptions(const PngOptions &o) {
    if (o.scale < 1 || o.scale > kMaxScale) {
        throw RivuletError(ErrorKind::kInvalidInput,
                           "PNG scale " + std::to_string(o.scale) + " outside 1.." + std::to_string(kMaxScale));
    }
    if (!(o.low_percentile >= 0 && o.low_percentile < o.high_percentile && o.high_percentile <= 100)) {
        throw RivuletError(ErrorKind::kInvalidInput, "PNG percentiles must satisfy 0 <= low < high <= 100");
    }
    if (!(o.asinh_softening >= 0) || !std::isfinite(o.asinh_softening)) {
        throw RivuletError(ErrorKind::kInvalidInput, "PNG asinh softening must be finite and >= 0");
    }
    if (o.gap < 0 || o.gap > 1024) throw RivuletError(ErrorKind::kInvalidInput, "PNG gap outside 0..1024");
}

double Percentile(const std::vector<float> &sorted, double p) {
    const double pos = p / 100.0 * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    const double f = pos - static_cast<double>(lo);
    return static_cast<double>(sorted[lo]) * (1 - f) + static_cast<double>(sorted[hi]) * f;
}

// Maps finite pixels to 1..255 (0 is left for NaN), clipping at the percentiles; returns Image row order.
std::vector<std::uint8_t> Stretch(const Image &image, const PngOptions &o) {
    std::vector<float> finite;
    finite.reserve(image.pixels.size());
    for (float v : image.pixels) {
        if (std::isfinite(v)) finite.push_back(v);
    }
    std::sort(finite.begin(), finite.end());
    double lo = 0, hi = 0;
    if (!finite.empty()) {
        lo = Percentile(finite, o.low_percentile);
        hi = Percentile(finite, o.high_percentile);
        // Chip-edge stamps carry a few very low rows that would set the black point far below the sky and
        // wash the sky out to white. Like ZScale, keep black near the sky: no lower than 3 robust sigma (MAD)
        // below the median.
        const double median = Percentile(finite, 50);
        std::vector<float> dev(finite.size());
        for (std::size_t i = 0; i < finite.size(); ++i) dev[i] = static_cast<float>(std::fabs(finite[i] - median));
        std::nth_element(dev.begin(), dev.begin() + static_cast<std::ptrdiff_t>(dev.size() / 2), dev.end());
        const double sigma = 1.4826 * static_cast<double>(dev[dev.size() / 2]);
        if (sigma > 0) lo = std::max(lo, median - 3 * sigma);
        if (lo >= hi) lo = Percentile(finite, o.low_percentile);
    }
    const double a = o.asinh_softening;
    const double norm = a > 0 ? std::asinh(a) : 1.0;
    std::vector<std::uint8_t> out(image.pixels.size());
    for (std::size_t i = 0; i < image.pixels.size(); ++i) {
        const float v = image.pixels[i];
        if (std::isnan(v)) {
            out[i] = o.nan_value;
            continue;
        }
        double t = 0.5;  // a flat image (hi == lo) is drawn mid-grey rather than black
        if (hi > lo) t = std::clamp((static_cast<double>(v) - lo) / (hi - lo), 0.0, 1.0);
        if (v == std::numeric_limits<float>::infinity()) t = 1;
        if (v == -std::numeric_limits<float>::infinity()) t = 0;
        const double g = a > 0 ? std::asinh(a * t) / norm : t;
        out[i] = static_cast<std::uint8_t>(1 + std::lround(g * 254.0));
    }
    return out;
}

// Draws `image` stretched and scaled into `canvas` with its top-left at (x0, y0) in canvas pixels.
void Draw(const Image &image, const PngOptions &o, Gray8 &canvas, std::size_t x0, std::size_t y0) {
    const std::vector<std::uint8_t> grey = Stretch(image, o);
    const auto w = static_cast<std::size_t>(image.width);
    const auto h = static_cast<std::size_t>(image.height);
    const auto s = static_cast<std::size_t>(o.scale);
    for (std::size_t r = 0; r < h; ++r) {
        // PNG rows run top to bottom; with north up the last Image row is drawn first.
        const std::size_t src_row = o.north_up ? h - 1 - r : r;
        const std::uint8_t *src = grey.data() + src_row * w;
        for (std::size_t dy = 0; dy < s; ++dy) {
            std::uint8_t *dst = canvas.Row(y0 + r * s + dy) + x0;
            for (std::size_t x = 0; x < w; ++x) std::memset(dst + x * s, src[x], s);
        }
    }
}

void CheckShape(const Image &image) {
    if (image.width < 0 || image.height < 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height)) {
        throw RivuletError(ErrorKind::kInvalidInput, "PNG: image is " + std::to_string(image.width) + "x" +
                                                         std::to_string(image.height) + " but holds " +
                                                         std::to_string(image.pixels.size()) + " pixels");
    }
}

void CheckCanvas(std::size_t w, std::size_t h) {
    if (w > kMaxOutputSide || h > kMaxOutputSide) {
        throw RivuletError(ErrorKind::kInvalidInput, "PNG would be " + std::to_string(w) + "x" + std::to_string(h) +
                                                         " px, over the " + std::to_string(kMaxOutputSide) +
                                                         " per side cap");
    }
}

// libpng reports errors by longjmp; its callbacks are C, so no C++ destructor is skipped between the
// setjmp in EncodeGray8 and the longjmp in PngError.
struct PngSink {
    std::vector<std::uint8_t> *out;
    char message[256];
};

extern "C" void PngError(png_structp png, png_const_charp msg) {
    auto *sink = static_cast<PngSink *>(png_get_error_ptr(png));
    std::snprintf(sink->message, sizeof sink->message, "%s", msg);
    png_longjmp(png, 1);
}

extern "C" void PngWarning(png_structp, png_const_charp) {}

extern "C" void PngWrite(png_structp png, png_bytep data, png_size_t length) {
    auto *sink = static_cast<PngSink *>(png_get_io_ptr(png));
    bool ok = true;
    try {
        sink->out->insert(sink->out->end(), data, data + length);
    } catch (...) {  // an exception must not cross libpng's C frames
        ok = false;
    }
    if (!ok) png_error(png, "out of memory while writing PNG");
}

extern "C" void PngFlush(png_structp) {}

std::vector<std::uint8_t> EncodeGray8(Gray8 &canvas) {
    std::vector<std::uint8_t> out;
    std::vector<png_bytep> rows(canvas.height);
    for (std::size_t y = 0; y < canvas.height; ++y) rows[y] = canvas.Row(y);
    PngSink sink{&out, {}};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, PngError, PngWarning);
    if (png == nullptr) throw RivuletError(ErrorKind::kInternal, "libpng: cannot create write struct");
    png_infop info = png_create_info_struct(png);
    if (info == nullptr) {
        png_destroy_write_struct(&png, nullptr);
        throw RivuletError(ErrorKind::kInternal, "libpng: cannot create info struct");
    }
    if (setjmp(png_jmpbuf(png)) != 0) {
        png_destroy_write_struct(&png, &info);
        throw RivuletError(ErrorKind::kInternal, std::string("libpng: ") + sink.message);
    }
    png_set_write_fn(png, &sink, PngWrite, PngFlush);
    png_set_IHDR(png, info, static_cast<png_uint_32>(canvas.width), static_cast<png_uint_32>(canvas.height), 8,
                 PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_write_image(png, rows.data());
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
}

void WriteFile(const std::vector<std::uint8_t> &bytes, const std::filesystem::path &path) {
    std::FILE *f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
        throw RivuletError(ErrorKind::kIo, "cannot open " + path.string() + " for writing: " + std::strerror(errno));
    }
    const std::size_t n = std::fwrite(bytes.data(), 1, bytes.size(), f);
    const int write_errno = errno;
    // fclose can be where a full disk shows up, so its result counts too.
    const bool closed = std::fclose(f) == 0;
    if (n != bytes.size() || !closed) {
        const int e = n != bytes.size() ? write_errno : errno;
        std::error_code ignored;
        std::filesystem::remove(path, ignored);  // do not leave a truncated picture behind
        throw RivuletError(ErrorKind::kIo, "cannot write " + path.string() + ": " + std::strerror(e));
    }
}

}  // namespace

std::vector<std::uint8_t> EncodePng(const Image &image, const PngOptions &options) {
    CheckOptions(options);
    CheckShape(image);
    const auto s = static_cast<std::size_t>(options.scale);
    if (image.empty()) {
        Gray8 canvas(1, 1, options.nan_value);
        return EncodeGray8(canvas);
    }
    const std::size_t w = static_cast<std::size_t>(image.width) * s;
    const std::size_t h = static_cast<std::size_t>(image.height) * s;
    CheckCanvas(w, h);
    Gray8 canvas(w, h, options.nan_value);
    Draw(image, options, canvas, 0, 0);
    return EncodeGray8(canvas);
}

std::vector<std::uint8_t> EncodeTripletPng(const Image *science, const Image *reference, const Image *difference,
                                           const PngOptions &options) {
    CheckOptions(options);
    const Image *panels[3] = {science, reference, difference};
    int panel_w = 0, panel_h = 0;
    for (const Image *p : panels) {
        if (p == nullptr) continue;
        CheckShape(*p);
        if (p->empty()) continue;
        panel_w = std::max(panel_w, p->width);
        panel_h = std::max(panel_h, p->height);
    }
    if (panel_w == 0) panel_w = panel_h = 63;  // nothing to draw: three blank stamp-sized panels
    const auto s = static_cast<std::size_t>(options.scale);
    const std::size_t pw = static_cast<std::size_t>(panel_w) * s;
    const std::size_t ph = static_cast<std::size_t>(panel_h) * s;
    const std::size_t gap = static_cast<std::size_t>(options.gap) * s;
    const std::size_t w = 3 * pw + 2 * gap;
    CheckCanvas(w, ph);
    Gray8 canvas(w, ph, options.nan_value);
    for (std::size_t i = 0; i < 3; ++i) {
        const std::size_t left = i * (pw + gap);
        if (i > 0) {
            for (std::size_t y = 0; y < ph; ++y) std::memset(canvas.Row(y) + left - gap, kGapValue, gap);
        }
        const Image *p = panels[i];
        if (p == nullptr || p->empty()) continue;
        // Centre a smaller (chip-edge) stamp; whole source pixels keep the blocks aligned.
        const std::size_t dx = static_cast<std::size_t>(panel_w - p->width) / 2 * s;
        const std::size_t dy = static_cast<std::size_t>(panel_h - p->height) / 2 * s;
        Draw(*p, options, canvas, left + dx, dy);
    }
    return EncodeGray8(canvas);
}

void WritePng(const Image &image, const std::filesystem::path &path, const PngOptions &options) {
    WriteFile(EncodePng(image, options), path);
}

void WriteTripletPng(const Image *science, const Image *reference, const Image *difference,
                     const std::filesystem::path &path, const PngOptions &options) {
    WriteFile(EncodeTripletPng(science, reference, difference, options), path);
}

}  // namespace rivulet
