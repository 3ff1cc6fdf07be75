#include "xmatch/catalog_import.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <queue>
#include <string_view>

#include "common/error.hpp"
#include "xmatch/atomic_output.hpp"
#include "xmatch/coordinate_text.hpp"
#include "xmatch/csv_reader.hpp"
#include "xmatch/sky_geometry.hpp"
#include "xmatch/sky_pixels.hpp"

namespace rivulet::xmatch {

const char *ColumnTypeName(ColumnType type) {
    switch (type) {
        case ColumnType::kInt64:
            return "int64";
        case ColumnType::kFloat64:
            return "float64";
        case ColumnType::kString:
            return "string";
    }
    return "unknown";
}

namespace {

// The density histogram of pass 1 is kept at this order (786,432 cells).
constexpr int kHistogramOrder = 8;
// Finest order chosen automatically: pixels of ~0.2″, far below any catalog's spacing.
constexpr int kMaxAutoOrder = 20;

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool ParseInt64(std::string_view cell, int64_t &v) {
    cell = Trim(cell);
    if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
    auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    return ec == std::errc() && end == cell.data() + cell.size() && !cell.empty();
}

// Any double, including nan and inf (they are values of a float column, unlike a position).
bool ParseDouble(std::string_view cell, double &v) {
    cell = Trim(cell);
    if (!cell.empty() && cell.front() == '+') cell.remove_prefix(1);
    auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    return ec == std::errc() && end == cell.data() + cell.size() && !cell.empty();
}

template <class T>
void Put(std::vector<char> &out, const T &v) {
    const char *p = reinterpret_cast<const char *>(&v);
    out.insert(out.end(), p, p + sizeof(T));
}

template <class T>
T Get(const char *&p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
    return v;
}

// A row in the spill format: pixel at kMaxPixelOrder, source row, ra, dec, then each kept cell as
// uint32 length + bytes. Sorting by the finest pixel sorts by the pixel at every coarser order.
struct RowKey {
    int64_t pixel;
    uint64_t source_row;
    uint64_t offset;
    uint32_t size;
    bool operator<(const RowKey &o) const { return pixel != o.pixel ? pixel < o.pixel : source_row < o.source_row; }
};

// Removes the spill folder whatever happens.
struct SpillFolder {
    std::filesystem::path path;
    ~SpillFolder() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

FILE *OpenOrThrow(const std::filesystem::path &p, const char *mode) {
    FILE *f = std::fopen(p.c_str(), mode);
    if (!f) throw RivuletError(ErrorKind::kIo, p.string() + ": cannot open: " + std::strerror(errno));
    return f;
}

void WriteRun(const std::filesystem::path &path, std::vector<RowKey> &keys, const std::vector<char> &bytes) {
    std::sort(keys.begin(), keys.end());
    FILE *f = OpenOrThrow(path, "wb");
    std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
    bool ok = true;
    for (const auto &k : keys) {
        ok &= std::fwrite(&k.size, sizeof k.size, 1, f) == 1;
        ok &= std::fwrite(bytes.data() + k.offset, 1, k.size, f) == k.size;
    }
    ok &= std::fclose(f) == 0;
    if (!ok) throw RivuletError(ErrorKind::kIo, path.string() + ": cannot write a sorted run (disk full?)");
}

// Reads one sorted run back, one row at a time.
class RunReader {
public:
    explicit RunReader(const std::filesystem::path &path) : path_(path), file_(OpenOrThrow(path, "rb")) {
        std::setvbuf(file_, nullptr, _IOFBF, 1 << 18);
    }
    ~RunReader() { std::fclose(file_); }
    RunReader(const RunReader &) = delete;
    RunReader &operator=(const RunReader &) = delete;

    bool Next() {
        uint32_t size = 0;
        if (std::fread(&size, sizeof size, 1, file_) != 1) return false;
        record_.resize(size);
        if (std::fread(record_.data(), 1, size, file_) != size)
            throw RivuletError(ErrorKind::kIo, path_.string() + ": sorted run ends early");
        const char *p = record_.data();
        pixel_ = Get<int64_t>(p);
        source_row_ = Get<uint64_t>(p);
        return true;
    }
    int64_t pixel() const { return pixel_; }
    uint64_t source_row() const { return source_row_; }
    const std::vector<char> &record() const { return record_; }

private:
    std::filesystem::path path_;
    FILE *file_;
    std::vector<char> record_;
    int64_t pixel_ = 0;
    uint64_t source_row_ = 0;
};

struct KeptColumn {
    std::string name;
    size_t csv_index = 0;
    bool can_int = true, can_float = true;
    uint64_t bytes = 0;
    ColumnType type = ColumnType::kString;
    uint64_t data_offset = 0, heap_offset = 0;
};

// Order at which the row-weighted median pixel holds about one row, from the pass-1 histogram.
int ChooseOrder(const std::vector<uint32_t> &histogram, uint64_t n_rows) {
    if (n_rows == 0) return kHistogramOrder;
    std::vector<uint32_t> counts;
    for (uint32_t c : histogram)
        if (c) counts.push_back(c);
    std::sort(counts.begin(), counts.end());
    uint64_t seen = 0;
    double median = 1;
    for (uint32_t c : counts) {
        seen += c;
        if (2 * seen >= n_rows) {
            median = c;
            break;
        }
    }
    const int order = kHistogramOrder + static_cast<int>(std::ceil(std::log(median) / std::log(4.0) - 1e-9));
    return std::clamp(order, 0, kMaxAutoOrder);
}

// The finest order whose dense range index has no more entries than the catalog has rows.
int ChooseIndexOrder(int order, uint64_t n_rows) {
    int t = 0;
    while (t < order && static_cast<uint64_t>(PixelCount(t + 1)) <= std::max<uint64_t>(n_rows, 12)) ++t;
    return t;
}

// The writable memory map of the output file.
class MappedOutput {
public:
    MappedOutput(const std::filesystem::path &path, uint64_t bytes) : path_(path), bytes_(bytes) {
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
        if (fd_ < 0) throw RivuletError(ErrorKind::kIo, path.string() + ": cannot create: " + std::strerror(errno));
        // Reserve the blocks now: a full disk is an error here rather than a SIGBUS while writing the map.
        if (const int err = ::posix_fallocate(fd_, 0, static_cast<off_t>(bytes)); err != 0) {
            ::close(fd_);
            throw RivuletError(ErrorKind::kIo, path.string() + ": cannot reserve " + std::to_string(bytes) +
                                                   " bytes: " + std::strerror(err));
        }
        void *p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
        if (p == MAP_FAILED) {
            ::close(fd_);
            throw RivuletError(ErrorKind::kIo, path.string() + ": cannot map: " + std::strerror(errno));
        }
        base_ = static_cast<char *>(p);
    }
    ~MappedOutput() {
        if (base_) ::munmap(base_, bytes_);
        if (fd_ >= 0) ::close(fd_);
    }
    MappedOutput(const MappedOutput &) = delete;
    MappedOutput &operator=(const MappedOutput &) = delete;

    template <class T>
    T *At(uint64_t offset) {
        return reinterpret_cast<T *>(base_ + offset);
    }
    char *base() { return base_; }

    void Finish() {
        if (::msync(base_, bytes_, MS_SYNC) != 0)
            throw RivuletError(ErrorKind::kIo, path_.string() + ": cannot write: " + std::strerror(errno));
        ::munmap(base_, bytes_);
        base_ = nullptr;
        ::close(fd_);
        fd_ = -1;
    }

private:
    std::filesystem::path path_;
    uint64_t bytes_;
    int fd_ = -1;
    char *base_ = nullptr;
};

}  // namespace

ImportSummary ImportCatalog(const ImportOptions &options) {
    CsvReader reader(options.input);
    const size_t ra_index = reader.ColumnIndex(options.ra_column);
    const size_t dec_index = reader.ColumnIndex(options.dec_column);
    std::vector<KeptColumn> kept;
    for (const auto &name : options.keep) {
        for (const auto &k : kept)
            if (k.name == name) throw RivuletError(ErrorKind::kInvalidInput, "column '" + name + "' kept twice");
        kept.push_back(KeptColumn{.name = name, .csv_index = reader.ColumnIndex(name)});
    }
    if (options.order > kMaxPixelOrder)
        throw RivuletError(ErrorKind::kInvalidInput,
                           "order " + std::to_string(options.order) + " is above " + std::to_string(kMaxPixelOrder));

    AtomicOutput output(options.output);
    // Runs go beside the output (same file system, same free space), in a folder removed at the end.
    SpillFolder spill{output.temp_path()};
    spill.path += ".runs";
    std::filesystem::create_directories(spill.path);

    // Pass 1: check and spill sorted runs; count density and column types on the way.
    std::vector<uint32_t> histogram(static_cast<size_t>(PixelCount(kHistogramOrder)), 0);
    std::vector<RowKey> keys;
    std::vector<char> bytes;
    std::vector<std::filesystem::path> runs;
    std::vector<std::string_view> cells;
    uint64_t n_rows = 0;
    const int hist_shift = 2 * (kMaxPixelOrder - kHistogramOrder);
    while (reader.Next(cells)) {
        auto ra = ParseRaDeg(cells[ra_index]);
        if (!ra)
            throw RivuletError(ErrorKind::kInvalidInput,
                               reader.Where() + ": " + options.ra_column + ": " + ra.error().message);
        auto dec = ParseDecDeg(cells[dec_index]);
        if (!dec)
            throw RivuletError(ErrorKind::kInvalidInput,
                               reader.Where() + ": " + options.dec_column + ": " + dec.error().message);
        const int64_t pixel = NestedPixel(kMaxPixelOrder, *ra, *dec);
        ++histogram[static_cast<size_t>(pixel >> hist_shift)];
        const uint64_t offset = bytes.size();
        Put(bytes, pixel);
        Put(bytes, static_cast<uint64_t>(reader.row()));
        Put(bytes, *ra);
        Put(bytes, *dec);
        for (auto &k : kept) {
            const std::string_view cell = cells[k.csv_index];
            Put(bytes, static_cast<uint32_t>(cell.size()));
            bytes.insert(bytes.end(), cell.begin(), cell.end());
            k.bytes += cell.size();
            if (!Trim(cell).empty()) {
                int64_t i;
                double d;
                if (k.can_int && !ParseInt64(cell, i)) k.can_int = false;
                if (k.can_float && !ParseDouble(cell, d)) k.can_float = false;
            }
        }
        keys.push_back(
            RowKey{pixel, static_cast<uint64_t>(reader.row()), offset, static_cast<uint32_t>(bytes.size() - offset)});
        ++n_rows;
        if (bytes.size() + keys.size() * sizeof(RowKey) >= options.memory_budget_bytes) {
            runs.push_back(spill.path / ("run" + std::to_string(runs.size())));
            WriteRun(runs.back(), keys, bytes);
            keys.clear();
            bytes.clear();
        }
    }
    if (!keys.empty()) {
        runs.push_back(spill.path / ("run" + std::to_string(runs.size())));
        WriteRun(runs.back(), keys, bytes);
    }
    std::vector<RowKey>().swap(keys);
    std::vector<char>().swap(bytes);

    // Layout.
    ImportSummary summary;
    summary.rows = n_rows;
    summary.runs = runs.size();
    summary.order = options.order >= 0 ? options.order : ChooseOrder(histogram, n_rows);
    summary.index_order = ChooseIndexOrder(summary.order, n_rows);
    const uint64_t n = n_rows;
    FileHeader header{};
    std::memcpy(header.magic, kCatalogMagic, sizeof header.magic);
    header.version = kCatalogVersion;
    header.n_rows = n;
    header.order = static_cast<uint32_t>(summary.order);
    header.index_order = static_cast<uint32_t>(summary.index_order);
    header.n_columns = static_cast<uint32_t>(kept.size());
    header.name_bytes = static_cast<uint32_t>(options.name.size());
    uint64_t table = sizeof(FileHeader) + (options.name.size() + 7) / 8 * 8;
    for (const auto &k : kept) table += sizeof(ColumnEntry) + (k.name.size() + 7) / 8 * 8;
    header.header_bytes = static_cast<uint32_t>(table);
    uint64_t at = AlignUp(table);
    auto section = [&](uint64_t size) {
        const uint64_t start = at;
        at = AlignUp(at + size);
        return start;
    };
    const uint64_t index_entries = static_cast<uint64_t>(PixelCount(summary.index_order)) + 1;
    header.pixels_offset = section(8 * n);
    header.index_offset = section(8 * index_entries);
    header.ra_offset = section(8 * n);
    header.dec_offset = section(8 * n);
    header.xyz_offset = section(24 * n);
    header.source_row_offset = section(8 * n);
    for (auto &k : kept) {
        k.type = k.can_int ? ColumnType::kInt64 : k.can_float ? ColumnType::kFloat64 : ColumnType::kString;
        if (k.type == ColumnType::kString) {
            k.data_offset = section(8 * (n + 1));
            k.heap_offset = section(k.bytes);
        } else {
            k.data_offset = section(8 * n);
        }
        summary.columns.emplace_back(k.name, k.type);
    }
    header.file_bytes = at;
    summary.file_bytes = at;

    // Pass 2: merge the runs into the mapped output.
    MappedOutput out(output.temp_path(), header.file_bytes);
    auto *pixels = out.At<int64_t>(header.pixels_offset);
    auto *ras = out.At<double>(header.ra_offset);
    auto *decs = out.At<double>(header.dec_offset);
    auto *xyz = out.At<double>(header.xyz_offset);
    auto *source_rows = out.At<uint64_t>(header.source_row_offset);
    std::vector<uint64_t> heap_used(kept.size(), 0);
    {
        std::vector<std::unique_ptr<RunReader>> readers;
        auto later = [&](size_t a, size_t b) {
            const auto &ra = *readers[a], &rb = *readers[b];
            return ra.pixel() != rb.pixel() ? ra.pixel() > rb.pixel() : ra.source_row() > rb.source_row();
        };
        std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
        for (const auto &r : runs) {
            readers.push_back(std::make_unique<RunReader>(r));
            if (readers.back()->Next()) heap.push(readers.size() - 1);
        }
        const int shift = 2 * (kMaxPixelOrder - summary.order);
        for (uint64_t row = 0; !heap.empty(); ++row) {
            const size_t r = heap.top();
            heap.pop();
            const char *p = readers[r]->record().data();
            pixels[row] = Get<int64_t>(p) >> shift;
            source_rows[row] = Get<uint64_t>(p);
            ras[row] = Get<double>(p);
            decs[row] = Get<double>(p);
            const Vec3 v = UnitVector(ras[row], decs[row]);
            std::copy(v.begin(), v.end(), xyz + 3 * row);
            for (size_t c = 0; c < kept.size(); ++c) {
                const auto &k = kept[c];
                const uint32_t len = Get<uint32_t>(p);
                const std::string_view cell(p, len);
                p += len;
                switch (k.type) {
                    case ColumnType::kInt64: {
                        int64_t v = kNullInt64;
                        if (!Trim(cell).empty()) ParseInt64(cell, v);
                        out.At<int64_t>(k.data_offset)[row] = v;
                        break;
                    }
                    case ColumnType::kFloat64: {
                        double v = std::numeric_limits<double>::quiet_NaN();
                        if (!Trim(cell).empty()) ParseDouble(cell, v);
                        out.At<double>(k.data_offset)[row] = v;
                        break;
                    }
                    case ColumnType::kString: {
                        out.At<uint64_t>(k.data_offset)[row] = heap_used[c];
                        std::memcpy(out.At<char>(k.heap_offset) + heap_used[c], cell.data(), cell.size());
                        heap_used[c] += cell.size();
                        break;
                    }
                }
            }
            if (readers[r]->Next()) heap.push(r);
        }
    }
    for (size_t c = 0; c < kept.size(); ++c)
        if (kept[c].type == ColumnType::kString) out.At<uint64_t>(kept[c].data_offset)[n] = heap_used[c];

    // Range index: index[q] = first row whose pixel at index_order is ≥ q.
    auto *index = out.At<uint64_t>(header.index_offset);
    const int index_shift = 2 * (summary.order - summary.index_order);
    uint64_t next = 0;
    for (uint64_t row = 0; row < n; ++row) {
        const auto q = static_cast<uint64_t>(pixels[row] >> index_shift);
        while (next <= q) index[next++] = row;
    }
    while (next < index_entries) index[next++] = n;

    // Header last: a file that stops early never carries a valid header.
    char *table_at = out.base() + sizeof(FileHeader);
    std::memcpy(table_at, options.name.data(), options.name.size());
    table_at += (options.name.size() + 7) / 8 * 8;
    for (const auto &k : kept) {
        ColumnEntry e{k.type, static_cast<uint32_t>(k.name.size()), k.data_offset, k.heap_offset,
                      k.type == ColumnType::kString ? k.bytes : 0};
        std::memcpy(table_at, &e, sizeof e);
        table_at += sizeof e;
        std::memcpy(table_at, k.name.data(), k.name.size());
        table_at += (k.name.size() + 7) / 8 * 8;
    }
    std::memcpy(out.base(), &header, sizeof header);
    out.Finish();
    output.Commit();
    return summary;
}

}  // namespace rivulet::xmatch
