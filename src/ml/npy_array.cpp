#include "ml/npy_array.hpp"

#include <fstream>
#include <cctype>

#include <fmt/format.h>

#include "common/error.hpp"

namespace rivulet::ml {

NpyArray ReadNpyFloat32(const std::filesystem::path &path) {
    auto fail = [&](const std::string &why) {
        throw RivuletError(ErrorKind::kInvalidInput, fmt::format("{}: {}", path.string(), why));
    };
    std::ifstream in(path, std::ios::binary);
    if (!in) throw RivuletError(ErrorKind::kIo, fmt::format("{}: cannot open", path.string()));
    char magic[8];
    if (!in.read(magic, 8) || std::string(magic + 1, 5) != "NUMPY") fail("not a .npy file");
    size_t header_len = 0;
    unsigned char b[4] = {0, 0, 0, 0};
    if (magic[6] == 1) {
        in.read(reinterpret_cast<char *>(b), 2);
        header_len = b[0] | (b[1] << 8);
    } else {
        in.read(reinterpret_cast<char *>(b), 4);
        header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<size_t>(b[3]) << 24);
    }
    std::string header(header_len, '\0');
    if (!in.read(header.data(), static_cast<std::streamsize>(header_len))) fail("truncated header");
    if (header.find("'descr': '<f4'") == std::string::npos) fail("only little-endian float32 ('<f4') is supported");
    if (header.find("'fortran_order': False") == std::string::npos) fail("only C order is supported");
    // The header is a Python dict literal; only the shape tuple's integers are needed.
    size_t key = header.find("'shape': (");
    size_t close = key == std::string::npos ? key : header.find(')', key);
    if (close == std::string::npos) fail("no shape in header");
    NpyArray a;
    size_t total = 1;
    for (size_t p = key + 10; p < close;) {
        if (!std::isdigit(static_cast<unsigned char>(header[p]))) {
            ++p;
            continue;
        }
        size_t v = 0;
        while (p < close && std::isdigit(static_cast<unsigned char>(header[p]))) v = v * 10 + static_cast<size_t>(header[p++] - '0');
        a.shape.push_back(v);
        total *= v;
    }
    a.data.resize(total);
    if (!in.read(reinterpret_cast<char *>(a.data.data()), static_cast<std::streamsize>(total * sizeof(float))))
        fail(fmt::format("data truncated (expected {} float32 values)", total));
    return a;
}

}  // namespace rivulet::ml
