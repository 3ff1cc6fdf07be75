// `rivulet cone`: objects of a store within a radius of a position.

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "apps/rivulet/commands.hpp"
#include "apps/rivulet/store_access.hpp"

namespace rivulet::cli {

void AddCone(CLI::App &app, int &exit_code) {
    struct Options {
        double ra = 0, dec = 0, radius = 0;
        std::filesystem::path db;
        bool json = false;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("cone", "Objects within a radius of a position, nearest first");
    cmd->add_option("RA", opt->ra, "right ascension [deg]")->required();
    cmd->add_option("DEC", opt->dec, "declination [deg]")->required()->check(CLI::Range(-90.0, 90.0));
    cmd->add_option("RADIUS_ARCSEC", opt->radius, "radius [arcsec]")->required()->check(CLI::NonNegativeNumber);
    cmd->add_option("--db", opt->db, "store")->required();
    cmd->add_flag("--json", opt->json, "print JSON");
    cmd->callback([opt, &exit_code] {
        auto matches = OpenExistingStore(opt->db)->ConeSearchObjects(opt->ra, opt->dec, opt->radius);
        if (opt->json) {
            nlohmann::json j = nlohmann::json::array();
            for (const auto &m : matches)
                j.push_back({{"objectId", m.objectId}, {"ra", m.ra}, {"dec", m.dec}, {"sep_arcsec", m.sep_arcsec},
                             {"ndet", m.ndet}, {"first_jd", m.first_jd}, {"last_jd", m.last_jd}});
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
