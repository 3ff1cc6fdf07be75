#pragma once
// Streams a CSV file row by row, plain or gzip-compressed (detected from the bytes, not the name), with
// bounded memory: one buffer and the current row. The first line is the header. Cells may be quoted
// ("a, b" and "" for a quote inside); a quoted cell may not span lines. CRLF line ends and a UTF-8 BOM
// are tolerated. Not thread-safe: one reader per thread.

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rivulet::xmatch {

class CsvReader {
public:
    //! Opens `path` and reads its header. Throws RivuletError(kIo) when it cannot be read,
    //! RivuletError(kInvalidInput) when it has no header line.
    explicit CsvReader(const std::filesystem::path &path);
    ~CsvReader();
    CsvReader(const CsvReader &) = delete;
    CsvReader &operator=(const CsvReader &) = delete;

    const std::vector<std::string> &header() const { return header_; }

    //! Index of the header column `name`; throws RivuletError(kInvalidInput) naming the file, the missing
    //! column and the columns it has.
    size_t ColumnIndex(const std::string &name) const;

    //! Reads the next data row into `cells` (views valid until the next call). Returns false at the end.
    //! Blank lines are skipped. Throws RivuletError(kInvalidInput) on a malformed row (unterminated
    //! quote, wrong number of cells), naming the file and line.
    bool Next(std::vector<std::string_view> &cells);

    //! 1-based line number of the row last returned (the header is line 1).
    int64_t line() const { return line_; }
    //! 0-based index of the data row last returned (blank lines not counted).
    int64_t row() const { return row_; }
    //! "FILE: line L (row R)", the prefix of every error about the current row.
    std::string Where() const;

private:
    bool ReadLine();
    void SplitLine(std::vector<std::string_view> &cells);

    std::filesystem::path path_;
    gzFile file_ = nullptr;
    std::vector<char> buffer_;
    size_t buffer_pos_ = 0, buffer_end_ = 0;
    bool eof_ = false;
    std::string line_text_;
    std::string unquoted_;  // storage for cells that needed unquoting
    std::vector<std::string> header_;
    int64_t line_ = 0;
    int64_t row_ = -1;
};

}  // namespace rivulet::xmatch
