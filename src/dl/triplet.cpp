#include "dl/triplet.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "image/cutout_codec.hpp"

namespace rivulet::dl {
namespace {

constexpr float kFloatMax = std::numeric_limits<float>::max();

float Finite(float v) {
    if (std::isnan(v)) return 0.0f;
    if (std::isinf(v)) return v > 0 ? kFloatMax : -kFloatMax;
    return v;
}

//! Divides `values` by their L2 norm the way numpy does in float32: a norm whose square overflows float32
//! is inf (every value becomes 0); a zero norm is replaced by 1 (tf.keras.utils.normalize).
void DivideByNorm(std::span<float> values) {
    double sum = 0;
    for (float v : values) sum += static_cast<double>(v) * static_cast<double>(v);
    if (!(sum <= static_cast<double>(kFloatMax))) {
        std::fill(values.begin(), values.end(), 0.0f);
        return;
    }
    if (sum == 0) return;
    const float norm = static_cast<float>(std::sqrt(sum));
    for (float &v : values) v /= norm;
}

std::optional<int> ParseInt(std::string_view s) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

const char *NormalizationName(Normalization n) {
    switch (n) {
        case Normalization::kRowL2: return "row_l2";
        case Normalization::kCutoutL2: return "cutout_l2";
        case Normalization::kSkyL2: return "sky_l2";
        case Normalization::kNone: return "none";
    }
    return "none";
}

std::optional<Normalization> ParseNormalization(std::string_view name) {
    for (Normalization n : {Normalization::kRowL2, Normalization::kCutoutL2, Normalization::kSkyL2, Normalization::kNone})
        if (name == NormalizationName(n)) return n;
    return std::nullopt;
}

std::optional<Normalization> BraaiNormalizationForVersion(std::string_view v) {
    if (v.starts_with("braai_")) v.remove_prefix(6);
    if (!v.starts_with("d")) return std::nullopt;
    auto sep = v.find("_m");
    if (sep == std::string_view::npos) return std::nullopt;
    auto d = ParseInt(v.substr(1, sep - 1));
    auto m = ParseInt(v.substr(sep + 2));
    if (!d || !m) return std::nullopt;
    bool row = *d < 6 || (*d == 6 && *m <= 7);
    return row ? Normalization::kRowL2 : Normalization::kCutoutL2;
}

void NormalizePlane(std::span<float> pixels, int height, int width, Normalization normalization) {
    // Callers pass a buffer of exactly height × width values.
    for (float &v : pixels) v = Finite(v);
    switch (normalization) {
        case Normalization::kRowL2:
            for (int y = 0; y < height; ++y)
                DivideByNorm(pixels.subspan(static_cast<std::size_t>(y) * static_cast<std::size_t>(width),
                                            static_cast<std::size_t>(width)));
            break;
        case Normalization::kSkyL2: {
            std::vector<float> sorted(pixels.begin(), pixels.end());
            auto mid = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
            std::nth_element(sorted.begin(), mid, sorted.end());
            const float median = sorted.empty() ? 0.0f : *mid;
            // Finite values minus a finite median can still overflow to inf for fill values; clamp again.
            for (float &v : pixels) v = Finite(v - median);
            DivideByNorm(pixels);
            break;
        }
        case Normalization::kCutoutL2: DivideByNorm(pixels); break;
        case Normalization::kNone: break;
    }
    (void)height;
}

Result<bool> PreparePlane(const Image &image, Normalization normalization, int side, int channels, int channel,
                          std::span<float> out) {
    if (image.empty() || image.width > side || image.height > side)
        return MakeError("cutout_shape", fmt::format("cutout is {}x{}, expected at most {}x{}", image.width,
                                                     image.height, side, side));
    std::vector<float> plane(image.pixels.begin(), image.pixels.end());
    NormalizePlane(plane, image.height, image.width, normalization);
    const auto c = static_cast<std::size_t>(channels);
    for (int y = 0; y < side; ++y) {
        for (int x = 0; x < side; ++x) {
            float v = kPadValue;
            if (y < image.height && x < image.width)
                v = plane[static_cast<std::size_t>(y) * static_cast<std::size_t>(image.width) + static_cast<std::size_t>(x)];
            out[(static_cast<std::size_t>(y) * static_cast<std::size_t>(side) + static_cast<std::size_t>(x)) * c +
                static_cast<std::size_t>(channel)] = v;
        }
    }
    return image.width < side || image.height < side;
}

Result<PreparedTriplet> PrepareTriplet(const Alert &alert, Normalization normalization) {
    PreparedTriplet t;
    t.pixels.assign(static_cast<std::size_t>(kTripletSide) * kTripletSide * 3, 0.0f);
    for (CutoutKind kind : kCutoutKinds) {
        const auto &cutout = alert.cutout(kind);
        const std::string field(CutoutFieldName(kind));
        if (!cutout || cutout->stamp_data.empty())
            return MakeError("cutout_missing", fmt::format("candid {}: {} is missing", alert.candid, field));
        CutoutFormat format = DetectCutoutFormat(cutout->stamp_data);
        if (format == CutoutFormat::kJpeg)
            return MakeError("cutout_format", fmt::format("candid {}: {} is a JPEG stamp; the CNN needs FITS pixel "
                                                          "values", alert.candid, field));
        auto image = DecodeCutout(cutout->stamp_data);
        if (!image)
            return MakeError(image.error().reason,
                             fmt::format("candid {}: {}: {}", alert.candid, field, image.error().message));
        auto padded = PreparePlane(*image, normalization, kTripletSide, 3, static_cast<int>(kind), t.pixels);
        if (!padded)
            return MakeError(padded.error().reason,
                             fmt::format("candid {}: {}: {}", alert.candid, field, padded.error().message));
        t.padded = t.padded || *padded;
    }
    return t;
}

}  // namespace rivulet::dl
