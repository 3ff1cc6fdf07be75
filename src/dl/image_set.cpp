#include "dl/image_set.hpp"

#include <algorithm>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "common/error.hpp"
#include "ml/dataset.hpp"
#include "ml/npy_array.hpp"

namespace rivulet::dl {
namespace {

std::size_t Column(const std::vector<std::string> &header, const std::string &name, const std::filesystem::path &path) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end())
        throw RivuletError(ErrorKind::kInvalidInput, fmt::format("{}: no column '{}'", path.string(), name));
    return static_cast<std::size_t>(it - header.begin());
}

}  // namespace

void ImageSet::Normalize(Normalization normalization) {
    const std::size_t plane = static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
    std::vector<float> buffer(plane);
    const std::size_t c = static_cast<std::size_t>(channels);
    for (std::size_t i = 0; i < count; ++i) {
        float *image = pixels.data() + i * ImageValues();
        for (std::size_t ch = 0; ch < c; ++ch) {
            for (std::size_t p = 0; p < plane; ++p) buffer[p] = image[p * c + ch];
            NormalizePlane(buffer, height, width, normalization);
            for (std::size_t p = 0; p < plane; ++p) image[p * c + ch] = buffer[p];
        }
    }
}

ImageSet ImageSet::Subset(const std::vector<std::size_t> &rows) const {
    ImageSet s;
    s.count = rows.size();
    s.height = height, s.width = width, s.channels = channels;
    const std::size_t n = ImageValues();
    s.pixels.reserve(rows.size() * n);
    for (std::size_t r : rows) {
        s.pixels.insert(s.pixels.end(), pixels.begin() + static_cast<std::ptrdiff_t>(r * n),
                        pixels.begin() + static_cast<std::ptrdiff_t>((r + 1) * n));
        s.label.push_back(label[r]);
        s.id.push_back(id[r]);
    }
    return s;
}

ImageSet ReadImageSet(const std::filesystem::path &npy, const std::filesystem::path &labels_csv,
                      const ImageSetColumns &columns) {
    ml::NpyArray a = ml::ReadNpyFloat32(npy);
    if (a.shape.size() != 3 && a.shape.size() != 4)
        throw RivuletError(ErrorKind::kInvalidInput,
                           fmt::format("{}: expected N × H × W or N × H × W × C, got rank {}", npy.string(), a.shape.size()));
    ImageSet s;
    s.count = a.shape[0];
    s.height = static_cast<int>(a.shape[1]);
    s.width = static_cast<int>(a.shape[2]);
    s.channels = a.shape.size() == 4 ? static_cast<int>(a.shape[3]) : 1;
    s.pixels = std::move(a.data);
    if (s.height <= 0 || s.width <= 0 || s.channels <= 0)
        throw RivuletError(ErrorKind::kInvalidInput, fmt::format("{}: empty images", npy.string()));

    std::ifstream in(labels_csv);
    if (!in) throw RivuletError(ErrorKind::kIo, fmt::format("cannot read {}", labels_csv.string()));
    std::string line;
    if (!std::getline(in, line)) throw RivuletError(ErrorKind::kInvalidInput, fmt::format("{}: empty", labels_csv.string()));
    auto header = ml::SplitCsv(line);
    const std::size_t label_col = Column(header, columns.label, labels_csv);
    const std::size_t id_col = columns.id.empty() ? header.size() : Column(header, columns.id, labels_csv);
    while (std::getline(in, line)) {
        if (line.empty() || line == "\r") continue;
        auto cells = ml::SplitCsv(line);
        if (cells.size() <= label_col || (id_col < header.size() && cells.size() <= id_col))
            throw RivuletError(ErrorKind::kInvalidInput,
                               fmt::format("{}: row {} has too few cells", labels_csv.string(), s.label.size() + 1));
        s.label.push_back(cells[label_col] == columns.positive ? 1 : 0);
        s.id.push_back(id_col < header.size() ? cells[id_col] : std::to_string(s.id.size()));
    }
    if (s.label.size() != s.count)
        throw RivuletError(ErrorKind::kInvalidInput, fmt::format("{} has {} rows but {} holds {} images", labels_csv.string(),
                                                                 s.label.size(), npy.string(), s.count));
    return s;
}

std::pair<std::vector<std::size_t>, std::vector<std::size_t>> StratifiedSplit(const std::vector<uint8_t> &labels,
                                                                              const std::vector<std::size_t> &rows,
                                                                              double fraction, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::size_t> first, second;
    for (uint8_t cls : {uint8_t{0}, uint8_t{1}}) {
        std::vector<std::size_t> members;
        for (std::size_t r : rows)
            if (labels[r] == cls) members.push_back(r);
        std::shuffle(members.begin(), members.end(), rng);
        auto take = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(members.size())));
        if (fraction > 0 && take == 0 && members.size() >= 2) take = 1;
        take = std::min(take, members.size());
        first.insert(first.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(take));
        second.insert(second.end(), members.begin() + static_cast<std::ptrdiff_t>(take), members.end());
    }
    std::sort(first.begin(), first.end());
    std::sort(second.begin(), second.end());
    return {first, second};
}

}  // namespace rivulet::dl
