#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "pipeline/pipeline_config.hpp"

namespace rivulet {
namespace {

TEST(PipelineConfig, DefaultsAreThePapersValues) {
    PipelineConfig c = ParsePipelineConfig("", "empty.toml");
    EXPECT_EQ(c.cuts.rb_max_magpsf, 23.5);
    EXPECT_EQ(c.cuts.rb_max_nbad, 4);
    EXPECT_EQ(c.cuts.rb_max_fwhm, 7.0);
    EXPECT_EQ(c.cuts.rb_max_elong, 1.6);
    EXPECT_EQ(c.cuts.rb_min_magap_minus_magpsf, -0.75);
    EXPECT_EQ(c.cuts.rb_max_magap_minus_magpsf, 0.4);
    EXPECT_EQ(c.cuts.min_detection_snr, 5.0);
    EXPECT_EQ(c.cuts.max_negative_pixels, 13);
    EXPECT_EQ(c.cuts.max_bad_pixels, 7);
}

TEST(PipelineConfig, DefaultFileParsesToDefaults) {
    PipelineConfig c = ParsePipelineConfig(DefaultConfigToml(), "default.toml");
    EXPECT_EQ(c.cuts.max_flux_ratio, 1.5);
    EXPECT_EQ(c.ingest.batch_size, IngestConfig{}.batch_size);
}

TEST(PipelineConfig, OverridesApply) {
    PipelineConfig c = ParsePipelineConfig("[cuts]\nrb_max_fwhm = 5\nrealbogus = false\n[ingest]\nbatch_size = 10\n", "x");
    EXPECT_EQ(c.cuts.rb_max_fwhm, 5.0);
    EXPECT_FALSE(c.cuts.realbogus);
    EXPECT_EQ(c.ingest.batch_size, 10);
}

void ExpectConfigError(const std::string &text, const std::string &needle) {
    try {
        ParsePipelineConfig(text, "bad.toml");
        ADD_FAILURE() << "accepted: " << text;
    } catch (const RivuletError &e) {
        EXPECT_EQ(e.kind(), ErrorKind::kConfig);
        std::string msg = e.what();
        EXPECT_NE(msg.find("bad.toml"), std::string::npos) << msg;
        EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
}

TEST(PipelineConfig, ErrorsNameFileAndKey) {
    ExpectConfigError("[cuts]\nrb_max_fwhn = 5\n", "rb_max_fwhn");        // typo: unknown key
    ExpectConfigError("[cutz]\n", "cutz");                                 // unknown section
    ExpectConfigError("[cuts]\nrb_max_nbad = 4.5\n", "rb_max_nbad");       // wrong type
    ExpectConfigError("[cuts]\nrealbogus = 1\n", "realbogus");
    ExpectConfigError("[cuts]\nrb_max_fwhm = nan\n", "rb_max_fwhm");
    ExpectConfigError("[cuts\n", "line");                                  // TOML syntax
    ExpectConfigError("[ingest]\nbatch_size = 0\n", "batch_size");
}

TEST(PipelineConfig, AnnotationsAreListsWithPathsFromTheConfigFolder) {
    auto c = ParsePipelineConfig(
        "[[xmatch]]\nname = \"gcvs\"\ncatalog = \"cat/gcvs.rvc\"\nradius_arcsec = 2\n"
        "[[xmatch]]\ncatalog = \"/abs/bts.rvc\"\n"
        "[[score]]\nmodel = \"rb.rvm\"\n",
        "a.toml", "/etc/rivulet");
    ASSERT_EQ(c.xmatch.size(), 2u);
    EXPECT_EQ(c.xmatch[0].name, "gcvs");
    EXPECT_EQ(c.xmatch[0].catalog, "/etc/rivulet/cat/gcvs.rvc");
    EXPECT_EQ(c.xmatch[0].radius_arcsec, 2.0);
    EXPECT_EQ(c.xmatch[1].name, "");
    EXPECT_EQ(c.xmatch[1].catalog, "/abs/bts.rvc");
    EXPECT_EQ(c.xmatch[1].radius_arcsec, 3.0);
    ASSERT_EQ(c.score.size(), 1u);
    EXPECT_EQ(c.score[0].model, "/etc/rivulet/rb.rvm");
    EXPECT_TRUE(ParsePipelineConfig("", "empty.toml").xmatch.empty());

    ExpectConfigError("[xmatch]\ncatalog = \"a.rvc\"\n", "[[xmatch]]");          // a table, not a list
    ExpectConfigError("[[xmatch]]\nname = \"x\"\n", "catalog is required");
    ExpectConfigError("[[xmatch]]\ncatalog = \"a.rvc\"\nradius = 3\n", "radius");  // typo
    ExpectConfigError("[[xmatch]]\ncatalog = \"a.rvc\"\nradius_arcsec = -1\n", "radius_arcsec");
    ExpectConfigError("[[xmatch]]\ncatalog = 5\n", "catalog");
    ExpectConfigError("[[score]]\nmodle = \"a.rvm\"\n", "modle");
    ExpectConfigError("[[score]]\n", "model is required");
}

// docs/CONFIGURATION.md shows the generated default file; keep them the same.
TEST(PipelineConfig, DocumentationIsCurrent) {
    std::ifstream in(std::string(RIVULET_SOURCE_DIR) + "/docs/CONFIGURATION.md");
    ASSERT_TRUE(in) << "docs/CONFIGURATION.md missing";
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_NE(ss.str().find(DefaultConfigToml()), std::string::npos)
        << "docs/CONFIGURATION.md does not contain the output of `rivulet config`; regenerate it";
}

}  // namespace
}  // namespace rivulet
