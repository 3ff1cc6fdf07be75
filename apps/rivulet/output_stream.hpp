#pragma once
// Where a command writes its table: the file named by `--out`, or stdout when none is given.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>

#include "common/error.hpp"

namespace rivulet::cli {

//! The file at `path` (created or truncated), or std::cout when `path` is empty. Throws kIo
//! ("<path>: cannot write") when the file cannot be opened.
class OutputStream {
public:
    explicit OutputStream(const std::filesystem::path &path) {
        if (path.empty()) return;
        file_.open(path);
        if (!file_) throw RivuletError(ErrorKind::kIo, path.string() + ": cannot write");
        out_ = &file_;
    }
    OutputStream(const OutputStream &) = delete;
    OutputStream &operator=(const OutputStream &) = delete;

    std::ostream &get() { return *out_; }

private:
    std::ofstream file_;
    std::ostream *out_ = &std::cout;
};

}  // namespace rivulet::cli
