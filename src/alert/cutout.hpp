#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rivulet {

//! The three image stamps of an alert, in the packet's order.
enum class CutoutKind { kScience = 0, kTemplate = 1, kDifference = 2 };
inline constexpr std::array<CutoutKind, 3> kCutoutKinds = {CutoutKind::kScience, CutoutKind::kTemplate,
                                                           CutoutKind::kDifference};

//! ZTF field name of a cutout: cutoutScience, cutoutTemplate, cutoutDifference.
constexpr std::string_view CutoutFieldName(CutoutKind kind) {
    switch (kind) {
        case CutoutKind::kScience: return "cutoutScience";
        case CutoutKind::kTemplate: return "cutoutTemplate";
        case CutoutKind::kDifference: return "cutoutDifference";
    }
    return "";
}

//! The kind whose CutoutFieldName is `name`, or nullopt (stores read kinds back by this name).
constexpr std::optional<CutoutKind> CutoutKindOfField(std::string_view name) {
    for (CutoutKind k : kCutoutKinds)
        if (CutoutFieldName(k) == name) return k;
    return std::nullopt;
}

//! A cutout exactly as received: `stamp_data` is gzipped FITS (or JPEG in schema 1.x); decode it with
//! src/image. Kept compressed so it can be stored and republished byte for byte.
struct Cutout {
    std::string file_name;
    std::vector<uint8_t> stamp_data;
};

using CutoutTriplet = std::array<std::optional<Cutout>, 3>;

}  // namespace rivulet
