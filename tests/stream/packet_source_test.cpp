#include <gtest/gtest.h>

#include <fstream>

#include "alert/avro_alert_decoder.hpp"
#include "stream/packet_source.hpp"
#include "support/shared_data.hpp"
#include "support/temp_dir.hpp"

namespace rivulet {
namespace {

std::vector<RawPacket> ReadAll(const std::vector<std::filesystem::path> &inputs) {
    std::vector<RawPacket> out;
    auto src = OpenInputs(inputs);
    RawPacket p;
    while (src->Next(p)) out.push_back(std::move(p));
    return out;
}

void Sh(const std::string &cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }

const char *kGroup = "ztf-alerts/alerts/alerce/ZTF19abegmle";

TEST(PacketSource, FolderIsReadRecursivelyInOrder) {
    RIVULET_REQUIRE_SHARED(kGroup);
    auto packets = ReadAll({testing::SharedDataDir() / kGroup});
    ASSERT_EQ(packets.size(), 7u);
    for (size_t i = 0; i < packets.size(); ++i) {
        EXPECT_FALSE(packets[i].error);
        EXPECT_FALSE(packets[i].bytes.empty());
        if (i > 0) {
            EXPECT_LT(packets[i - 1].name, packets[i].name);
        }
    }
}

TEST(PacketSource, NightlyArchiveStreamsMembers) {
    RIVULET_REQUIRE_SHARED(kGroup);
    testing::TempDir tmp;
    auto src = testing::SharedDataDir() / kGroup;
    Sh("tar czf " + (tmp / "night.tar.gz").string() + " -C " + src.string() + " . 2>/dev/null");
    auto from_tar = ReadAll({tmp / "night.tar.gz"});
    auto from_dir = ReadAll({src});
    ASSERT_EQ(from_tar.size(), from_dir.size());
    // Same bytes, whatever the member order.
    std::multiset<std::vector<uint8_t>> a, b;
    for (auto &p : from_tar) {
        EXPECT_FALSE(p.error) << p.error->message;
        EXPECT_NE(p.name.find("night.tar.gz:"), std::string::npos);
        a.insert(p.bytes);
    }
    for (auto &p : from_dir) b.insert(p.bytes);
    EXPECT_EQ(a, b);
}

TEST(PacketSource, CorruptArchiveKeepsWhatCameBefore) {
    RIVULET_REQUIRE_SHARED(kGroup);
    testing::TempDir tmp;
    auto src = testing::SharedDataDir() / kGroup;
    Sh("tar cf " + (tmp / "night.tar").string() + " -C " + src.string() + " .");
    // Truncate the uncompressed tar in the middle of the last member, then gzip it.
    auto size = std::filesystem::file_size(tmp / "night.tar");
    std::filesystem::resize_file(tmp / "night.tar", size - 10240 - 20000);
    Sh("gzip -c " + (tmp / "night.tar").string() + " > " + (tmp / "cut.tar.gz").string());
    auto packets = ReadAll({tmp / "cut.tar.gz"});
    ASSERT_FALSE(packets.empty());
    EXPECT_TRUE(packets.back().error.has_value());
    EXPECT_NE(packets.back().error->message.find("cut.tar.gz"), std::string::npos) << packets.back().error->message;
    size_t good = 0;
    for (auto &p : packets) good += !p.error;
    EXPECT_GE(good, 5u);
}

TEST(PacketSource, GarbageArchiveAndMissingInputAreErrors) {
    testing::TempDir tmp;
    {
        std::ofstream f(tmp / "bad.tar.gz", std::ios::binary);
        f << "this is not a gzip stream at all, just text pretending to be an archive";
    }
    auto packets = ReadAll({tmp / "bad.tar.gz", tmp / "missing.avro"});
    ASSERT_EQ(packets.size(), 2u);
    ASSERT_TRUE(packets[0].error);
    EXPECT_NE(packets[0].error->message.find("bad.tar.gz"), std::string::npos);
    ASSERT_TRUE(packets[1].error);
    EXPECT_NE(packets[1].error->message.find("missing.avro"), std::string::npos);
}

}  // namespace
}  // namespace rivulet
