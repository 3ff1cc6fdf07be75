// DecodeCutout on synthetic stamps: exact round trips (NaN, odd shapes, every BITPIX) and clean errors on
// hostile bytes (truncation, random data, lying headers, gzip bombs, corrupt JPEG). The real-alert
// comparison against astropy lives in real_stamps_test.cpp.

#include <fitsio.h>
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "common/error.hpp"
#include "image/cutout_codec.hpp"
#include "test_images.hpp"

namespace rivulet {
namespace {

using testing::Bytes;
using testing::MakeFits;
using testing::MakeStamp;
using testing::PutBigEndian;
using testing::SamePixels;

std::vector<std::uint8_t> GzippedStamp(const Image &im) {
    auto fits = EncodeFitsFloat(im);
    return GzipCompress(Bytes(fits));
}

TEST(CutoutCodec, GzipFitsRoundTripKeepsNanAndShape) {
    // 63x63 is the usual stamp; the others are chip-edge shapes seen in real alerts, plus degenerate ones.
    for (auto [w, h] : {std::pair{63, 63}, {44, 63}, {63, 41}, {55, 63}, {1, 1}, {1, 63}, {63, 1}}) {
        SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
        const Image in = MakeStamp(w, h);
        const auto gz = GzippedStamp(in);
        EXPECT_EQ(DetectCutoutFormat(Bytes(gz)), CutoutFormat::kGzipFits);
        auto out = DecodeCutout(Bytes(gz));
        ASSERT_TRUE(out.ok()) << out.error().reason << ": " << out.error().message;
        EXPECT_TRUE(SamePixels(in, *out));
        EXPECT_EQ(out->width, w);
        EXPECT_EQ(out->height, h);
        if (w > 1) {
            EXPECT_TRUE(std::isnan(out->at(0, h - 1)));
            EXPECT_FALSE(std::isnan(out->at(1, h - 1)));
        }
    }
}

TEST(CutoutCodec, PlainFitsRoundTrip) {
    const Image in = MakeStamp(63, 41);
    const auto fits = EncodeFitsFloat(in);
    EXPECT_EQ(fits.size() % 2880, 0u);
    EXPECT_EQ(DetectCutoutFormat(Bytes(fits)), CutoutFormat::kFits);
    const std::string header(fits.begin(), fits.begin() + 2880);
    EXPECT_NE(header.find("BITPIX  =                  -32"), std::string::npos) << header;
    EXPECT_NE(header.find("NAXIS1  =                   63"), std::string::npos) << header;
    EXPECT_NE(header.find("NAXIS2  =                   41"), std::string::npos) << header;
    auto out = DecodeCutout(Bytes(fits));
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_TRUE(SamePixels(in, *out));
}

TEST(CutoutCodec, EncodeFitsFloatRejectsInconsistentImage) {
    Image bad;
    bad.width = 3;
    bad.height = 3;
    bad.pixels.resize(4);
    EXPECT_THROW(EncodeFitsFloat(bad), RivuletError);
    // An empty image is a valid, data-less FITS file; decoding it is an error (nothing to show).
    auto empty = EncodeFitsFloat(Image{});
    EXPECT_EQ(empty.size(), 2880u);
    auto out = DecodeCutout(Bytes(empty));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, "cutout_fits");
}

TEST(CutoutCodec, DetectsFormatsByMagic) {
    const std::vector<std::uint8_t> empty;
    EXPECT_EQ(DetectCutoutFormat(Bytes(empty)), CutoutFormat::kUnknown);
    EXPECT_EQ(DetectCutoutFormat(Bytes({0x1f, 0x8b})), CutoutFormat::kGzipFits);
    EXPECT_EQ(DetectCutoutFormat(Bytes({0xff, 0xd8, 0xff, 0xe0})), CutoutFormat::kJpeg);
    EXPECT_EQ(DetectCutoutFormat(Bytes({0xff, 0xd8})), CutoutFormat::kUnknown);
    const std::string simple = "SIMPLE  =                    T";
    EXPECT_EQ(DetectCutoutFormat(Bytes(std::vector<std::uint8_t>(simple.begin(), simple.end()))), CutoutFormat::kFits);
    EXPECT_STREQ(CutoutFormatName(CutoutFormat::kGzipFits), "gzip-fits");

    auto out = DecodeCutout(Bytes(empty));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, "cutout_unknown_format");
    out = DecodeCutout(Bytes({'P', 'K', 3, 4, 0}));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, "cutout_unknown_format");
    EXPECT_NE(out.error().message.find("504b0304"), std::string::npos) << out.error().message;
}

TEST(CutoutCodec, GzipRoundTripAndMultiMember) {
    std::vector<std::uint8_t> a(100000), b = {1, 2, 3};
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i * i % 251);
    auto ga = GzipCompress(Bytes(a));
    auto back = GzipDecompress(Bytes(ga));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, a);

    const std::vector<std::uint8_t> nothing;
    auto ge = GzipCompress(Bytes(nothing));
    auto empty = GzipDecompress(Bytes(ge));
    ASSERT_TRUE(empty.ok()) << empty.error().message;
    EXPECT_TRUE(empty->empty());

    // Concatenated members (what `cat a.gz b.gz` gives) decode to the concatenation; the trailer's ISIZE
    // describes only the last member, so this also exercises growing the buffer past the first guess.
    auto gb = GzipCompress(Bytes(b));
    std::vector<std::uint8_t> both = ga;
    both.insert(both.end(), gb.begin(), gb.end());
    auto cat = GzipDecompress(Bytes(both));
    ASSERT_TRUE(cat.ok()) << cat.error().message;
    std::vector<std::uint8_t> expect = a;
    expect.insert(expect.end(), b.begin(), b.end());
    EXPECT_EQ(*cat, expect);
}

TEST(CutoutCodec, TruncatedGzipStampIsACleanError) {
    const auto gz = GzippedStamp(MakeStamp(63, 63));
    // Every cut inside the header and the first deflate block, then a stride (every cut is also fine, just slow
    // under AddressSanitizer).
    for (std::size_t n = 0; n < gz.size(); n += n < 300 ? 1 : 5) {
        auto out = DecodeCutout(std::span(gz.data(), n));
        ASSERT_FALSE(out.ok()) << "prefix of " << n << " bytes decoded";
        EXPECT_EQ(out.error().reason, n < 2 ? "cutout_unknown_format" : "cutout_gzip") << n;
        EXPECT_FALSE(out.error().message.empty());
    }
    auto out = DecodeCutout(std::span(gz.data(), gz.size() / 2));
    EXPECT_NE(out.error().message.find("truncated"), std::string::npos) << out.error().message;
}

TEST(CutoutCodec, LyingGzipTrailerIsACleanError) {
    const auto gz = GzippedStamp(MakeStamp(63, 63));
    for (std::uint32_t isize : {0u, 1u, 1000u, 0x7fffffffu, 0xffffffffu}) {
        auto bad = gz;
        std::memcpy(bad.data() + bad.size() - 4, &isize, 4);  // little-endian host, as gzip
        auto out = DecodeCutout(Bytes(bad));
        ASSERT_FALSE(out.ok()) << isize;
        EXPECT_EQ(out.error().reason, "cutout_gzip");
    }
    auto bad = gz;
    bad[bad.size() - 6] ^= 0x55;  // CRC32
    EXPECT_FALSE(DecodeCutout(Bytes(bad)).ok());
    bad = gz;
    bad[2] = 9;  // compression method
    auto out = DecodeCutout(Bytes(bad));
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.error().message.find("method"), std::string::npos);
}

TEST(CutoutCodec, GzipBombStopsAtTheCap) {
    std::vector<std::uint8_t> zeros(std::size_t{2} << 20, 0);
    auto gz = GzipCompress(Bytes(zeros));
    auto out = GzipDecompress(Bytes(gz), std::size_t{1} << 20);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, "gzip");
    EXPECT_NE(out.error().message.find("cap"), std::string::npos) << out.error().message;

    zeros.assign(kMaxGzipOutput + 1, 0);
    gz = GzipCompress(Bytes(zeros));
    zeros = {};
    auto cut = DecodeCutout(Bytes(gz));
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().reason, "cutout_gzip");
    EXPECT_NE(cut.error().message.find("64 MiB"), std::string::npos) << cut.error().message;
}

TEST(CutoutCodec, GzipOfSomethingElseIsReported) {
    const std::string text = "not a FITS file at all";
    auto gz = GzipCompress(Bytes(std::vector<std::uint8_t>(text.begin(), text.end())));
    auto out = DecodeCutout(Bytes(gz));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, "cutout_fits");
    EXPECT_NE(out.error().message.find("not FITS"), std::string::npos) << out.error().message;
}

// Every BITPIX a FITS writer may use becomes float, with BSCALE/BZERO applied and BLANK turned into NaN,
// as astropy does.
TEST(CutoutCodec, IntegerAndDoubleBitpixAreConverted) {
    const std::vector<std::string> common = {"SIMPLE  =                    T", "NAXIS   =                    2",
                                             "NAXIS1  =                    3", "NAXIS2  =                    2"};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> cards = {common[0], extra[0]};
        cards.insert(cards.end(), common.begin() + 1, common.end());
        cards.insert(cards.end(), extra.begin() + 1, extra.end());
        return cards;
    };
    const float nan = std::numeric_limits<float>::quiet_NaN();
    {
        std::vector<std::uint8_t> d;
        for (std::int16_t v : {-32768, -1, 0, 1, 999, 32767}) PutBigEndian(d, v);
        auto fits = MakeFits(with({"BITPIX  =                   16", "BSCALE  =                  0.5",
                                   "BZERO   =                 10.0", "BLANK   =                  999"}),
                             d);
        auto out = DecodeCutout(Bytes(fits));
        ASSERT_TRUE(out.ok()) << out.error().message;
        Image expect{3, 2, {-16374.0f, 9.5f, 10.0f, 10.5f, nan, 16393.5f}};
        EXPECT_TRUE(SamePixels(expect, *out));
    }
    {
        std::vector<std::uint8_t> d = {0, 1, 127, 128, 254, 255};
        auto fits = MakeFits(with({"BITPIX  =                    8"}), d);
        auto out = DecodeCutout(Bytes(fits));
        ASSERT_TRUE(out.ok()) << out.error().message;
        EXPECT_TRUE(SamePixels(Image{3, 2, {0, 1, 127, 128, 254, 255}}, *out));
    }
    {
        std::vector<std::uint8_t> d;
        for (std::int32_t v : {-2000000000, -7, 0, 7, 16777217, 2000000000}) PutBigEndian(d, v);
        auto fits = MakeFits(with({"BITPIX  =                   32"}), d);
        auto out = DecodeCutout(Bytes(fits));
        ASSERT_TRUE(out.ok()) << out.error().message;
        EXPECT_TRUE(SamePixels(Image{3, 2, {-2e9f, -7, 0, 7, 16777216.0f, 2e9f}}, *out));
    }
    {
        std::vector<std::uint8_t> d;
        for (std::int64_t v : {std::int64_t{-1} << 40, std::int64_t{-3}, std::int64_t{0}, std::int64_t{3},
                               std::int64_t{1} << 40, std::int64_t{123456789}})
            PutBigEndian(d, v);
        auto fits = MakeFits(with({"BITPIX  =                   64"}), d);
        auto out = DecodeCutout(Bytes(fits));
        ASSERT_TRUE(out.ok()) << out.error().message;
        EXPECT_TRUE(SamePixels(Image{3, 2, {-1099511627776.0f, -3, 0, 3, 1099511627776.0f, 123456789.0f}}, *out));
    }
    {
        std::vector<std::uint8_t> d;
        for (double v : {-1.5, 0.1, std::nan(""), 1e300, -0.0, 2.0}) PutBigEndian(d, v);
        auto fits = MakeFits(with({"BITPIX  =                  -64"}), d);
        auto out = DecodeCutout(Bytes(GzipCompress(Bytes(fits))));
        ASSERT_TRUE(out.ok()) << out.error().message;
        // 1e300 does not fit a float: +Inf, as numpy's astype(float32) gives.
        EXPECT_TRUE(SamePixels(Image{3, 2, {-1.5f, 0.1f, nan, std::numeric_limits<float>::infinity(), -0.0f, 2.0f}}, *out));
    }
}

TEST(CutoutCodec, CorruptFitsHeaderIsACleanError) {
    const auto good = EncodeFitsFloat(MakeStamp(63, 63));
    const std::string header(good.begin(), good.begin() + 2880);
    auto replace = [&](const std::string &from, const std::string &to) {
        auto bytes = good;
        const auto pos = header.find(from);
        EXPECT_NE(pos, std::string::npos) << from;
        std::memcpy(bytes.data() + pos, to.data(), to.size());
        return bytes;
    };
    for (const auto &bad : {replace("BITPIX  =                  -32", "BITPIX  =                  -31"),
                            replace("BITPIX  =                  -32", "BITPIX  =                   XX"),
                            replace("NAXIS   =                    2", "NAXIS   =                   -2"),
                            replace("NAXIS1  =                   63", "NAXIS1  =                 ABCD"),
                            replace("END     ", "XND     "), replace("NAXIS   =", "NOTAXIS =")}) {
        for (const auto &bytes : {bad, GzipCompress(Bytes(bad))}) {
            auto out = DecodeCutout(Bytes(bytes));
            ASSERT_FALSE(out.ok());
            EXPECT_EQ(out.error().reason, "cutout_fits");
            EXPECT_FALSE(out.error().message.empty());
        }
    }
    // Too short to hold even one header block.
    auto out = DecodeCutout(std::span(good.data(), 100));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, "cutout_fits");
    // Data cut short: header says 63x63 floats, only part of them present.
    for (std::size_t n : {std::size_t{2880}, std::size_t{2880 + 100}, good.size() - 2880}) {
        out = DecodeCutout(std::span(good.data(), n));
        ASSERT_FALSE(out.ok()) << n;
        EXPECT_NE(out.error().message.find("truncated"), std::string::npos) << out.error().message;
    }
}

TEST(CutoutCodec, HugeOrOddNaxisClaimsAreRejectedBeforeAllocating) {
    auto header = [](const std::string &n1, const std::string &n2, std::vector<std::string> more = {}) {
        std::vector<std::string> cards = {"SIMPLE  =                    T", "BITPIX  =                  -32",
                                          "NAXIS   = " + std::string(20 - std::to_string(2 + more.size()).size(), ' ') +
                                              std::to_string(2 + more.size()),
                                          "NAXIS1  = " + std::string(20 - n1.size(), ' ') + n1,
                                          "NAXIS2  = " + std::string(20 - n2.size(), ' ') + n2};
        cards.insert(cards.end(), more.begin(), more.end());
        return MakeFits(cards, std::vector<std::uint8_t>(2880, 0));
    };
    struct Case {
        std::vector<std::uint8_t> bytes;
        const char *expect;
    };
    const Case cases[] = {{header("100000", "100000"), "4096"},
                          {header("4097", "63"), "4096"},
                          {header("63", "0"), "4096"},
                          {header("4611686018427387904", "4611686018427387904"), "4096"},
                          {header("4096", "4096"), "truncated"},
                          {header("63", "63", {"NAXIS3  =                    5"}), "NAXIS3"}};
    for (const auto &c : cases) {
        for (const auto &bytes : {c.bytes, GzipCompress(Bytes(c.bytes))}) {
            auto out = DecodeCutout(Bytes(bytes));
            ASSERT_FALSE(out.ok()) << c.expect;
            EXPECT_EQ(out.error().reason, "cutout_fits");
            EXPECT_NE(out.error().message.find(c.expect), std::string::npos) << out.error().message;
        }
    }
    // A degenerate third axis of length 1 is still a 2-d image.
    auto ok = DecodeCutout(Bytes(header("30", "20", {"NAXIS3  =                    1"})));
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->width, 30);
    EXPECT_EQ(ok->height, 20);
}

TEST(CutoutCodec, ImageInFirstExtensionWhenPrimaryIsEmpty) {
    const std::vector<std::uint8_t> primary = MakeFits({"SIMPLE  =                    T", "BITPIX  =                    8",
                                                        "NAXIS   =                    0", "EXTEND  =                    T"},
                                                       {});
    std::vector<std::uint8_t> d;
    for (float v : {1.0f, 2.0f, 3.0f, 4.0f}) PutBigEndian(d, v);
    auto ext = MakeFits({"XTENSION= 'IMAGE   '", "BITPIX  =                  -32", "NAXIS   =                    2",
                         "NAXIS1  =                    2", "NAXIS2  =                    2", "PCOUNT  =                    0",
                         "GCOUNT  =                    1"},
                        d);
    auto bytes = primary;
    bytes.insert(bytes.end(), ext.begin(), ext.end());
    auto out = DecodeCutout(Bytes(bytes));
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_TRUE(SamePixels(Image{2, 2, {1, 2, 3, 4}}, *out));
    // Primary empty and nothing after it.
    out = DecodeCutout(Bytes(primary));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, "cutout_fits");
}

TEST(CutoutCodec, RandomBytesNeverCrash) {
    std::mt19937 rng(20240611);
    const auto gz = GzippedStamp(MakeStamp(63, 63));
    const auto fits = EncodeFitsFloat(MakeStamp(20, 10));
    const std::vector<std::uint8_t> prefixes[] = {
        {}, {0x1f, 0x8b}, {0x1f, 0x8b, 8, 0}, {'S', 'I', 'M', 'P', 'L', 'E', ' ', ' ', '='}, {0xff, 0xd8, 0xff}};
    int decoded = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        std::vector<std::uint8_t> bytes;
        const int kind = iter % 8;
        if (kind < 5) {
            bytes = prefixes[kind];
            const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 6000)(rng);
            for (std::size_t i = 0; i < n; ++i) bytes.push_back(static_cast<std::uint8_t>(rng()));
        } else {
            // Valid files with a few random bytes flipped: gets past the magic checks into the decoders.
            bytes = kind == 5 ? gz : fits;
            if (kind == 7) bytes = GzipCompress(Bytes(fits));
            const int flips = std::uniform_int_distribution<int>(1, 8)(rng);
            for (int f = 0; f < flips; ++f) {
                bytes[std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(rng)] =
                    static_cast<std::uint8_t>(rng());
            }
        }
        auto out = DecodeCutout(Bytes(bytes));
        if (out.ok()) {
            ++decoded;
            ASSERT_EQ(out->pixels.size(), static_cast<std::size_t>(out->width) * static_cast<std::size_t>(out->height));
            ASSERT_LE(out->width, kMaxCutoutSide);
        } else {
            ASSERT_FALSE(out.error().reason.empty());
            ASSERT_FALSE(out.error().message.empty());
        }
    }
    // Flipped bytes in FITS pixel data still decode (there is no checksum); that is expected.
    EXPECT_GT(decoded, 0);
}

TEST(CutoutCodec, JpegGrayDecodesFlippedToFitsOrientation) {
    const int w = 51, h = 40;
    std::vector<std::uint8_t> s(static_cast<std::size_t>(w * h));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) s[static_cast<std::size_t>(y * w + x)] = static_cast<std::uint8_t>(y < h / 2 ? 230 : 20);
    const auto jpeg = testing::MakeJpeg(w, h, 1, s);
    EXPECT_EQ(DetectCutoutFormat(Bytes(jpeg)), CutoutFormat::kJpeg);
    auto out = DecodeCutout(Bytes(jpeg));
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->width, w);
    EXPECT_EQ(out->height, h);
    // The JPEG's top rows are bright; in Image convention (row 0 = bottom) they are the last rows.
    EXPECT_NEAR(out->at(10, h - 1), 230, 3);
    EXPECT_NEAR(out->at(10, 0), 20, 3);
}

TEST(CutoutCodec, JpegRgbGivesLuminance) {
    const int w = 16, h = 16;
    std::vector<std::uint8_t> s;
    for (int i = 0; i < w * h; ++i) s.insert(s.end(), {200, 100, 50});
    auto out = DecodeCutout(Bytes(testing::MakeJpeg(w, h, 3, s)));
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->width, w);
    EXPECT_EQ(out->height, h);
    // Y = 0.299 R + 0.587 G + 0.114 B = 124.2
    EXPECT_NEAR(out->at(5, 5), 124.2, 3);
}

TEST(CutoutCodec, CorruptJpegIsACleanError) {
    std::vector<std::uint8_t> s(63 * 63);
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(i * 37);
    const auto jpeg = testing::MakeJpeg(63, 63, 1, s, 90);
    for (std::size_t n = 3; n < jpeg.size() - 2; n += 7) {
        auto out = DecodeCutout(std::span(jpeg.data(), n));
        ASSERT_FALSE(out.ok()) << "prefix of " << n << " bytes decoded";
        EXPECT_EQ(out.error().reason, "cutout_jpeg");
        EXPECT_NE(out.error().message.find("libjpeg"), std::string::npos) << out.error().message;
    }
    // Random bytes after a valid start, and random flips anywhere: never crash, never exit().
    std::mt19937 rng(7);
    for (int iter = 0; iter < 500; ++iter) {
        auto bad = jpeg;
        for (int f = 0; f < 4; ++f) bad[std::uniform_int_distribution<std::size_t>(3, bad.size() - 1)(rng)] ^= static_cast<std::uint8_t>(1 + rng() % 255);
        auto out = DecodeCutout(Bytes(bad));
        if (!out.ok()) {
            EXPECT_EQ(out.error().reason, "cutout_jpeg");
        } else {
            ASSERT_EQ(out->pixels.size(), static_cast<std::size_t>(out->width * out->height));
        }
    }
    // A frame header claiming 60000x60000 pixels is refused before decoding.
    auto huge = jpeg;
    for (std::size_t i = 2; i + 9 < huge.size(); ++i) {
        if (huge[i] == 0xff && huge[i + 1] == 0xc0) {  // SOF0: length(2) precision(1) height(2) width(2)
            huge[i + 5] = 0xea;
            huge[i + 6] = 0x60;
            huge[i + 7] = 0xea;
            huge[i + 8] = 0x60;
            break;
        }
    }
    auto out = DecodeCutout(Bytes(huge));
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().reason, "cutout_jpeg");
    EXPECT_NE(out.error().message.find("60000x60000"), std::string::npos) << out.error().message;
}

// The pipeline decodes cutouts from several threads; cfitsio must be the reentrant build for that.
TEST(CutoutCodec, ConcurrentDecodesAgree) {
    EXPECT_TRUE(fits_is_reentrant()) << "cfitsio was built without --enable-reentrant";
    const Image in = MakeStamp(63, 63);
    const auto gz = GzippedStamp(in);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 50; ++i) {
                auto out = DecodeCutout(Bytes(gz));
                if (!out.ok() || !SamePixels(in, *out)) ++failures;
                std::vector<std::uint8_t> junk(3000, 'x');
                std::memcpy(junk.data(), "SIMPLE  =", 9);
                if (DecodeCutout(Bytes(junk)).ok()) ++failures;
            }
        });
    }
    for (auto &t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace rivulet
