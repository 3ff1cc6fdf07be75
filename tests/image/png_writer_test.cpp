// PNG pictures: readable by libpng, north up, NaN distinct, stretched to use the grey range, triplets laid
// out with gaps and blank panels, and I/O failures thrown as RivuletError(kIo).

#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "common/error.hpp"
#include "image/png_writer.hpp"
#include "test_images.hpp"

namespace rivulet {
namespace {

struct Gray {
    int width = 0, height = 0;
    std::vector<std::uint8_t> data;  // row 0 = top
    int at(int x, int y) const { return data[static_cast<std::size_t>(y * width + x)]; }
};

Gray ReadPng(const std::vector<std::uint8_t> &bytes) {
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    EXPECT_TRUE(png_image_begin_read_from_memory(&img, bytes.data(), bytes.size())) << img.message;
    EXPECT_EQ(img.format, PNG_FORMAT_GRAY);  // written as 8-bit grey, no alpha
    img.format = PNG_FORMAT_GRAY;
    Gray g;
    g.width = static_cast<int>(img.width);
    g.height = static_cast<int>(img.height);
    g.data.resize(PNG_IMAGE_SIZE(img));
    EXPECT_TRUE(png_image_finish_read(&img, nullptr, g.data.data(), 0, nullptr)) << img.message;
    return g;
}

// A stamp with a bright source near FITS row 0 (bottom) and a NaN pixel.
Image Ramp(int w, int h) {
    Image im{w, h, std::vector<float>(static_cast<std::size_t>(w * h), 0.0f)};
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) im.pixels[static_cast<std::size_t>(y * w + x)] = static_cast<float>(x);
    im.pixels[static_cast<std::size_t>(2 * w + 3)] = 1e6f;  // (3, 2): far above the 99.5th percentile
    im.pixels[static_cast<std::size_t>(5 * w + 1)] = std::numeric_limits<float>::quiet_NaN();  // (1, 5)
    return im;
}

TEST(PngWriter, NorthUpScaledAndNanDistinct) {
    // Stamp-sized, so one outlier pixel is well beyond the 99.5th percentile and cannot set the scale.
    const Image im = Ramp(63, 63);
    PngOptions o;
    o.scale = 4;
    const Gray g = ReadPng(EncodePng(im, o));
    ASSERT_EQ(g.width, 252);
    ASSERT_EQ(g.height, 252);
    // Image (x, y) lands in PNG block (x, h-1-y).
    auto px = [&](int x, int y) { return g.at(x * 4 + 1, (63 - 1 - y) * 4 + 2); };
    EXPECT_EQ(px(1, 5), 0);            // NaN
    EXPECT_EQ(px(3, 2), 255);          // clipped bright source
    EXPECT_EQ(px(0, 0), 1);            // faintest finite pixel is 1, never the NaN grey
    EXPECT_LT(px(5, 0), px(15, 0));    // monotonic
    EXPECT_GT(px(31, 0), 160);         // asinh lifts the middle of the range
    int zeros = 0;
    for (std::uint8_t v : g.data) zeros += v == 0;
    EXPECT_EQ(zeros, 16);  // exactly the one NaN pixel, 4x4

    o.north_up = false;
    o.scale = 1;
    o.asinh_softening = 0;
    const Gray flat = ReadPng(EncodePng(im, o));
    EXPECT_EQ(flat.at(1, 5), 0);
    EXPECT_EQ(flat.at(3, 2), 255);
}

TEST(PngWriter, DegenerateImages) {
    Image flat{5, 5, std::vector<float>(25, 3.0f)};
    Gray g = ReadPng(EncodePng(flat, {.scale = 1}));
    EXPECT_GT(g.at(2, 2), 1);  // a flat image is mid-grey, not black
    Image all_nan{4, 4, std::vector<float>(16, std::numeric_limits<float>::quiet_NaN())};
    g = ReadPng(EncodePng(all_nan, {.scale = 2}));
    EXPECT_EQ(g.width, 8);
    for (std::uint8_t v : g.data) EXPECT_EQ(v, 0);
    g = ReadPng(EncodePng(Image{}));
    EXPECT_EQ(g.width, 1);
    Image inf{2, 1, {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()}};
    g = ReadPng(EncodePng(inf, {.scale = 1}));
    EXPECT_EQ(g.at(0, 0), 255);
    EXPECT_EQ(g.at(1, 0), 1);
}

TEST(PngWriter, TripletLayoutWithMissingPanel) {
    const Image sci = testing::MakeStamp(63, 63);
    const Image small = testing::MakeStamp(44, 63);
    PngOptions o;
    o.scale = 2;
    const Gray g = ReadPng(EncodeTripletPng(&sci, nullptr, &small, o));
    const int pw = 63 * 2, gap = 2 * 2;
    ASSERT_EQ(g.width, 3 * pw + 2 * gap);
    ASSERT_EQ(g.height, pw);
    for (int y = 0; y < g.height; ++y) {
        EXPECT_EQ(g.at(pw, y), 255);                    // gap
        EXPECT_EQ(g.at(pw + gap + pw / 2, y), 0);       // missing reference: blank
        EXPECT_EQ(g.at(2 * (pw + gap) + 2, y), 0);      // 44-wide stamp centred: left padding
    }
    // Something is drawn in the science panel.
    int lit = 0;
    for (int x = 0; x < pw; ++x) lit += g.at(x, pw / 2) > 0;
    EXPECT_GT(lit, pw / 2);
    // All three missing still gives a picture of three blank stamp-sized panels.
    const Gray none = ReadPng(EncodeTripletPng(nullptr, nullptr, nullptr, o));
    EXPECT_EQ(none.width, 3 * pw + 2 * gap);
}

TEST(PngWriter, WritesFilesAndReportsIoErrors) {
    const auto dir = std::filesystem::temp_directory_path() / ("rivulet_png_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const Image im = testing::MakeStamp(63, 63);
    WritePng(im, dir / "one.png");
    WriteTripletPng(&im, &im, &im, dir / "three.png");
    std::ifstream in(dir / "one.png", std::ios::binary);
    std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_EQ(ReadPng(bytes).width, 63 * 4);
    EXPECT_GT(std::filesystem::file_size(dir / "three.png"), 0u);

    try {
        WritePng(im, dir / "no" / "such" / "dir" / "x.png");
        FAIL() << "no exception";
    } catch (const RivuletError &e) {
        EXPECT_EQ(e.kind(), ErrorKind::kIo);
        EXPECT_NE(std::string(e.what()).find("x.png"), std::string::npos) << e.what();
    }
    if (std::filesystem::exists("/dev/full")) {
        EXPECT_THROW(WritePng(im, "/dev/full"), RivuletError);
    }
    std::filesystem::remove_all(dir);
}

TEST(PngWriter, RejectsBadOptions) {
    const Image im = testing::MakeStamp(8, 8);
    auto kind = [&](PngOptions o) {
        try {
            EncodePng(im, o);
        } catch (const RivuletError &e) {
            return e.kind();
        }
        return ErrorKind::kInternal;
    };
    EXPECT_EQ(kind({.scale = 0}), ErrorKind::kInvalidInput);
    EXPECT_EQ(kind({.scale = 65}), ErrorKind::kInvalidInput);
    EXPECT_EQ(kind({.low_percentile = 60, .high_percentile = 40}), ErrorKind::kInvalidInput);
    Image bad{3, 3, std::vector<float>(2)};
    EXPECT_THROW(EncodePng(bad), RivuletError);
    Image big{4096, 1, std::vector<float>(4096, 1.0f)};
    EXPECT_THROW(EncodePng(big, {.scale = 8}), RivuletError);  // 32768 px wide
}

}  // namespace
}  // namespace rivulet
