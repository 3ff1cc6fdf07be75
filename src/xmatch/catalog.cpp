#include "xmatch/catalog.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <numbers>

#include "common/error.hpp"
#include "xmatch/neighbour_table.hpp"
#include "xmatch/sky_pixels.hpp"

namespace rivulet::xmatch {

namespace {

[[noreturn]] void Corrupt(const std::filesystem::path &path, const std::string &why) {
    throw RivuletError(ErrorKind::kInvalidInput, path.string() + ": not a usable catalog file: " + why);
}

}  // namespace

Catalog::Catalog(const std::filesystem::path &path) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) throw RivuletError(ErrorKind::kIo, path.string() + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        throw RivuletError(ErrorKind::kIo, path.string() + ": cannot stat: " + std::strerror(errno));
    }
    mapped_bytes_ = static_cast<uint64_t>(st.st_size);
    if (mapped_bytes_ < sizeof(FileHeader)) {
        ::close(fd);
        Corrupt(path, "shorter than a header (" + std::to_string(mapped_bytes_) + " bytes)");
    }
    void *p = ::mmap(nullptr, mapped_bytes_, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);  // the mapping keeps the file
    if (p == MAP_FAILED) throw RivuletError(ErrorKind::kIo, path.string() + ": cannot map: " + std::strerror(errno));
    base_ = static_cast<const char *>(p);
    try {
        std::memcpy(&header_, base_, sizeof header_);
        if (std::memcmp(header_.magic, kCatalogMagic, sizeof header_.magic) != 0) Corrupt(path, "wrong magic");
        if (header_.version == 0 || header_.version > kCatalogVersion)
            Corrupt(path, "format version " + std::to_string(header_.version) + ", this build reads up to " +
                              std::to_string(kCatalogVersion));
        if (mapped_bytes_ < header_.file_bytes)
            Corrupt(path, "truncated: " + std::to_string(mapped_bytes_) + " of " + std::to_string(header_.file_bytes) +
                              " bytes");
        if (header_.order > kMaxPixelOrder || header_.index_order > header_.order) Corrupt(path, "bad HEALPix order");
        const uint64_t n = header_.n_rows;
        auto check = [&](uint64_t offset, uint64_t bytes, const char *what) {
            if (offset % 8 != 0 || offset > header_.file_bytes || bytes > header_.file_bytes - offset)
                Corrupt(path, std::string(what) + " section out of bounds");
        };
        check(header_.pixels_offset, 8 * n, "pixels");
        check(header_.index_offset, 8 * (static_cast<uint64_t>(PixelCount(static_cast<int>(header_.index_order))) + 1),
              "index");
        check(header_.ra_offset, 8 * n, "ra");
        check(header_.dec_offset, 8 * n, "dec");
        check(header_.xyz_offset, 24 * n, "xyz");
        check(header_.source_row_offset, 8 * n, "source_row");
        const char *cursor = base_ + sizeof(FileHeader);
        const char *table_end = base_ + std::min<uint64_t>(header_.header_bytes, header_.file_bytes);
        auto take = [&](uint64_t bytes) {
            if (bytes > static_cast<uint64_t>(table_end - cursor)) Corrupt(path, "column table out of bounds");
            const char *at = cursor;
            cursor += (bytes + 7) / 8 * 8;
            return at;
        };
        name_.assign(take(header_.name_bytes), header_.name_bytes);
        for (uint32_t c = 0; c < header_.n_columns; ++c) {
            ColumnEntry e;
            std::memcpy(&e, take(sizeof e), sizeof e);
            std::string column_name(take(e.name_bytes), e.name_bytes);
            switch (e.type) {
                case ColumnType::kInt64:
                case ColumnType::kFloat64:
                    check(e.data_offset, 8 * n, "column");
                    break;
                case ColumnType::kString:
                    check(e.data_offset, 8 * (n + 1), "column");
                    check(e.heap_offset, e.heap_bytes, "column heap");
                    break;
                default:
                    Corrupt(path, "unknown type of column '" + column_name + "'");
            }
            entries_.push_back(e);
            columns_.push_back({std::move(column_name), e.type});
        }
    } catch (...) {
        ::munmap(const_cast<char *>(base_), mapped_bytes_);
        throw;
    }
    pixels_ = reinterpret_cast<const int64_t *>(base_ + header_.pixels_offset);
    index_ = reinterpret_cast<const uint64_t *>(base_ + header_.index_offset);
    ra_ = reinterpret_cast<const double *>(base_ + header_.ra_offset);
    dec_ = reinterpret_cast<const double *>(base_ + header_.dec_offset);
    xyz_ = reinterpret_cast<const double *>(base_ + header_.xyz_offset);
    source_row_ = reinterpret_cast<const uint64_t *>(base_ + header_.source_row_offset);
}

Catalog::~Catalog() {
    if (base_) ::munmap(const_cast<char *>(base_), mapped_bytes_);
}

std::shared_ptr<const NeighbourTable> Catalog::NeighbourTableAt(int order, size_t max_bitmap_bytes) const {
    const std::lock_guard lock(tables_mutex_);
    const auto key = std::make_pair(order, max_bitmap_bytes);
    if (auto it = tables_.find(key); it != tables_.end()) return it->second;
    std::shared_ptr<const NeighbourTable> table;
    if (auto built = NeighbourTable::Build(*this, order, max_bitmap_bytes))
        table = std::make_shared<const NeighbourTable>(std::move(*built));
    tables_.emplace(key, table);
    return table;
}

std::optional<std::shared_ptr<const NeighbourTable>> Catalog::CachedNeighbourTable(int order,
                                                                                   size_t max_bitmap_bytes) const {
    const std::lock_guard lock(tables_mutex_);
    if (auto it = tables_.find(std::make_pair(order, max_bitmap_bytes)); it != tables_.end()) return it->second;
    return std::nullopt;
}

std::optional<size_t> Catalog::ColumnIndex(std::string_view name) const {
    for (size_t i = 0; i < columns_.size(); ++i)
        if (columns_[i].name == name) return i;
    return std::nullopt;
}

int64_t Catalog::Int64(size_t column, uint64_t row) const {
    return reinterpret_cast<const int64_t *>(base_ + entries_[column].data_offset)[row];
}

double Catalog::Float64(size_t column, uint64_t row) const {
    return reinterpret_cast<const double *>(base_ + entries_[column].data_offset)[row];
}

std::string_view Catalog::String(size_t column, uint64_t row) const {
    const auto &e = entries_[column];
    const auto *offsets = reinterpret_cast<const uint64_t *>(base_ + e.data_offset);
    const uint64_t begin = std::min(offsets[row], e.heap_bytes),
                   end = std::clamp(offsets[row + 1], begin, e.heap_bytes);
    return {base_ + e.heap_offset + begin, end - begin};
}

void Catalog::AppendCsvCell(size_t column, uint64_t row, std::string &out) const {
    char buf[32];
    switch (columns_[column].type) {
        case ColumnType::kInt64: {
            const int64_t v = Int64(column, row);
            if (v == kNullInt64) return;
            out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
            return;
        }
        case ColumnType::kFloat64: {
            const double v = Float64(column, row);
            if (std::isnan(v)) return;
            out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
            return;
        }
        case ColumnType::kString: {
            const std::string_view s = String(column, row);
            if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
                out.append(s);
                return;
            }
            out.push_back('"');
            for (char c : s) {
                if (c == '"') out.push_back('"');
                out.push_back(c);
            }
            out.push_back('"');
            return;
        }
    }
}

template <class Visit>
void Catalog::VisitCone(double ra_deg, double dec_deg, double radius_arcsec, Visit &&visit) const {
    if (!std::isfinite(ra_deg) || !std::isfinite(dec_deg) || dec_deg < -90 || dec_deg > 90)
        throw RivuletError(ErrorKind::kInvalidInput, "cone centre (" + std::to_string(ra_deg) + ", " +
                                                         std::to_string(dec_deg) + ") is not a sky position");
    if (!(radius_arcsec >= 0) || std::isinf(radius_arcsec))
        throw RivuletError(ErrorKind::kInvalidInput,
                           "cone radius " + std::to_string(radius_arcsec) + "″ is not a non-negative number");
    if (header_.n_rows == 0) return;
    const Vec3 c = UnitVector(ra_deg, dec_deg);
    const double radius_rad = radius_arcsec / kArcsecPerRadian;
    // The dot product only pre-selects (cheaply, with room for rounding); the exact separation decides.
    const double min_dot = radius_rad >= std::numbers::pi ? -2.0 : std::cos(radius_rad) - 1e-14;
    auto scan = [&](int64_t first, int64_t last) {
        const auto [lo, hi] = PixelRows(first, last);
        for (uint64_t row = lo; row < hi; ++row) {
            const double *v = xyz_ + 3 * row;
            if (v[0] * c[0] + v[1] * c[1] + v[2] * c[2] < min_dot) continue;
            const double sep = SeparationArcsec(c, {v[0], v[1], v[2]});
            if (sep <= radius_arcsec) visit(row, sep);
        }
    };
    // Small radii (≤ half a catalog pixel): the query's pixel and its neighbours hold every candidate,
    // found without a disc query or an allocation. Larger radii: HEALPix's disc cover.
    if (NeighbourhoodOrder(order(), radius_rad) == order()) {
        const PixelRanges near =
            Neighbourhood(order(), NestedPixel(order(), c, ra_deg * (std::numbers::pi / 180.0)), order());
        for (size_t i = 0; i < near.size; ++i) scan(near.ranges[i].first, near.ranges[i].second);
        return;
    }
    for (const auto &[first, last] : CoverDisc(order(), ra_deg, dec_deg, radius_rad)) scan(first, last);
}

std::pair<uint64_t, uint64_t> Catalog::PixelRows(int64_t first, int64_t last) const {
    const int shift = 2 * (order() - index_order());
    const int64_t mask = (int64_t{1} << shift) - 1;
    uint64_t lo = index_[first >> shift], hi = index_[(last >> shift) + 1];
    // Ranges finer than the index: narrow with a binary search inside the index cell.
    if (first & mask) lo = static_cast<uint64_t>(std::lower_bound(pixels_ + lo, pixels_ + hi, first) - pixels_);
    if ((last + 1) & mask) hi = static_cast<uint64_t>(std::upper_bound(pixels_ + lo, pixels_ + hi, last) - pixels_);
    return {lo, hi};
}

void Catalog::Cone(double ra_deg, double dec_deg, double radius_arcsec, std::vector<ConeMatch> &out) const {
    out.clear();
    VisitCone(ra_deg, dec_deg, radius_arcsec, [&](uint64_t row, double sep) {
        out.push_back({row, source_row_[row], sep});
    });
    std::sort(out.begin(), out.end(), [](const ConeMatch &a, const ConeMatch &b) {
        return a.sep_arcsec != b.sep_arcsec ? a.sep_arcsec < b.sep_arcsec : a.cat_row < b.cat_row;
    });
}

std::optional<ConeMatch> Catalog::Nearest(double ra_deg, double dec_deg, double radius_arcsec) const {
    std::optional<ConeMatch> best;
    VisitCone(ra_deg, dec_deg, radius_arcsec, [&](uint64_t row, double sep) {
        if (!best || sep < best->sep_arcsec || (sep == best->sep_arcsec && source_row_[row] < best->cat_row))
            best = ConeMatch{row, source_row_[row], sep};
    });
    return best;
}

}  // namespace rivulet::xmatch
