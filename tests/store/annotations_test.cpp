// Annotations (scores by model, nearest catalog matches) written with alerts, on both backends: stored
// with a new alert in its transaction, left alone for a duplicate, validated before any write, counted
// by Stats, and a store of schema version 1 migrated in place.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "store/pg_store.hpp"
#include "store/sqlite_store.hpp"
#include "support/postgres_server.hpp"
#include "support/synthetic_alert.hpp"
#include "support/temp_dir.hpp"

namespace rivulet {
namespace {

namespace fs = std::filesystem;
using testing::SyntheticAlert;

// One store of either backend, and a way to make it look like a schema version 1 store.
struct Backend {
    std::function<std::unique_ptr<Store>()> open;
    std::function<void()> downgrade_to_v1;  //!< drops the version 2 tables, records version 1
};

class AnnotationsTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (GetParam() == "sqlite") {
            const fs::path db = tmp_ / "alerts.db";
            backend_.open = [db] { return OpenSqliteStore(db); };
            backend_.downgrade_to_v1 = [db] {
                sqlite3 *h = nullptr;
                ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
                ASSERT_EQ(sqlite3_exec(h, "DROP TABLE alert_scores; DROP TABLE alert_xmatch; DROP TABLE cutout_locations; "
                                       "PRAGMA user_version = 1",
                                       nullptr, nullptr, nullptr),
                          SQLITE_OK);
                sqlite3_close(h);
            };
        } else {
            auto &server = testing::SharedPostgresServer();
            RIVULET_REQUIRE_POSTGRES(server);
            const std::string name =
                std::string("annotations_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
            std::string db_name;
            for (char c : name) db_name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
            const std::string uri = server.CreateDatabase(db_name);
            ASSERT_FALSE(uri.empty());
            backend_.open = [uri] { return OpenPostgresStore(uri); };
            backend_.downgrade_to_v1 = [&server, db_name] {
                ASSERT_TRUE(server.Psql(db_name, "DROP TABLE alert_scores; DROP TABLE alert_xmatch; "
                                                 "UPDATE schema_version SET version = 1"));
            };
        }
    }

    testing::TempDir tmp_;
    Backend backend_;
};

std::vector<Alert> ThreeAlerts() {
    return {SyntheticAlert("ZTF20aaaaaaa", 101, 10.0, 20.0), SyntheticAlert("ZTF20aaaaaab", 102, 11.0, -20.0),
            SyntheticAlert("ZTF20aaaaaaa", 103, 10.0, 20.0, 2460001.5)};
}

std::vector<AlertAnnotations> SomeAnnotations() {
    return {
        {{{"t1_f1_c1", 0.875}, {"d6_m7", 0.25}}, {{"gcvs", 42, 0.5}, {"bts", 7, 2.25}}},
        {{{"t1_f1_c1", 0.125}}, {}},
        {{}, {{"gcvs", 42, 0.75}}},
    };
}

TEST_P(AnnotationsTest, StoredWithNewAlertsAndKeptForDuplicates) {
    auto store = backend_.open();
    const auto alerts = ThreeAlerts();
    const auto annotations = SomeAnnotations();
    auto w = store->Write(alerts, {}, annotations);
    EXPECT_EQ(w.stored, 3u);

    auto a = store->GetAlert(101);
    ASSERT_TRUE(a);
    // Read back in name order.
    ASSERT_EQ(a->annotations.scores.size(), 2u);
    EXPECT_EQ(a->annotations.scores[0].model, "d6_m7");
    EXPECT_EQ(a->annotations.scores[0].score, 0.25);
    EXPECT_EQ(a->annotations.scores[1].model, "t1_f1_c1");
    EXPECT_EQ(a->annotations.scores[1].score, 0.875);
    ASSERT_EQ(a->annotations.xmatch.size(), 2u);
    EXPECT_EQ(a->annotations.xmatch[0].catalog, "bts");
    EXPECT_EQ(a->annotations.xmatch[0].cat_row, 7);
    EXPECT_EQ(a->annotations.xmatch[0].sep_arcsec, 2.25);
    EXPECT_EQ(a->annotations.xmatch[1].catalog, "gcvs");
    auto c = store->GetAlert(103);
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->annotations.scores.empty());
    ASSERT_EQ(c->annotations.xmatch.size(), 1u);
    EXPECT_EQ(c->annotations.xmatch[0].sep_arcsec, 0.75);

    // A redelivery with other annotations changes nothing: the first write's annotations stay.
    std::vector<AlertAnnotations> other(3);
    other[0].scores = {{"t1_f1_c1", 0.0}, {"t2_f1_c1", 1.0}};
    w = store->Write(alerts, {}, other);
    EXPECT_EQ(w.duplicates, 3u);
    EXPECT_EQ(store->GetAlert(101)->annotations.scores.size(), 2u);
    EXPECT_EQ(store->GetAlert(101)->annotations.scores[1].score, 0.875);

    const StoreStats s = store->Stats();
    EXPECT_EQ(s.scored, (std::map<std::string, int64_t>{{"d6_m7", 1}, {"t1_f1_c1", 2}}));
    EXPECT_EQ(s.matched, (std::map<std::string, int64_t>{{"bts", 1}, {"gcvs", 2}}));

    // Without annotations nothing is attached.
    store->Write(std::vector<Alert>{SyntheticAlert("ZTF20aaaaaac", 104, 12.0, 0.0)}, {});
    EXPECT_TRUE(store->GetAlert(104)->annotations.scores.empty());
    EXPECT_TRUE(store->GetAlert(104)->annotations.xmatch.empty());
}

TEST_P(AnnotationsTest, BadAnnotationsFailTheWholeWrite) {
    auto store = backend_.open();
    const auto alerts = ThreeAlerts();
    auto expect_refused = [&](std::vector<AlertAnnotations> an, const std::string &what) {
        try {
            store->Write(alerts, {}, an);
            ADD_FAILURE() << "accepted: " << what;
        } catch (const RivuletError &e) {
            EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput) << e.what();
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    expect_refused(std::vector<AlertAnnotations>(2), "2 annotations for 3 alerts");
    auto twice = SomeAnnotations();
    twice[1].scores.push_back({"t1_f1_c1", 0.5});
    expect_refused(twice, "candid 102: model t1_f1_c1 scored twice");
    auto nan = SomeAnnotations();
    nan[2].scores.push_back({"t1_f1_c1", NAN});
    expect_refused(nan, "candid 103: score of model t1_f1_c1 is not finite");
    auto no_name = SomeAnnotations();
    no_name[0].xmatch.push_back({"", 1, 1.0});
    expect_refused(no_name, "candid 101: match without a catalog name");
    EXPECT_EQ(store->Stats().alerts, 0);
}

TEST_P(AnnotationsTest, VersionOneStoreIsMigrated) {
    backend_.open()->Write(std::vector<Alert>{SyntheticAlert("ZTF20aaaaaad", 99, 1.0, 1.0)}, {});
    backend_.downgrade_to_v1();
    auto store = backend_.open();  // migrates
    EXPECT_EQ(store->Stats().alerts, 1);
    EXPECT_EQ(store->Write(ThreeAlerts(), {}, SomeAnnotations()).stored, 3u);
    EXPECT_EQ(store->GetAlert(101)->annotations.scores.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, AnnotationsTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto &info) { return info.param; });

}  // namespace
}  // namespace rivulet
