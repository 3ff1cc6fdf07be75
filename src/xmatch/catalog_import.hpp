#pragma once
// Builds a catalog file (catalog_format.hpp) from a CSV or gzipped CSV, streaming with bounded memory:
// pass 1 reads the input once, checks every position, and spills sorted runs of at most
// `memory_budget_bytes` to a temporary folder beside the output; pass 2 merges the runs straight into
// the output file. The output is written under a temporary name and renamed at the end, so a failed
// import leaves neither a half-written catalog nor its temporary files.
// Kept columns are typed from their cells: int64 when every non-empty cell is an integer, float64 when
// every one is a number (nan/inf allowed), else string. Empty cells are nulls.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "xmatch/catalog_format.hpp"

namespace rivulet::xmatch {

struct ImportOptions {
    std::filesystem::path input;                         //!< .csv or .csv.gz, header on the first line
    std::filesystem::path output;                        //!< the catalog file to (re)place
    std::string name;                                    //!< catalog name stored in the file (e.g. "gcvs")
    std::string ra_column = "ra";                        //!< degrees, or hh:mm:ss
    std::string dec_column = "dec";                      //!< degrees, or ±dd:mm:ss
    std::vector<std::string> keep;                       //!< further columns to carry, typed
    uint64_t memory_budget_bytes = uint64_t{256} << 20;  //!< rows held before a sorted run is spilled
    int order = -1;  //!< HEALPix order of the rows; -1 chooses it from the catalog's density
};

struct ImportSummary {
    uint64_t rows = 0;
    int order = 0;
    int index_order = 0;
    uint64_t runs = 0;  //!< sorted runs spilled in pass 1
    uint64_t file_bytes = 0;
    std::vector<std::pair<std::string, ColumnType>> columns;
};

//! Imports `options.input` into `options.output`. Throws RivuletError(kInvalidInput) on bad input — a
//! missing column, or a row whose RA/Dec is not a number, NaN, or has |Dec| > 90 — naming the file, the
//! line, the 0-based data row and the reason; RivuletError(kIo) when a file cannot be written.
//! @locality calling thread; independent imports may run in parallel
ImportSummary ImportCatalog(const ImportOptions &options);

//! Human name of a column type: "int64", "float64", "string".
const char *ColumnTypeName(ColumnType type);

}  // namespace rivulet::xmatch
