#pragma once
// The machinery shared by the three ZTF sub-records (candidate, prv_candidate, fp_hist): each is a plain
// struct of std::optional members, one per field across all schema versions, plus a table of
// (name, Avro kind, member pointer) that the decoder and the writers walk. An absent field (not in this
// packet's writer schema) and a null field are both nullopt; `present` tells them apart.

#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace rivulet {

//! Avro primitive type of a field, as ZTF declares it (float vs double matters for exact printing).
enum class FieldKind { kDouble, kFloat, kInt, kLong, kString };

//! One bit per field of a record's table: set when the writer schema of the packet has that field.
using FieldMask = std::bitset<128>;

template <class Record>
struct FieldSpec {
    using Member = std::variant<std::optional<double> Record::*, std::optional<float> Record::*,
                                std::optional<int32_t> Record::*, std::optional<int64_t> Record::*,
                                std::optional<std::string> Record::*>;
    std::string_view name;
    FieldKind kind;
    Member member;
};

//! Index of `name` in `fields`, or -1.
template <class Record>
int FindField(std::span<const FieldSpec<Record>> fields, std::string_view name) {
    for (size_t i = 0; i < fields.size(); ++i)
        if (fields[i].name == name) return static_cast<int>(i);
    return -1;
}

}  // namespace rivulet

// C++ type of each FieldKind, for the X-macro member declarations.
#define RIVULET_CTYPE_DOUBLE double
#define RIVULET_CTYPE_FLOAT float
#define RIVULET_CTYPE_INT int32_t
#define RIVULET_CTYPE_LONG int64_t
#define RIVULET_CTYPE_STRING std::string
#define RIVULET_KIND_DOUBLE ::rivulet::FieldKind::kDouble
#define RIVULET_KIND_FLOAT ::rivulet::FieldKind::kFloat
#define RIVULET_KIND_INT ::rivulet::FieldKind::kInt
#define RIVULET_KIND_LONG ::rivulet::FieldKind::kLong
#define RIVULET_KIND_STRING ::rivulet::FieldKind::kString
