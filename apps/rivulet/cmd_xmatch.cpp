// `rivulet xmatch`: cross-match a CSV of positions with a catalog file.

#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>

#include "apps/rivulet/commands.hpp"
#include "common/error.hpp"
#include "xmatch/atomic_output.hpp"
#include "xmatch/catalog.hpp"
#include "xmatch/coordinate_text.hpp"
#include "xmatch/cross_match.hpp"
#include "xmatch/csv_reader.hpp"

namespace rivulet::cli {

namespace {

// Input rows are matched in blocks, so memory stays bounded whatever the input's size.
constexpr size_t kBlockRows = 1 << 20;

}  // namespace

void AddXmatch(CLI::App &app, int &exit_code) {
    struct Options {
        std::filesystem::path input, catalog, out;
        std::string ra = "ra", dec = "dec";
        double radius = 0;
        bool nearest = false, all = false;
        unsigned threads = 0;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("xmatch", "Cross-match a CSV of positions with a catalog file");
    cmd->add_option("INPUT", opt->input, "CSV (or .csv.gz) with a header line")->required();
    cmd->add_option("--ra", opt->ra, "RA column of INPUT: degrees, or hh:mm:ss")->capture_default_str();
    cmd->add_option("--dec", opt->dec, "Dec column of INPUT: degrees, or ±dd:mm:ss")->capture_default_str();
    cmd->add_option("--catalog", opt->catalog, "catalog file (rivulet catalog import)")->required();
    cmd->add_option("--radius", opt->radius, "match radius [arcsec]")->required()->check(CLI::NonNegativeNumber);
    auto *nearest = cmd->add_flag("--nearest", opt->nearest, "the closest source per input row (default)");
    auto *all = cmd->add_flag("--all", opt->all, "every source within the radius");
    nearest->excludes(all);
    all->excludes(nearest);
    cmd->add_option(
           "--out", opt->out,
           "output CSV: in_row,cat_row,sep_arcsec then the catalog's kept columns (written whole or not at all)")
        ->required();
    cmd->add_option("--threads", opt->threads, "threads (0 = one per core)")->capture_default_str();
    cmd->callback([opt, &exit_code] {
        const xmatch::Catalog catalog(opt->catalog);
        xmatch::CsvReader reader(opt->input);
        const size_t ra_index = reader.ColumnIndex(opt->ra), dec_index = reader.ColumnIndex(opt->dec);
        const auto mode = opt->all ? xmatch::MatchMode::kAll : xmatch::MatchMode::kNearest;

        xmatch::AtomicOutput output(opt->out);
        FILE *f = std::fopen(output.temp_path().c_str(), "wb");
        if (!f)
            throw RivuletError(ErrorKind::kIo,
                               output.temp_path().string() + ": cannot create: " + std::strerror(errno));
        std::unique_ptr<FILE, int (*)(FILE *)> closer(f, &std::fclose);
        std::string text = "in_row,cat_row,sep_arcsec";
        for (const auto &c : catalog.columns()) text += "," + c.name;
        text += "\n";

        std::vector<xmatch::SkyPosition> block;
        std::vector<std::string_view> cells;
        uint64_t first_row = 0, n_in = 0, n_pairs = 0;
        bool more = true;
        bool write_ok = true;
        while (more) {
            block.clear();
            while (block.size() < kBlockRows && (more = reader.Next(cells))) {
                auto ra = xmatch::ParseRaDeg(cells[ra_index]);
                if (!ra)
                    throw RivuletError(ErrorKind::kInvalidInput,
                                       reader.Where() + ": " + opt->ra + ": " + ra.error().message);
                auto dec = xmatch::ParseDecDeg(cells[dec_index]);
                if (!dec)
                    throw RivuletError(ErrorKind::kInvalidInput,
                                       reader.Where() + ": " + opt->dec + ": " + dec.error().message);
                block.push_back({*ra, *dec});
            }
            char buf[64];
            for (const auto &p : xmatch::CrossMatch(catalog, block, opt->radius, mode, opt->threads)) {
                text.append(buf, std::to_chars(buf, buf + sizeof buf, first_row + p.in_row).ptr);
                text += ',';
                text.append(buf, std::to_chars(buf, buf + sizeof buf, p.cat_row).ptr);
                text += ',';
                text.append(buf, std::to_chars(buf, buf + sizeof buf, p.sep_arcsec).ptr);
                for (size_t c = 0; c < catalog.columns().size(); ++c) {
                    text += ',';
                    catalog.AppendCsvCell(c, p.row, text);
                }
                text += '\n';
                ++n_pairs;
                if (text.size() > (1 << 20)) {
                    write_ok &= std::fwrite(text.data(), 1, text.size(), f) == text.size();
                    text.clear();
                }
            }
            first_row += block.size();
            n_in += block.size();
        }
        write_ok &= std::fwrite(text.data(), 1, text.size(), f) == text.size();
        write_ok &= std::fclose(closer.release()) == 0;
        if (!write_ok) throw RivuletError(ErrorKind::kIo, output.temp_path().string() + ": cannot write (disk full?)");
        output.Commit();
        std::fprintf(stderr, "xmatch: %llu input rows, %llu pairs within %g″ of %s → %s\n",
                     static_cast<unsigned long long>(n_in), static_cast<unsigned long long>(n_pairs), opt->radius,
                     catalog.name().c_str(), opt->out.c_str());
        exit_code = kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(56, AddXmatch);

}  // namespace rivulet::cli
