// The store-reading commands on both backends, end to end: real alerts ingested with `rivulet ingest`
// (with a [[xmatch]] configuration), then `alert`, `stats`, and `features`/`period`/`dmdt` reading an
// object's merged light curve with --db and with --pg give the same answers.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/run_command.hpp"
#include "support/postgres_server.hpp"
#include "support/shared_data.hpp"
#include "support/temp_dir.hpp"

namespace rivulet {
namespace {

namespace fs = std::filesystem;
using testing::Quote;
using testing::RunRivulet;

// ZTF21abiuvdk has the most alerts (27) of the corpus.
constexpr const char *kObject = "ZTF21abiuvdk";

std::string ReadText(const fs::path &p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Ingests the corpus into `store_args` with a catalog holding the first alert's position, and checks the
// store-reading commands; returns the outputs that must not depend on the backend.
std::vector<std::string> IngestAndQuery(const std::string &store_args, const testing::TempDir &tmp) {
    const fs::path alerts = testing::SharedDataDir() / "ztf-alerts/alerts";
    // A one-source catalog at a known alert's position (candid 1003273655515010011 of ZTF19abegmle).
    const auto first = nlohmann::json::parse(
        RunRivulet("decode " + Quote(alerts / "alerce/ZTF19abegmle/ZTF19abegmle_1003273655515010011.avro")).out);
    {
        std::ofstream csv(tmp / "one.csv");
        csv.precision(17);
        csv << "ra,dec,name\n" << first["candidate"]["ra"].get<double>() << "," << first["candidate"]["dec"].get<double>()
            << ",here\n";
        std::ofstream cfg(tmp / "rivulet.toml");
        cfg << "[[xmatch]]\ncatalog = \"one.rvc\"\nradius_arcsec = 1.0\n";
    }
    if (!fs::exists(tmp / "one.rvc")) {
        auto imp = RunRivulet("catalog import " + Quote(tmp / "one.csv") + " --name one --ra ra --dec dec --keep name --out " +
                              Quote(tmp / "one.rvc"));
        EXPECT_EQ(imp.exit_code, 0);
    }
    auto ingest = RunRivulet("ingest " + Quote(alerts) + " " + store_args + " --config " + Quote(tmp / "rivulet.toml") + " --json");
    EXPECT_EQ(ingest.exit_code, 0) << ingest.out;

    auto alert = RunRivulet("alert 1003273655515010011 " + store_args);
    EXPECT_EQ(alert.exit_code, 0);
    const auto a = nlohmann::json::parse(alert.out);
    EXPECT_EQ(a["objectId"], "ZTF19abegmle");
    EXPECT_EQ(a["candidate"]["candid"], 1003273655515010011);
    EXPECT_EQ(a["xmatch"].size(), 1u);
    EXPECT_EQ(a["xmatch"][0]["catalog"], "one");
    EXPECT_EQ(a["xmatch"][0]["cat_row"], 0);
    EXPECT_LT(a["xmatch"][0]["sep_arcsec"].get<double>(), 1e-6);
    EXPECT_EQ(RunRivulet("alert 42 " + store_args).exit_code, 1);  // no such alert

    auto stats = nlohmann::json::parse(RunRivulet("stats --json " + store_args).out);
    EXPECT_GE(stats["matched"]["one"].get<int>(), 1);

    std::vector<std::string> outputs;
    auto features = RunRivulet(std::string("features --object ") + kObject + " " + store_args + " --out " +
                               Quote(tmp / "f.csv"));
    EXPECT_EQ(features.exit_code, 0);
    outputs.push_back(ReadText(tmp / "f.csv"));
    EXPECT_NE(outputs.back().find(kObject), std::string::npos) << outputs.back();
    auto period = RunRivulet(std::string("period --method ls --object ") + kObject + " " + store_args + " --out " +
                             Quote(tmp / "p.csv"));
    EXPECT_EQ(period.exit_code, 0);
    outputs.push_back(ReadText(tmp / "p.csv"));
    auto dmdt = RunRivulet(std::string("dmdt --object ") + kObject + " " + store_args + " --out " + Quote(tmp / "dmdt"));
    EXPECT_EQ(dmdt.exit_code, 0);
    EXPECT_FALSE(fs::is_empty(tmp / "dmdt"));
    // A store without that object, and --object without a store, are clear errors.
    EXPECT_NE(RunRivulet("features --object ZTF00nothere " + store_args + " --out " + Quote(tmp / "x.csv")).exit_code, 0);
    return outputs;
}

TEST(StoreCommandsCli, AlertStatsAndLightCurveCommandsOnBothBackends) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts");
    testing::TempDir tmp;
    const auto sqlite = IngestAndQuery("--db " + Quote(tmp / "a.db"), tmp);
    EXPECT_NE(RunRivulet("features --object ZTF21abiuvdk --out " + Quote(tmp / "x.csv")).exit_code, 0);

    auto &server = testing::SharedPostgresServer();
    RIVULET_REQUIRE_POSTGRES(server);
    const std::string uri = server.CreateDatabase("store_commands_cli");
    ASSERT_FALSE(uri.empty());
    const auto pg = IngestAndQuery("--pg " + uri, tmp);
    ASSERT_EQ(sqlite.size(), pg.size());
    for (size_t i = 0; i < sqlite.size(); ++i) EXPECT_EQ(sqlite[i], pg[i]);
}

}  // namespace
}  // namespace rivulet
