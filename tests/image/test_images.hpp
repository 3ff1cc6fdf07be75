#pragma once
// Small builders shared by the image tests: synthetic stamps, hand-made FITS files, JPEGs from libjpeg.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <jpeglib.h>

#include "image/image.hpp"

namespace rivulet::testing {

inline std::span<const std::uint8_t> Bytes(const std::vector<std::uint8_t> &v) { return {v.data(), v.size()}; }

//! A w x h stamp with a smooth pattern and the awkward values a real stamp may hold: NaN (chip gaps),
//! -0.0, +-Inf, a denormal, and very large/small magnitudes.
inline Image MakeStamp(int w, int h) {
    Image im;
    im.width = w;
    im.height = h;
    im.pixels.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            im.pixels[static_cast<std::size_t>(y * w + x)] =
                100.0f + 3.25f * static_cast<float>(x) - 1.5f * static_cast<float>(y) +
                static_cast<float>(std::sin(x * 0.3 + y * 0.7)) * 17.0f;
        }
    }
    const std::size_t n = im.pixels.size();
    const float specials[] = {std::numeric_limits<float>::quiet_NaN(), -0.0f,
                              std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                              std::numeric_limits<float>::denorm_min(), 3.4e38f, -1.17e-38f};
    for (std::size_t i = 0; i < std::size(specials) && i < n; ++i) im.pixels[(i * 7919) % n] = specials[i];
    // A whole NaN column at the left edge, as on chip-edge stamps.
    for (int y = 0; y < h; ++y) im.pixels[static_cast<std::size_t>(y * w)] = std::numeric_limits<float>::quiet_NaN();
    return im;
}

//! Pixels equal bit for bit, except that any NaN matches any NaN (payloads are not meaningful).
inline ::testing::AssertionResult SamePixels(const Image &a, const Image &b) {
    if (a.width != b.width || a.height != b.height) {
        return ::testing::AssertionFailure() << "shape " << a.width << "x" << a.height << " vs " << b.width << "x"
                                             << b.height;
    }
    if (a.pixels.size() != b.pixels.size()) return ::testing::AssertionFailure() << "pixel count differs";
    for (std::size_t i = 0; i < a.pixels.size(); ++i) {
        const float u = a.pixels[i], v = b.pixels[i];
        if (std::isnan(u) && std::isnan(v)) continue;
        if (std::bit_cast<std::uint32_t>(u) != std::bit_cast<std::uint32_t>(v)) {
            return ::testing::AssertionFailure() << "pixel " << i << " (x=" << i % static_cast<std::size_t>(a.width)
                                                 << ", y=" << i / static_cast<std::size_t>(a.width) << "): " << u
                                                 << " vs " << v;
        }
    }
    return ::testing::AssertionSuccess();
}

//! One 80-column FITS header card.
inline std::string Card(const std::string &text) {
    std::string c = text.substr(0, 80);
    c.resize(80, ' ');
    return c;
}

//! A FITS file from header cards (END added) and raw big-endian data, both padded to 2880-byte blocks.
inline std::vector<std::uint8_t> MakeFits(const std::vector<std::string> &cards, const std::vector<std::uint8_t> &data,
                                          bool pad_data = true) {
    std::string header;
    for (const auto &c : cards) header += Card(c);
    header += Card("END");
    header.resize((header.size() + 2879) / 2880 * 2880, ' ');
    std::vector<std::uint8_t> out(header.begin(), header.end());
    out.insert(out.end(), data.begin(), data.end());
    if (pad_data && !data.empty()) out.resize((out.size() + 2879) / 2880 * 2880, 0);
    return out;
}

template <class T>
void PutBigEndian(std::vector<std::uint8_t> &out, T value) {
    std::uint8_t b[sizeof(T)];
    std::memcpy(b, &value, sizeof(T));
    if constexpr (std::endian::native == std::endian::little) {
        for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(b[sizeof(T) - 1 - i]);
    } else {
        out.insert(out.end(), b, b + sizeof(T));
    }
}

//! Encodes an 8-bit JPEG with libjpeg (1 or 3 components), rows given top first.
inline std::vector<std::uint8_t> MakeJpeg(int w, int h, int components, const std::vector<std::uint8_t> &samples,
                                          int quality = 100) {
    jpeg_compress_struct cinfo;
    jpeg_error_mgr err;
    cinfo.err = jpeg_std_error(&err);
    jpeg_create_compress(&cinfo);
    unsigned char *mem = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&cinfo, &mem, &size);
    cinfo.image_width = static_cast<JDIMENSION>(w);
    cinfo.image_height = static_cast<JDIMENSION>(h);
    cinfo.input_components = components;
    cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = const_cast<JSAMPLE *>(samples.data()) +
                       static_cast<std::size_t>(cinfo.next_scanline) * static_cast<std::size_t>(w * components);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    std::vector<std::uint8_t> out(mem, mem + size);
    jpeg_destroy_compress(&cinfo);
    std::free(mem);
    return out;
}

}  // namespace rivulet::testing
