// braai input preparation: normalisations as numpy/Keras compute them, NaN/inf/fill values, padding of edge
// cutouts, per-alert errors for missing or corrupt cutouts.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "dl/triplet.hpp"
#include "image/cutout_codec.hpp"

namespace rivulet::testing {
namespace {

using dl::Normalization;

Image MakeImage(int w, int h, float base = 1.0f) {
    Image im;
    im.width = w, im.height = h;
    for (int i = 0; i < w * h; ++i) im.pixels.push_back(base + 0.01f * static_cast<float>(i % 97));
    return im;
}

Cutout Stamp(const Image &im) { return Cutout{"stamp.fits.gz", GzipCompress(EncodeFitsFloat(im))}; }

Alert AlertWith(const Image &sci, const Image &ref, const Image &diff) {
    Alert a;
    a.candid = 42;
    a.cutouts = {Stamp(sci), Stamp(ref), Stamp(diff)};
    return a;
}

TEST(Triplet, RowL2IsKerasNormalize) {
    // tf.keras.utils.normalize([[3, 4], [0, 0], [1, 0]]) = [[0.6, 0.8], [0, 0], [1, 0]] (zero norms stay 0).
    std::vector<float> v = {3, 4, 0, 0, 1, 0};
    dl::NormalizePlane(v, 3, 2, Normalization::kRowL2);
    EXPECT_FLOAT_EQ(v[0], 0.6f);
    EXPECT_FLOAT_EQ(v[1], 0.8f);
    EXPECT_EQ(v[2], 0.0f);
    EXPECT_EQ(v[3], 0.0f);
    EXPECT_FLOAT_EQ(v[4], 1.0f);
}

TEST(Triplet, CutoutAndSkyL2) {
    std::vector<float> v = {3, 0, 0, 4};
    dl::NormalizePlane(v, 2, 2, Normalization::kCutoutL2);
    EXPECT_FLOAT_EQ(v[0], 0.6f);
    EXPECT_FLOAT_EQ(v[3], 0.8f);
    std::vector<float> s = {10, 10, 10, 13, 14};  // median 10 → (0, 0, 0, 3, 4) / 5
    dl::NormalizePlane(s, 1, 5, Normalization::kSkyL2);
    EXPECT_FLOAT_EQ(s[3], 0.6f);
    EXPECT_FLOAT_EQ(s[4], 0.8f);
    EXPECT_EQ(s[0], 0.0f);
}

TEST(Triplet, NonFiniteAndFillValuesNeverReachTheNetwork) {
    constexpr float kLowest = std::numeric_limits<float>::lowest();  // ZTF fill value
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    // Row 0: NaN → 0. Row 1: a fill value overflows the float32 norm, so numpy makes the row 0. Row 2: +inf.
    std::vector<float> v = {nan, 3, 4, kLowest, 1, 2, inf, 1, 1};
    dl::NormalizePlane(v, 3, 3, Normalization::kRowL2);
    EXPECT_EQ(v[0], 0.0f);
    EXPECT_FLOAT_EQ(v[1], 0.6f);
    for (int i = 3; i < 9; ++i) EXPECT_EQ(v[i], 0.0f) << i;
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> pick(0, 5);
    const float junk[] = {nan, inf, -inf, kLowest, std::numeric_limits<float>::max(), 1e30f};
    for (Normalization n : {Normalization::kRowL2, Normalization::kCutoutL2, Normalization::kSkyL2, Normalization::kNone}) {
        std::vector<float> w(63 * 63);
        for (std::size_t i = 0; i < w.size(); ++i) w[i] = i % 7 == 0 ? junk[pick(rng)] : static_cast<float>(i % 13);
        dl::NormalizePlane(w, 63, 63, n);
        for (float x : w) ASSERT_TRUE(std::isfinite(x)) << dl::NormalizationName(n);
    }
}

TEST(Triplet, BraaiVersions) {
    EXPECT_EQ(dl::BraaiNormalizationForVersion("d6_m7"), Normalization::kRowL2);
    EXPECT_EQ(dl::BraaiNormalizationForVersion("d5_m12"), Normalization::kRowL2);
    EXPECT_EQ(dl::BraaiNormalizationForVersion("d6_m9"), Normalization::kCutoutL2);
    EXPECT_EQ(dl::BraaiNormalizationForVersion("braai_d6_m9"), Normalization::kCutoutL2);
    EXPECT_EQ(dl::BraaiNormalizationForVersion("d7_m1"), Normalization::kCutoutL2);
    EXPECT_FALSE(dl::BraaiNormalizationForVersion("star_galaxy"));
    EXPECT_FALSE(dl::BraaiNormalizationForVersion("d6_mx"));
    EXPECT_EQ(dl::ParseNormalization("sky_l2"), Normalization::kSkyL2);
    EXPECT_FALSE(dl::ParseNormalization("l2"));
}

TEST(Triplet, PadsEdgeCutoutsAtTheEndOfEachAxis) {
    Image edge = MakeImage(62, 63);  // 62 columns: an alert at the CCD edge
    auto t = dl::PrepareTriplet(AlertWith(edge, MakeImage(63, 63), MakeImage(63, 63)), Normalization::kRowL2);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_TRUE(t->padded);
    ASSERT_EQ(t->pixels.size(), 63u * 63 * 3);
    for (int y = 0; y < 63; ++y) EXPECT_EQ(t->pixels[(y * 63 + 62) * 3 + 0], dl::kPadValue) << y;
    // Science channel, row 0: its 62 values have unit norm; the template channel is unpadded.
    double norm = 0;
    for (int x = 0; x < 62; ++x) norm += std::pow(t->pixels[x * 3 + 0], 2);
    EXPECT_NEAR(norm, 1.0, 1e-5);
    EXPECT_NE(t->pixels[62 * 3 + 1], dl::kPadValue);
}

TEST(Triplet, ChannelsAreScienceTemplateDifference) {
    auto t = dl::PrepareTriplet(AlertWith(MakeImage(63, 63, 1), MakeImage(63, 63, 2), MakeImage(63, 63, 3)),
                                Normalization::kNone);
    ASSERT_TRUE(t);
    EXPECT_FLOAT_EQ(t->pixels[0], 1.0f);
    EXPECT_FLOAT_EQ(t->pixels[1], 2.0f);
    EXPECT_FLOAT_EQ(t->pixels[2], 3.0f);
    EXPECT_FALSE(t->padded);
}

TEST(Triplet, ErrorsNameTheReason) {
    Image ok = MakeImage(63, 63);
    Alert missing = AlertWith(ok, ok, ok);
    missing.cutouts[1].reset();
    auto r = dl::PrepareTriplet(missing, Normalization::kRowL2);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, "cutout_missing");
    EXPECT_NE(r.error().message.find("cutoutTemplate"), std::string::npos);

    Alert corrupt = AlertWith(ok, ok, ok);
    corrupt.cutouts[2]->stamp_data.resize(corrupt.cutouts[2]->stamp_data.size() / 2);  // truncated gzip
    r = dl::PrepareTriplet(corrupt, Normalization::kRowL2);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, "cutout_gzip");

    r = dl::PrepareTriplet(AlertWith(ok, MakeImage(64, 63), ok), Normalization::kRowL2);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, "cutout_shape");

    Alert jpeg = AlertWith(ok, ok, ok);
    jpeg.cutouts[0]->stamp_data = {0xff, 0xd8, 0xff, 0xe0, 0, 0};
    r = dl::PrepareTriplet(jpeg, Normalization::kRowL2);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, "cutout_format");
}

}  // namespace
}  // namespace rivulet::testing
