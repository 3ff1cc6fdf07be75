#pragma once
// A catalog file (catalog_format.hpp) opened for queries: memory-mapped read-only, nothing copied, so
// opening is instant whatever the size and the pages are shared by every process that maps the file.
// Cone searches are exact: a HEALPix cover gives candidate rows, then the great-circle distance
// (SeparationArcsec, the same function a brute-force scan would use) decides.
// @locality any thread: a Catalog is immutable once open, and its queries may run concurrently (the one
// thing it adds to later, its cache of neighbour tables, is behind a mutex).

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xmatch/catalog_format.hpp"
#include "xmatch/sky_geometry.hpp"

namespace rivulet::xmatch {

class NeighbourTable;

//! One source found by a cone search.
struct ConeMatch {
    uint64_t row;      //!< position in the file, for column access
    uint64_t cat_row;  //!< 0-based data row of the CSV the catalog was imported from
    double sep_arcsec;
};

struct CatalogColumn {
    std::string name;
    ColumnType type;
};

class Catalog {
public:
    //! Maps `path`. Throws RivuletError(kIo) when it cannot be read, RivuletError(kInvalidInput) when it
    //! is not a catalog file, is of a newer version, or is truncated.
    explicit Catalog(const std::filesystem::path &path);
    ~Catalog();
    Catalog(const Catalog &) = delete;
    Catalog &operator=(const Catalog &) = delete;

    const std::string &name() const { return name_; }
    const std::filesystem::path &path() const { return path_; }
    uint64_t size() const { return header_.n_rows; }
    int order() const { return static_cast<int>(header_.order); }
    int index_order() const { return static_cast<int>(header_.index_order); }
    uint32_t version() const { return header_.version; }
    uint64_t file_bytes() const { return header_.file_bytes; }
    const std::vector<CatalogColumn> &columns() const { return columns_; }
    //! Index of kept column `name`, or nullopt.
    std::optional<size_t> ColumnIndex(std::string_view name) const;

    double ra(uint64_t row) const { return ra_[row]; }
    double dec(uint64_t row) const { return dec_[row]; }
    uint64_t cat_row(uint64_t row) const { return source_row_[row]; }
    //! NESTED pixel of `row` at order() (the sort key).
    int64_t pixel(uint64_t row) const { return pixels_[row]; }
    Vec3 vector(uint64_t row) const { return {xyz_[3 * row], xyz_[3 * row + 1], xyz_[3 * row + 2]}; }
    //! Every row's unit vector, x y z one after the other (3·size() doubles), for scans without copies.
    const double *vectors() const { return xyz_; }

    //! Rows [first, second) whose pixel at order() lies in [first_pixel, last_pixel]: index lookups,
    //! then a binary search inside an index cell for ranges finer than the index.
    std::pair<uint64_t, uint64_t> PixelRows(int64_t first_pixel, int64_t last_pixel) const;
    //! Rows [first, second) of the range index's cells [first_cell, last_cell] (pixels at index_order()):
    //! two index reads, no search.
    std::pair<uint64_t, uint64_t> IndexRows(int64_t first_cell, int64_t last_cell) const {
        return {index_[first_cell], index_[last_cell + 1]};
    }
    //! Asks the CPU to start loading index cell `cell` (pixel at index_order()), for a lookup soon after.
    void PrefetchIndexCell(int64_t cell) const { __builtin_prefetch(index_ + cell); }

    //! Typed cell access; the type must be the column's. Nulls: kNullInt64, NaN, empty string.
    int64_t Int64(size_t column, uint64_t row) const;
    double Float64(size_t column, uint64_t row) const;
    std::string_view String(size_t column, uint64_t row) const;
    //! The cell as CSV text: integers in full, floats in the shortest text that reads back exactly,
    //! strings quoted when needed; nulls are empty.
    void AppendCsvCell(size_t column, uint64_t row, std::string &out) const;

    //! Every source within `radius_arcsec` of (ra_deg, dec_deg), appended to `out` (cleared first)
    //! sorted by separation, ties by cat_row. Radius 0 finds sources at exactly the position. Throws
    //! RivuletError(kInvalidInput) for a non-finite position, |Dec| > 90 or a negative radius.
    void Cone(double ra_deg, double dec_deg, double radius_arcsec, std::vector<ConeMatch> &out) const;
    std::vector<ConeMatch> Cone(double ra_deg, double dec_deg, double radius_arcsec) const {
        std::vector<ConeMatch> out;
        Cone(ra_deg, dec_deg, radius_arcsec, out);
        return out;
    }

    //! The nearest source within `radius_arcsec` (ties: lowest cat_row), or nullopt.
    std::optional<ConeMatch> Nearest(double ra_deg, double dec_deg, double radius_arcsec) const;

    //! NeighbourTable::Build(*this, order, max_bitmap_bytes), built on the first call and kept (a refusal,
    //! nullptr, too) until the catalog is closed, so that cross-matches after the first, and deciding
    //! which join to take, do not build it again (building costs about as much as matching a few
    //! positions per catalog row). Memory: up to ~300 bytes per catalog row per order asked for.
    //! @locality any thread: the first caller builds, concurrent callers wait for it.
    std::shared_ptr<const NeighbourTable> NeighbourTableAt(int order, size_t max_bitmap_bytes) const;
    //! What NeighbourTableAt(order, max_bitmap_bytes) has kept, or nullopt where it was never asked (builds
    //! nothing).
    std::optional<std::shared_ptr<const NeighbourTable>> CachedNeighbourTable(int order, size_t max_bitmap_bytes) const;

private:
    // Calls visit(row, sep_arcsec) for every source within the radius, in no particular order.
    template <class Visit>
    void VisitCone(double ra_deg, double dec_deg, double radius_arcsec, Visit &&visit) const;

    std::filesystem::path path_;
    const char *base_ = nullptr;
    uint64_t mapped_bytes_ = 0;
    FileHeader header_{};
    std::string name_;
    std::vector<CatalogColumn> columns_;
    std::vector<ColumnEntry> entries_;
    const int64_t *pixels_ = nullptr;
    const uint64_t *index_ = nullptr;
    const double *ra_ = nullptr, *dec_ = nullptr, *xyz_ = nullptr;
    const uint64_t *source_row_ = nullptr;
    mutable std::mutex tables_mutex_;
    mutable std::map<std::pair<int, size_t>, std::shared_ptr<const NeighbourTable>> tables_;
};

}  // namespace rivulet::xmatch
