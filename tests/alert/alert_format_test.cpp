#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "alert/alert_format.hpp"
#include "alert/avro_alert_decoder.hpp"
#include "support/shared_data.hpp"

namespace rivulet {
namespace {

TEST(AlertFormat, FloatsRoundTripForTheirType) {
    for (float f : {20.381855010986328f, 0.1f, 1e-30f, 3.4e38f, -999.0f}) {
        std::string s;
        AppendFloat(s, f);
        EXPECT_EQ(std::strtof(s.c_str(), nullptr), f) << s;
    }
    std::string s;
    AppendFloat(s, 20.381855010986328f);
    EXPECT_EQ(s, "20.381855");  // shortest float text, not the widened double
    for (double d : {2458757.7736574, 342.1694257, -0.5510075, 1e-300}) {
        std::string t;
        AppendDouble(t, d);
        EXPECT_EQ(std::strtod(t.c_str(), nullptr), d) << t;
    }
}

TEST(AlertFormat, JsonHasEveryWriterFieldAndParses) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts");
    AvroAlertDecoder decoder;
    auto p = decoder.DecodeFile(testing::SharedDataDir() /
                                "ztf-alerts/alerts/alerce/ZTF19abegmle/ZTF19abegmle_1003273655515010011.avro");
    ASSERT_EQ(p.alerts.size(), 1u);
    CutoutSummaries cs;
    cs[0] = CutoutSummary{100, "gzip-fits", 63, 63, ""};
    auto j = nlohmann::json::parse(AlertToJson(p.alerts[0], cs));
    EXPECT_EQ(j["objectId"], "ZTF19abegmle");
    EXPECT_EQ(j["candid"].get<int64_t>(), 1003273655515010011);
    EXPECT_EQ(j["schemavsn"], "3.3");
    EXPECT_EQ(j["n_prv_candidates"], 9);
    EXPECT_EQ(j["candidate"].size(), p.alerts[0].candidate.present.count());
    EXPECT_EQ(static_cast<float>(j["candidate"]["magpsf"].get<double>()), 20.381855010986328f);
    EXPECT_EQ(j["candidate"]["jd"].get<double>(), 2458757.7736574);
    EXPECT_EQ(j["cutouts"]["cutoutScience"]["width"], 63);
    EXPECT_TRUE(j["cutouts"]["cutoutTemplate"].is_null());
}

TEST(AlertFormat, CsvMarksAbsentFieldsNA) {
    Alert a;
    a.objectId = "ZTF18aaaaaaa";
    a.candid = 42;
    a.candidate.jd = 2458000.5;
    a.candidate.present.set(0);
    std::string header = AlertCsvHeader(), row = AlertToCsv(a, {});
    auto count = [](const std::string &s) { return std::count(s.begin(), s.end(), ','); };
    EXPECT_EQ(count(header), count(row));
    EXPECT_EQ(row.rfind("ZTF18aaaaaaa,42,NA,2458000.5,NA,", 0), 0u) << row;
}

}  // namespace
}  // namespace rivulet
