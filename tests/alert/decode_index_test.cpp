// Every real alert in ../shared/data/ztf-alerts decodes to exactly the values in index.csv, which were
// produced by Debian's python3-avro with each file's own writer schema.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "alert/avro_alert_decoder.hpp"
#include "support/csv.hpp"
#include "support/shared_data.hpp"

namespace rivulet {
namespace {


// Checks one numeric/string column of the candidate against the reference text.
::testing::AssertionResult Matches(const Alert &a, const std::string &column, const std::string &expected) {
    auto fields = Candidate::Fields();
    int idx = FindField(fields, column);
    if (idx < 0) return ::testing::AssertionFailure() << "no field " << column;
    bool present = a.candidate.present.test(static_cast<size_t>(idx));
    if (expected == "NA") {
        if (present) return ::testing::AssertionFailure() << column << " present but reference says absent";
        return ::testing::AssertionSuccess();
    }
    if (!present) return ::testing::AssertionFailure() << column << " absent but reference has " << expected;
    return std::visit(
        [&](auto member) -> ::testing::AssertionResult {
            const auto &slot = a.candidate.*member;
            using T = typename std::remove_reference_t<decltype(slot)>::value_type;
            if (expected.empty()) {
                if (slot) return ::testing::AssertionFailure() << column << " should be null";
                return ::testing::AssertionSuccess();
            }
            if (!slot) return ::testing::AssertionFailure() << column << " is null, expected " << expected;
            if constexpr (std::is_same_v<T, std::string>) {
                if (*slot != expected) return ::testing::AssertionFailure() << column << ": " << *slot << " != " << expected;
            } else if constexpr (std::is_same_v<T, float>) {
                // The reference is the float32 widened to double: narrowing it back must give our value exactly.
                float want = static_cast<float>(std::strtod(expected.c_str(), nullptr));
                if (std::memcmp(&want, &*slot, sizeof want) != 0)
                    return ::testing::AssertionFailure() << column << ": " << *slot << " != " << expected;
                if (static_cast<double>(*slot) != std::strtod(expected.c_str(), nullptr))
                    return ::testing::AssertionFailure() << column << ": widened value differs from " << expected;
            } else if constexpr (std::is_same_v<T, double>) {
                if (*slot != std::strtod(expected.c_str(), nullptr))
                    return ::testing::AssertionFailure() << column << ": " << *slot << " != " << expected;
            } else {
                if (*slot != std::stoll(expected))
                    return ::testing::AssertionFailure() << column << ": " << *slot << " != " << expected;
            }
            return ::testing::AssertionSuccess();
        },
        fields[static_cast<size_t>(idx)].member);
}

TEST(DecodeIndex, EveryAlertMatchesReference) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/index.csv");
    auto root = testing::SharedDataDir() / "ztf-alerts";
    std::ifstream in(root / "index.csv");
    std::string line;
    std::getline(in, line);
    auto header = testing::SplitCsvLine(line);
    ASSERT_EQ(header.front(), "file");
    AvroAlertDecoder decoder;
    size_t rows = 0;
    while (std::getline(in, line)) {
        auto cells = testing::SplitCsvLine(line);
        ASSERT_EQ(cells.size(), header.size()) << line;
        ++rows;
        auto packet = decoder.DecodeFile(root / cells[0]);
        ASSERT_FALSE(packet.error) << packet.error->message;
        ASSERT_EQ(packet.alerts.size(), 1u) << cells[0];
        const Alert &a = packet.alerts[0];
        for (size_t c = 1; c < header.size(); ++c) {
            const std::string &col = header[c], &want = cells[c];
            SCOPED_TRACE(cells[0] + " column " + col);
            if (col == "objectId") {
                EXPECT_EQ(a.objectId, want);
            } else if (col == "candid") {
                EXPECT_EQ(a.candid, std::stoll(want));
                EXPECT_EQ(a.candidate.candid.value_or(-1), a.candid);
            } else if (col == "n_prv_candidates") {
                ASSERT_TRUE(a.prv_candidates.has_value());
                EXPECT_EQ(std::to_string(a.prv_candidates->size()), want);
            } else if (col == "schemavsn") {
                EXPECT_EQ(a.schemavsn.value_or("NA"), want);
            } else {
                EXPECT_TRUE(Matches(a, col, want));
            }
        }
    }
    EXPECT_GT(rows, 800u);
    // The corpus has writer schemas of many versions; all were planned once.
    EXPECT_GE(decoder.SchemaCount(), 10u);
}

}  // namespace
}  // namespace rivulet
