// Cutouts of real ZTF alerts decode to exactly what the reference decoders give: astropy for FITS (bit for
// bit, NaN positions included) and Pillow for JPEG (the same libjpeg underneath, so also exact). The stamps
// and reference pixels are dumped by dump_stamps.py, run with Debian's /usr/bin/python3 (python3-avro,
// python3-astropy, python3-pil).

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "image/cutout_codec.hpp"
#include "image/png_writer.hpp"
#include "support/shared_data.hpp"
#include "test_images.hpp"

namespace rivulet {
namespace {

constexpr const char *kPython = "/usr/bin/python3";

// Every alert with a smaller-than-63 stamp in the corpus, some JPEG (v1.3/v1.5) alerts, and a stride over
// index.csv for breadth across schema versions and years.
const char *const kAlerts[] = {
    "alerts/ampel-core/recent_alerts_20180615/522193343315015001.avro",   // 55x63
    "alerts/ampel-core/ztf_public_20180819_mod1000/595277915515015000.avro",  // 63x51
    "alerts/fink-alert-simulator/20181128/697251920715010005.avro",       // 63x53
    "alerts/fink-alert-simulator/20181128/697252382115010005.avro",       // 44x63
    "alerts/fink-alert-simulator/20181128/697252842615010004.avro",       // 50x63
    "alerts/fink-alert-simulator/20181128/697252844715015001.avro",       // 48x63
    "alerts/ztf-avro-alert/v1.8/396522680015040001.avro",                 // 63x41
    "alerts/ztf-avro-alert/v1.8/396522680015040002.avro",                 // 63x45
    "alerts/ztf-avro-alert/v3.0/472263571115115014.avro",                 // 53x63
    "alerts/ampel-core/real_201712/347404790615015003.avro",              // JPEG, v1.3
    "alerts/ampel-core/real_201712/351400271115015007.avro",              // JPEG, v1.3
};
// RIVULET_IMAGE_STAMP_EVERY=1 checks every alert of the corpus (about 3,000 stamps, a minute or two).
int Every() {
    const char *env = std::getenv("RIVULET_IMAGE_STAMP_EVERY");
    return env && std::atoi(env) > 0 ? std::atoi(env) : 10;
}

std::vector<std::uint8_t> ReadFile(const std::filesystem::path &p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Stamp {
    std::string index, file, field, format;
    int width = 0, height = 0;
    bool has_reference = false;
};

class RealStamps : public ::testing::Test {
protected:
    void SetUp() override {
        RIVULET_REQUIRE_SHARED("ztf-alerts/alerts");
        if (!std::filesystem::exists(kPython)) GTEST_SKIP() << kPython << " missing";
        dir_ = std::filesystem::temp_directory_path() / ("rivulet_image_stamps_" + std::to_string(::getpid()));
        const auto script = std::filesystem::path(RIVULET_SOURCE_DIR) / "tests" / "image" / "dump_stamps.py";
        std::string cmd = std::string(kPython) + " '" + script.string() + "' '" + dir_.string() + "' '" +
                          (testing::SharedDataDir() / "ztf-alerts").string() + "' --every " + std::to_string(Every());
        for (const char *a : kAlerts) {
            if (std::filesystem::exists(testing::SharedDataDir() / "ztf-alerts" / a)) cmd += std::string(" ") + a;
        }
        cmd += " 2>&1";
        std::string output;
        FILE *p = ::popen(cmd.c_str(), "r");
        ASSERT_NE(p, nullptr);
        char buf[512];
        while (std::fgets(buf, sizeof buf, p)) output += buf;
        const int rc = ::pclose(p);
        if (WIFEXITED(rc) && WEXITSTATUS(rc) == 3) {
            if (testing::UnderCi()) FAIL() << "reference decoder unavailable: " << output;
            GTEST_SKIP() << "reference decoder unavailable (needs python3-avro, python3-astropy): " << output;
        }
        ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd << "\n" << output;
        std::ifstream manifest(dir_ / "manifest.tsv");
        std::string line;
        while (std::getline(manifest, line)) {
            std::istringstream in(line);
            Stamp s;
            std::string w, h, ref;
            std::getline(in, s.index, '\t');
            std::getline(in, s.file, '\t');
            std::getline(in, s.field, '\t');
            std::getline(in, s.format, '\t');
            std::getline(in, w, '\t');
            std::getline(in, h, '\t');
            std::getline(in, ref, '\t');
            s.width = std::stoi(w);
            s.height = std::stoi(h);
            s.has_reference = ref == "1";
            stamps_.push_back(s);
        }
    }
    void TearDown() override {
        std::error_code ignored;
        if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
    }

    Image Reference(const Stamp &s) const {
        const auto bytes = ReadFile(dir_ / (s.index + ".f32"));
        Image im;
        im.width = s.width;
        im.height = s.height;
        im.pixels.resize(bytes.size() / sizeof(float));
        std::memcpy(im.pixels.data(), bytes.data(), im.pixels.size() * sizeof(float));  // little-endian host
        return im;
    }

    std::filesystem::path dir_;
    std::vector<Stamp> stamps_;
};

TEST_F(RealStamps, DecodeMatchesReferenceBitForBit) {
    ASSERT_GT(stamps_.size(), 100u);
    std::map<std::string, int> by_format;
    int small = 0, with_nan = 0, jpeg_checked = 0;  // small: chip-edge FITS stamps
    for (const auto &s : stamps_) {
        SCOPED_TRACE(s.file + " " + s.field);
        const auto raw = ReadFile(dir_ / (s.index + ".raw"));
        EXPECT_STREQ(CutoutFormatName(DetectCutoutFormat(testing::Bytes(raw))), s.format.c_str());
        auto out = DecodeCutout(testing::Bytes(raw));
        ASSERT_TRUE(out.ok()) << out.error().reason << ": " << out.error().message;
        ++by_format[s.format];
        if (!s.has_reference) {
            // No Pillow: the JPEG must at least have a plausible shape and 8-bit values.
            EXPECT_GT(out->width, 0);
            for (float v : out->pixels) ASSERT_TRUE(v >= 0 && v <= 255);
            continue;
        }
        EXPECT_EQ(out->width, s.width);
        EXPECT_EQ(out->height, s.height);
        EXPECT_TRUE(testing::SamePixels(Reference(s), *out));
        if (s.format == "jpeg") ++jpeg_checked;
        if (s.format != "jpeg" && (s.width < 63 || s.height < 63)) ++small;
        for (float v : out->pixels) {
            if (std::isnan(v)) {
                ++with_nan;
                break;
            }
        }
    }
    // The sample must really cover what the test claims to cover.
    EXPECT_GE(by_format["gzip-fits"], 100);
    EXPECT_GE(by_format["jpeg"], 6);
    EXPECT_GE(small, 27);
    EXPECT_GT(with_nan, 0);
    if (jpeg_checked == 0) std::printf("note: Pillow missing, JPEG stamps checked for shape only\n");
    std::printf("checked %zu stamps: %d gzip-fits, %d jpeg (%d against Pillow), %d FITS smaller than 63x63, %d with NaN\n",
                stamps_.size(), by_format["gzip-fits"], by_format["jpeg"], jpeg_checked, small, with_nan);
}

// Pictures of real stamps render; set RIVULET_IMAGE_PNG_DIR to keep them for a look.
TEST_F(RealStamps, TripletPngsRender) {
    std::map<std::string, std::map<std::string, Image>> by_alert;
    for (const auto &s : stamps_) {
        if (s.file.find("v1.8/396522680015040001") == std::string::npos &&
            s.file.find("real_201712/347404790615015003") == std::string::npos &&
            s.file.find("697252382115010005") == std::string::npos)
            continue;
        auto out = DecodeCutout(testing::Bytes(ReadFile(dir_ / (s.index + ".raw"))));
        ASSERT_TRUE(out.ok());
        by_alert[s.file][s.field] = std::move(*out);
    }
    ASSERT_EQ(by_alert.size(), 3u);
    const char *keep = std::getenv("RIVULET_IMAGE_PNG_DIR");
    const std::filesystem::path out_dir = keep && *keep ? std::filesystem::path(keep) : dir_;
    for (auto &[file, f] : by_alert) {
        const auto name = std::filesystem::path(file).stem().string() + "_triplet.png";
        WriteTripletPng(&f["cutoutScience"], &f["cutoutTemplate"], &f["cutoutDifference"], out_dir / name);
        EXPECT_GT(std::filesystem::file_size(out_dir / name), 1000u);
    }
}

}  // namespace
}  // namespace rivulet
