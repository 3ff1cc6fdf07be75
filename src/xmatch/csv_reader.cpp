#include "xmatch/csv_reader.hpp"

#include <cstring>

#include "common/error.hpp"

namespace rivulet::xmatch {

CsvReader::CsvReader(const std::filesystem::path &path) : path_(path), buffer_(1 << 20) {
    // gzopen reads plain files transparently, so one code path serves .csv and .csv.gz.
    file_ = gzopen(path.c_str(), "rb");
    if (!file_) throw RivuletError(ErrorKind::kIo, path.string() + ": cannot open: " + std::strerror(errno));
    gzbuffer(file_, 1 << 18);
    try {
        if (!ReadLine()) throw RivuletError(ErrorKind::kInvalidInput, path.string() + ": empty file (no header line)");
        if (line_text_.starts_with("\xEF\xBB\xBF")) line_text_.erase(0, 3);
        std::vector<std::string_view> cells;
        SplitLine(cells);
        for (auto c : cells) header_.emplace_back(c);
    } catch (...) {
        // A constructor that throws gets no destructor call.
        gzclose(file_);
        file_ = nullptr;
        throw;
    }
}

CsvReader::~CsvReader() {
    if (file_) gzclose(file_);
}

size_t CsvReader::ColumnIndex(const std::string &name) const {
    for (size_t i = 0; i < header_.size(); ++i)
        if (header_[i] == name) return i;
    std::string have;
    for (const auto &h : header_) have += (have.empty() ? "" : ", ") + h;
    throw RivuletError(ErrorKind::kInvalidInput, path_.string() + ": no column '" + name + "' (columns: " + have + ")");
}

std::string CsvReader::Where() const {
    return path_.string() + ": line " + std::to_string(line_) + " (row " + std::to_string(row_) + ")";
}

bool CsvReader::ReadLine() {
    line_text_.clear();
    bool any = false;
    while (true) {
        if (buffer_pos_ == buffer_end_) {
            if (eof_) break;
            const int n = gzread(file_, buffer_.data(), static_cast<unsigned>(buffer_.size()));
            if (n < 0) {
                int err = 0;
                const char *msg = gzerror(file_, &err);
                throw RivuletError(ErrorKind::kIo,
                                   path_.string() + ": read error after line " + std::to_string(line_) + ": " + msg);
            }
            if (n == 0) {
                eof_ = true;
                break;
            }
            buffer_pos_ = 0;
            buffer_end_ = static_cast<size_t>(n);
        }
        any = true;
        const char *start = buffer_.data() + buffer_pos_;
        const void *nl = std::memchr(start, '\n', buffer_end_ - buffer_pos_);
        if (nl) {
            const size_t len = static_cast<size_t>(static_cast<const char *>(nl) - start);
            line_text_.append(start, len);
            buffer_pos_ += len + 1;
            break;
        }
        line_text_.append(start, buffer_end_ - buffer_pos_);
        buffer_pos_ = buffer_end_;
    }
    if (!any) return false;
    ++line_;
    if (!line_text_.empty() && line_text_.back() == '\r') line_text_.pop_back();
    return true;
}

void CsvReader::SplitLine(std::vector<std::string_view> &cells) {
    cells.clear();
    const std::string &s = line_text_;
    if (s.find('"') == std::string::npos) {
        size_t start = 0;
        while (true) {
            const size_t comma = s.find(',', start);
            if (comma == std::string::npos) {
                cells.emplace_back(s.data() + start, s.size() - start);
                return;
            }
            cells.emplace_back(s.data() + start, comma - start);
            start = comma + 1;
        }
    }
    // Quoted cells: unquote into one string and point into it. Reserve enough that it never reallocates
    // (unquoting only shrinks), so earlier views stay valid.
    unquoted_.clear();
    unquoted_.reserve(s.size());
    size_t i = 0;
    while (true) {
        const size_t begin = unquoted_.size();
        if (i < s.size() && s[i] == '"') {
            ++i;
            while (true) {
                if (i >= s.size())
                    throw RivuletError(ErrorKind::kInvalidInput,
                                       path_.string() + ": line " + std::to_string(line_) + ": unterminated quote");
                if (s[i] == '"') {
                    if (i + 1 < s.size() && s[i + 1] == '"') {
                        unquoted_.push_back('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                unquoted_.push_back(s[i++]);
            }
            // Text after the closing quote up to the comma is kept as is.
            while (i < s.size() && s[i] != ',') unquoted_.push_back(s[i++]);
        } else {
            while (i < s.size() && s[i] != ',') unquoted_.push_back(s[i++]);
        }
        cells.emplace_back(unquoted_.data() + begin, unquoted_.size() - begin);
        if (i >= s.size()) return;
        ++i;  // the comma
    }
}

bool CsvReader::Next(std::vector<std::string_view> &cells) {
    while (ReadLine()) {
        if (line_text_.empty()) continue;
        ++row_;
        SplitLine(cells);
        if (cells.size() != header_.size())
            throw RivuletError(ErrorKind::kInvalidInput, Where() + ": " + std::to_string(cells.size()) +
                                                             " cells, the header has " +
                                                             std::to_string(header_.size()));
        return true;
    }
    return false;
}

}  // namespace rivulet::xmatch
