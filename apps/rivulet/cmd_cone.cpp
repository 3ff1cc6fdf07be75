// `rivulet cone`: what lies within a radius of a position — objects of a store (--db/--pg) or sources of a
// catalog file (--catalog).

#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/rivulet/commands.hpp"
#include "apps/rivulet/store_access.hpp"
#include "xmatch/catalog.hpp"

namespace rivulet::cli {

namespace {

nlohmann::json CellJson(const xmatch::Catalog &catalog, size_t column, uint64_t row) {
    switch (catalog.columns()[column].type) {
        case xmatch::ColumnType::kInt64: {
            const int64_t v = catalog.Int64(column, row);
            return v == xmatch::kNullInt64 ? nlohmann::json(nullptr) : nlohmann::json(v);
        }
        case xmatch::ColumnType::kFloat64: {
            const double v = catalog.Float64(column, row);
            return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
        }
        case xmatch::ColumnType::kString: {
            const auto s = catalog.String(column, row);
            return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(s));
        }
    }
    return nullptr;
}

void PrintCatalogCone(const std::filesystem::path &file, double ra, double dec, double radius, bool json) {
    xmatch::Catalog catalog(file);
    const auto matches = catalog.Cone(ra, dec, radius);
    if (json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto &m : matches) {
            nlohmann::json o = {{"cat_row", m.cat_row},
                                {"ra", catalog.ra(m.row)},
                                {"dec", catalog.dec(m.row)},
                                {"sep_arcsec", m.sep_arcsec}};
            for (size_t c = 0; c < catalog.columns().size(); ++c)
                o[catalog.columns()[c].name] = CellJson(catalog, c, m.row);
            j.push_back(std::move(o));
        }
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    std::string out = "cat_row,ra,dec,sep_arcsec";
    for (const auto &c : catalog.columns()) out += "," + c.name;
    out += "\n";
    char buf[64];
    for (const auto &m : matches) {
        std::snprintf(buf, sizeof buf, "%llu,", static_cast<unsigned long long>(m.cat_row));
        out += buf;
        for (double v : {catalog.ra(m.row), catalog.dec(m.row), m.sep_arcsec}) {
            out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
            out += ',';
        }
        out.pop_back();
        for (size_t c = 0; c < catalog.columns().size(); ++c) {
            out += ',';
            catalog.AppendCsvCell(c, m.row, out);
        }
        out += '\n';
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void AddCone(CLI::App &app, int &exit_code) {
    struct Options {
        double ra = 0, dec = 0, radius = 0;
        StoreTarget store;
        std::filesystem::path catalog;
        bool json = false;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd =
        app.add_subcommand("cone", "Objects of a store, or sources of a catalog, within a radius, nearest first");
    cmd->add_option("RA", opt->ra, "right ascension [deg]")->required();
    cmd->add_option("DEC", opt->dec, "declination [deg]")->required()->check(CLI::Range(-90.0, 90.0));
    cmd->add_option("RADIUS_ARCSEC", opt->radius, "radius [arcsec]")->required()->check(CLI::NonNegativeNumber);
    AddStoreOptions(*cmd, opt->store);
    auto *catalog =
        cmd->add_option("--catalog", opt->catalog, "catalog file (rivulet catalog import): search its sources");
    catalog->excludes(cmd->get_option("--db"));
    catalog->excludes(cmd->get_option("--pg"));
    cmd->add_flag("--json", opt->json, "print JSON");
    cmd->callback([opt, &exit_code] {
        const bool has_store = !opt->store.db.empty() || !opt->store.pg.empty();
        if (has_store == !opt->catalog.empty())
            throw RivuletError(ErrorKind::kInvalidInput, "cone: give exactly one of --db PATH, --pg URI or --catalog FILE");
        if (!opt->catalog.empty()) {
            PrintCatalogCone(opt->catalog, opt->ra, opt->dec, opt->radius, opt->json);
            exit_code = kExitOk;
            return;
        }
        auto matches = OpenStore(opt->store, /*create=*/false)->ConeSearchObjects(opt->ra, opt->dec, opt->radius);
        if (opt->json) {
            nlohmann::json j = nlohmann::json::array();
            for (const auto &m : matches)
                j.push_back({{"objectId", m.objectId},
                             {"ra", m.ra},
                             {"dec", m.dec},
                             {"sep_arcsec", m.sep_arcsec},
                             {"ndet", m.ndet},
                             {"first_jd", m.first_jd},
                             {"last_jd", m.last_jd}});
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            std::printf("objectId,ra,dec,sep_arcsec,ndet,first_jd,last_jd\n");
            for (const auto &m : matches)
                std::printf("%s,%.7f,%.7f,%.4f,%lld,%s,%s\n", m.objectId.c_str(), m.ra, m.dec, m.sep_arcsec,
                            static_cast<long long>(m.ndet), Jd(m.first_jd).c_str(), Jd(m.last_jd).c_str());
        }
        exit_code = kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(50, AddCone);

}  // namespace rivulet::cli
