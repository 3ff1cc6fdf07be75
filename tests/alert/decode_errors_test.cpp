// Bad input never crashes the decoder: it yields a clear error naming the input and the reason, and
// keeps every alert decoded before the damage.

#include <avro.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <unistd.h>

#include "alert/avro_alert_decoder.hpp"
#include "support/shared_data.hpp"

namespace rivulet {
namespace {

std::filesystem::path SomeRealAlert() {
    return testing::SharedDataDir() / "ztf-alerts/alerts/alerce/ZTF19abegmle/ZTF19abegmle_1003273655515010011.avro";
}

TEST(DecodeErrors, RandomBytes) {
    std::mt19937 rng(7);
    AvroAlertDecoder decoder;
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<uint8_t> bytes(static_cast<size_t>(rng() % 4096));
        for (auto &b : bytes) b = static_cast<uint8_t>(rng());
        if (trial % 2 == 0 && bytes.size() >= 4) std::memcpy(bytes.data(), "Obj\x01", 4);  // past the magic
        auto p = decoder.Decode(bytes, "random.avro");
        EXPECT_TRUE(p.alerts.empty());
        ASSERT_TRUE(p.error.has_value());
        EXPECT_NE(p.error->message.find("random.avro"), std::string::npos) << p.error->message;
    }
}

TEST(DecodeErrors, EveryTruncationFailsCleanly) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts");
    auto bytes = ReadFileBytes(SomeRealAlert());
    ASSERT_TRUE(bytes.ok());
    AvroAlertDecoder decoder;
    auto whole = decoder.Decode(*bytes, "whole");
    ASSERT_FALSE(whole.error);
    ASSERT_EQ(whole.alerts.size(), 1u);
    // Cut at many points, including inside the header, the record and the trailing sync marker.
    for (size_t cut = 0; cut < bytes->size(); cut += (cut < 2000 ? 37 : 997)) {
        std::span<const uint8_t> part(bytes->data(), cut);
        auto p = decoder.Decode(part, "cut");
        ASSERT_TRUE(p.error.has_value()) << "cut at " << cut;
        EXPECT_TRUE(p.alerts.empty()) << "a partial block must not yield an alert (cut at " << cut << ")";
        EXPECT_FALSE(p.error->reason.empty());
    }
}

TEST(DecodeErrors, FlippedBytesNeverCrash) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts");
    auto bytes = ReadFileBytes(SomeRealAlert());
    ASSERT_TRUE(bytes.ok());
    AvroAlertDecoder decoder;
    std::mt19937 rng(11);
    for (int trial = 0; trial < 300; ++trial) {
        auto copy = *bytes;
        for (int k = 0; k < 4; ++k) copy[rng() % copy.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
        auto p = decoder.Decode(copy, "flipped");
        if (p.error) {
            EXPECT_LE(p.alerts.size(), 1u);
        }
    }
}

TEST(DecodeErrors, MalformedArchiveFileKeepsFirstBlock) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/malformed/ampel-ztf-archive/schema_4.02.avro");
    AvroAlertDecoder decoder;
    auto p = decoder.DecodeFile(testing::SharedDataDir() / "ztf-alerts/malformed/ampel-ztf-archive/schema_4.02.avro");
    ASSERT_EQ(p.alerts.size(), 1u);
    EXPECT_EQ(p.alerts[0].objectId, "ZTF21aapuacc");
    EXPECT_EQ(p.alerts[0].candid, 2480088313915010007);
    ASSERT_TRUE(p.alerts[0].prv_candidates);
    EXPECT_EQ(p.alerts[0].prv_candidates->size(), 36u);
    ASSERT_TRUE(p.alerts[0].fp_hists);
    EXPECT_EQ(p.alerts[0].fp_hists->size(), 30u);
    ASSERT_TRUE(p.error.has_value());
    EXPECT_NE(p.error->message.find("schema_4.02.avro"), std::string::npos);
    EXPECT_NE(p.error->message.find("block 2"), std::string::npos) << p.error->message;
}

// An Avro container of some other schema is refused as such.
TEST(DecodeErrors, OtherSchemaIsRefused) {
    auto path = std::filesystem::temp_directory_path() / ("rivulet_other_schema_" + std::to_string(::getpid()) + ".avro");
    avro_schema_t schema;
    const char json[] = R"({"type":"record","name":"weather","fields":[{"name":"station","type":"string"},{"name":"temp","type":"int"}]})";
    ASSERT_EQ(avro_schema_from_json_literal(json, &schema), 0);
    avro_file_writer_t writer;
    std::filesystem::remove(path);
    ASSERT_EQ(avro_file_writer_create(path.c_str(), schema, &writer), 0) << avro_strerror();
    avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
    avro_value_t v, f;
    avro_generic_value_new(iface, &v);
    avro_value_get_by_index(&v, 0, &f, nullptr);
    avro_value_set_string(&f, "Palomar");
    avro_value_get_by_index(&v, 1, &f, nullptr);
    avro_value_set_int(&f, 12);
    ASSERT_EQ(avro_file_writer_append_value(writer, &v), 0);
    avro_file_writer_close(writer);
    avro_value_decref(&v);
    avro_value_iface_decref(iface);
    avro_schema_decref(schema);

    AvroAlertDecoder decoder;
    auto p = decoder.DecodeFile(path);
    std::filesystem::remove(path);
    EXPECT_TRUE(p.alerts.empty());
    ASSERT_TRUE(p.error);
    EXPECT_EQ(p.error->reason, "wrong_schema");
    EXPECT_NE(p.error->message.find("weather"), std::string::npos) << p.error->message;
}

TEST(DecodeErrors, MissingFileNamesPath) {
    AvroAlertDecoder decoder;
    auto p = decoder.DecodeFile("/nonexistent/dir/x.avro");
    ASSERT_TRUE(p.error);
    EXPECT_NE(p.error->message.find("/nonexistent/dir/x.avro"), std::string::npos);
}

}  // namespace
}  // namespace rivulet
