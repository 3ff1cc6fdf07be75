#include "lightcurve/dmdt.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "common/error.hpp"

namespace rivulet::lightcurve {
namespace {

bool Increasing(const std::vector<double> &v) {
    if (v.size() < 2) return false;
    for (std::size_t i = 1; i < v.size(); ++i)
        if (!(v[i] > v[i - 1])) return false;
    return true;
}

//! Bin of x for edges e (left-closed, the last bin right-closed), or -1 outside.
int BinOf(const std::vector<double> &e, double x) {
    if (x < e.front() || x > e.back()) return -1;
    if (x == e.back()) return static_cast<int>(e.size()) - 2;
    return static_cast<int>(std::upper_bound(e.begin(), e.end(), x) - e.begin()) - 1;
}

}  // namespace

Result<DmdtImage> MakeDmdt(const Series &s, const DmdtBins &bins) {
    if (!Increasing(bins.dm_edges) || !Increasing(bins.dt_edges)) {
        return MakeError("bad_bins", "dm-dt bin edges need at least 2 strictly increasing values each");
    }
    DmdtImage img;
    img.dm_bins = static_cast<int>(bins.dm_edges.size()) - 1;
    img.dt_bins = static_cast<int>(bins.dt_edges.size()) - 1;
    std::vector<double> counts(static_cast<std::size_t>(img.dm_bins * img.dt_bins), 0.0);
    for (std::size_t i = 0; i < s.size(); ++i) {
        for (std::size_t j = i + 1; j < s.size(); ++j) {
            ++img.pairs;
            const int r = BinOf(bins.dm_edges, s.mag[j] - s.mag[i]);
            const int c = BinOf(bins.dt_edges, s.t[j] - s.t[i]);
            if (r < 0 || c < 0) {
                ++img.pairs_outside;
                continue;
            }
            counts[static_cast<std::size_t>(r * img.dt_bins + c)] += 1;
        }
    }
    img.density.resize(counts.size());
    img.pixels.resize(counts.size());
    for (std::size_t k = 0; k < counts.size(); ++k) {
        img.density[k] = img.pairs ? counts[k] / static_cast<double>(img.pairs) : 0.0;
        img.pixels[k] = static_cast<std::uint8_t>(std::min(255.0, std::floor(255 * img.density[k] + 0.99999)));
    }
    return img;
}

void WriteDmdtNpy(const DmdtImage &image, const std::filesystem::path &path) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(image.dm_bins) + ", " +
                         std::to_string(image.dt_bins) + "), }";
    // NPY v1.0: magic, version, little-endian header length; header padded with spaces to 64-byte alignment.
    const std::size_t preamble = 10;
    while ((preamble + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    if (!out) throw RivuletError(ErrorKind::kIo, path.string() + ": cannot write dm-dt array");
    out.write("\x93NUMPY\x01\x00", 8);
    const auto len = static_cast<std::uint16_t>(header.size());
    const char lenb[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    out.write(lenb, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    for (double d : image.density) {
        const float f = static_cast<float>(d);
        out.write(reinterpret_cast<const char *>(&f), sizeof f);
    }
    if (!out) throw RivuletError(ErrorKind::kIo, path.string() + ": write failed");
}

}  // namespace rivulet::lightcurve
