// `rivulet features`, `period` and `dmdt` run as a user runs them.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/run_command.hpp"
#include "lightcurve/test_curves.hpp"
#include "support/temp_dir.hpp"

namespace rivulet::testing {
namespace {

//! Two objects in two bands plus a 2-point object, as a long table.
std::filesystem::path WriteTable(const TempDir &dir) {
    const auto path = dir / "lc.csv";
    std::ofstream out(path);
    out.precision(12);
    out << "oid,jd,mag,magerr,fid\n";
    int k = 0;
    for (const std::string id : {"A", "B"}) {
        for (const std::string band : {"g", "r"}) {
            const auto s = MakeCurve(80, id == "A" ? 0.613 : 0.77, 120, 0.4, 0.03, ++k);
            for (std::size_t i = 0; i < s.size(); ++i) out << id << "," << s.t[i] << "," << s.mag[i] << "," << s.err[i] << "," << band << "\n";
        }
    }
    out << "C,1,15,0.1,g\nC,2,15.1,0.1,g\n";
    return path;
}

std::vector<std::string> Lines(const std::string &s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

TEST(LightcurveCli, PeriodFindsEachObjectsPeriodAndNamesFailures) {
    TempDir dir;
    const auto table = WriteTable(dir);
    auto r = RunRivulet("period " + Quote(table) + " --id oid --time jd --err magerr --band fid --pmin 0.2 --threads 2");
    EXPECT_EQ(r.exit_code, 2);  // C has too few points
    const auto lines = Lines(r.out);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].rfind("id,period,power,fap,period_2", 0), 0u);
    EXPECT_NEAR(std::stod(lines[1].substr(2)), 0.613, 6e-4);
    EXPECT_NEAR(std::stod(lines[2].substr(2)), 0.77, 8e-4);
    EXPECT_NE(lines[3].find("too_few_points"), std::string::npos);
}

TEST(LightcurveCli, FeaturesOneRowPerIdWithBandSuffixes) {
    TempDir dir;
    const auto table = WriteTable(dir);
    auto r = RunRivulet("features " + Quote(table) + " --id oid --time jd --err magerr --band fid --no-period --out " +
                        Quote(dir / "f.csv"));
    EXPECT_EQ(r.exit_code, 0);
    std::ifstream in(dir / "f.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    const auto lines = Lines(ss.str());
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].rfind("id,observation_count_g,amplitude_g", 0), 0u);
    EXPECT_NE(lines[0].find("mean_color_g_r"), std::string::npos);
    EXPECT_NE(lines[3].find("too_few_points"), std::string::npos);  // C: its notes say why cells are empty
}

TEST(LightcurveCli, DmdtWritesArraysAndPictures) {
    TempDir dir;
    const auto table = WriteTable(dir);
    auto r = RunRivulet("dmdt " + Quote(table) + " --id oid --time jd --err magerr --band fid --out " + Quote(dir / "d"));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(std::filesystem::exists(dir / "d" / "A_g.npy"));
    EXPECT_TRUE(std::filesystem::exists(dir / "d" / "B_r.png"));
    EXPECT_TRUE(std::filesystem::exists(dir / "d" / "C_g.png"));
}

TEST(LightcurveCli, UnknownColumnAndMethodAreClearErrors) {
    TempDir dir;
    const auto table = WriteTable(dir);
    auto r = RunRivulet("period " + Quote(table) + " --method nope", (dir / "err.txt").string());
    EXPECT_EQ(r.exit_code, 1);
    std::ifstream in(dir / "err.txt");
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_NE(ss.str().find("unknown period method 'nope'"), std::string::npos) << ss.str();

    r = RunRivulet("period " + Quote(table) + " --prior cepheid", (dir / "err2.txt").string());
    EXPECT_EQ(r.exit_code, 1);
    std::ifstream in2(dir / "err2.txt");
    std::stringstream ss2;
    ss2 << in2.rdbuf();
    EXPECT_NE(ss2.str().find("unknown period prior 'cepheid'"), std::string::npos) << ss2.str();
}

TEST(LightcurveCli, PeriodTakesTheFittedJitterAndTheRrLyraePrior) {
    TempDir dir;
    const auto table = WriteTable(dir);
    auto r = RunRivulet("period " + Quote(table) +
                        " --id oid --time jd --err magerr --band fid --pmin 0.2 --threads 2 --fit-jitter 1 --prior rrlyrae");
    EXPECT_EQ(r.exit_code, 2);  // C has too few points
    const auto lines = Lines(r.out);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_NEAR(std::stod(lines[1].substr(2)), 0.613, 6e-4);
    EXPECT_NEAR(std::stod(lines[2].substr(2)), 0.77, 8e-4);
}

}  // namespace
}  // namespace rivulet::testing
