#pragma once
// The catalog file, version 1: one file per catalog, written once by ImportCatalog and memory-mapped
// read-only by Catalog. Every number is little-endian (the only byte order Rivulet builds for), every
// section starts on a 64-byte boundary, so the mapped arrays can be used in place.
//
//   offset 0       FileHeader (128 bytes, below)
//   header_bytes   catalog name (name_bytes of UTF-8), then n_columns ColumnEntry, each followed by its
//                  name (name_bytes), padded to 8 bytes
//   sections       at the offsets the header gives:
//     pixels       int64[n_rows]   NESTED HEALPix pixel of each row at `order`, ascending: the sort key
//     index        uint64[12·4^index_order + 1]  range index: rows of order-`index_order` pixel q are
//                  [index[q], index[q+1]); within them a binary search on `pixels` finds finer ranges
//     ra, dec      float64[n_rows] degrees (RA in [0, 360)), as parsed from the input
//     xyz          float64[3·n_rows] unit vectors of (ra, dec), precomputed for the distance test
//     source_row   uint64[n_rows]  0-based data row of the input CSV: the `cat_row` users see
//     columns      per kept column: int64[n] (null = INT64_MIN), float64[n] (null = NaN), or string:
//                  uint64 offsets[n+1] into a heap of bytes (null = empty string)
//
// Rows with equal pixels are ordered by source_row, so a file is a pure function of its input.
// A reader refuses another magic, a newer version, or a file shorter than file_bytes.

#include <bit>
#include <cstdint>

namespace rivulet::xmatch {

static_assert(std::endian::native == std::endian::little, "catalog files are little-endian");

inline constexpr char kCatalogMagic[8] = {'R', 'V', 'L', 'T', 'C', 'A', 'T', '\n'};
inline constexpr uint32_t kCatalogVersion = 1;
inline constexpr uint64_t kSectionAlign = 64;

enum class ColumnType : uint32_t { kInt64 = 1, kFloat64 = 2, kString = 3 };

inline constexpr int64_t kNullInt64 = INT64_MIN;

struct FileHeader {
    char magic[8];
    uint32_t version;
    uint32_t header_bytes;  //!< bytes from the file start to the end of the column table
    uint64_t file_bytes;    //!< total size; a shorter file is truncated
    uint64_t n_rows;
    uint32_t order;        //!< HEALPix order of `pixels`
    uint32_t index_order;  //!< HEALPix order of the range index (≤ order)
    uint32_t n_columns;
    uint32_t name_bytes;
    uint64_t pixels_offset;
    uint64_t index_offset;
    uint64_t ra_offset;
    uint64_t dec_offset;
    uint64_t xyz_offset;
    uint64_t source_row_offset;
    uint64_t reserved[4];  //!< zero; room for later versions
};
static_assert(sizeof(FileHeader) == 128);

struct ColumnEntry {
    ColumnType type;
    uint32_t name_bytes;
    uint64_t data_offset;  //!< values, or string offsets
    uint64_t heap_offset;  //!< strings only
    uint64_t heap_bytes;   //!< strings only
};
static_assert(sizeof(ColumnEntry) == 32);

inline constexpr uint64_t AlignUp(uint64_t v) { return (v + kSectionAlign - 1) / kSectionAlign * kSectionAlign; }

}  // namespace rivulet::xmatch
