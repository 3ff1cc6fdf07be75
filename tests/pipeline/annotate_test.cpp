// The enrich stage during ingest and consume: every real alert of ../shared is stored with the score of a
// configured tree model on candidate fields and with its nearest source in a configured catalog, exactly
// what the model and the matcher give when called directly; consume publishes the same annotations on
// the annotated stream (read back with python3-avro); a bad configuration stops the run before any alert.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "alert/avro_alert_decoder.hpp"
#include "common/error.hpp"
#include "ml/alert_scorer.hpp"
#include "ml/model_file.hpp"
#include "ml/training.hpp"
#include "pipeline/consume.hpp"
#include "pipeline/ingest.hpp"
#include "store/sqlite_store.hpp"
#include "stream/kafka_producer.hpp"
#include "stream/packet_source.hpp"
#include "support/bad_inputs.hpp"
#include "support/kafka_mock_cluster.hpp"
#include "support/shared_data.hpp"
#include "support/temp_dir.hpp"
#include "support/topic_to_files.hpp"
#include "xmatch/catalog_import.hpp"
#include "xmatch/catalog_matcher.hpp"

namespace rivulet {
namespace {

namespace fs = std::filesystem;

std::vector<Alert> DecodeAll(const fs::path &dir) {
    std::vector<Alert> out;
    AvroAlertDecoder decoder;
    auto src = OpenInputs({dir});
    RawPacket p;
    while (src->Next(p))
        if (!p.error)
            for (auto &a : decoder.Decode(p.bytes, p.name).alerts) out.push_back(std::move(a));
    return out;
}

// A real/bogus-like model on candidate fields, trained on the alerts themselves (label: rb > 0.5);
// what it learns does not matter here, only that ingest stores exactly its scores.
fs::path TrainCandidateModel(const std::vector<Alert> &alerts, const fs::path &out) {
    ml::Dataset ds;
    ds.source = "test";
    ds.feature_names = {"magpsf", "sigmapsf", "fwhm", "elong", "isdiffpos"};
    ds.class_names = {"0", "1"};
    for (const Alert &a : alerts) {
        const Candidate &c = a.candidate;
        if (!c.magpsf || !c.sigmapsf || !c.fwhm || !c.elong || !c.isdiffpos || !c.rb) continue;
        const bool positive = *c.isdiffpos == "t" || *c.isdiffpos == "1";
        ds.x.insert(ds.x.end(), {*c.magpsf, *c.sigmapsf, *c.fwhm, *c.elong, positive ? 1.0f : 0.0f});
        ds.y.push_back(*c.rb > 0.5f ? 1 : 0);
    }
    ml::TrainSpec spec = ml::DefaultTrainSpec(ml::Algorithm::kExtraTrees);
    spec.forest.n_trees = 20;
    spec.forest.allow_missing = true;
    ml::Model m;
    m.classifier = ml::TrainClassifier(spec, ds);
    m.header.features = ds.feature_names;
    m.header.classes = ds.class_names;
    m.header.params = m.classifier->Params();
    m.header.provenance.training_set = "annotate_test";
    m.header.provenance.t = 9;
    ml::SaveModel(m, out);
    return out;
}

// A catalog of sources near some alerts (within 0.5-2.5″) and far from others.
fs::path BuildCatalog(const std::vector<Alert> &alerts, const fs::path &dir) {
    const fs::path csv = dir / "near.csv";
    {
        std::ofstream out(csv);
        out << "ra,dec,label\n";
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> off(0.5, 2.5), angle(0, 2 * M_PI);
        for (size_t i = 0; i < alerts.size(); i += 3) {
            const double r = off(rng) / 3600.0, t = angle(rng);
            const double dec = *alerts[i].candidate.dec + r * std::sin(t);
            const double ra = *alerts[i].candidate.ra + r * std::cos(t) / std::cos(dec * M_PI / 180);
            out.precision(12);
            out << std::fmod(ra + 360.0, 360.0) << "," << dec << ",src" << i << "\n";
        }
        out << "0.5,-89.9,far\n";
    }
    xmatch::ImportOptions o;
    o.input = csv;
    o.output = dir / "near.rvc";
    o.name = "near";
    o.keep = {"label"};
    xmatch::ImportCatalog(o);
    return o.output;
}

TEST(Annotate, IngestStoresTheModelsScoresAndTheNearestCatalogMatch) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts/pitt-google");
    testing::TempDir tmp;
    const fs::path dir = testing::SharedDataDir() / "ztf-alerts/alerts";
    const auto alerts = DecodeAll(dir);
    ASSERT_GT(alerts.size(), 800u);
    const fs::path model = TrainCandidateModel(alerts, tmp / "rb.rvm");
    const fs::path catalog = BuildCatalog(alerts, tmp.path());

    // The configuration names the files relative to itself.
    {
        std::ofstream cfg(tmp / "rivulet.toml");
        cfg << "[[score]]\nmodel = \"rb.rvm\"\n\n[[xmatch]]\nname = \"near\"\ncatalog = \"near.rvc\"\nradius_arcsec = 3.0\n";
    }
    const PipelineConfig config = LoadPipelineConfig(tmp / "rivulet.toml");
    auto store = OpenSqliteStore(tmp / "alerts.db");
    auto source = OpenInputs({dir});
    const IngestLedger ledger = Ingest(*store, config).Run(*source);
    ASSERT_TRUE(ledger.Reconciles());
    ASSERT_GT(ledger.stored, 500u);

    // The same model and matcher, called directly.
    const ml::AlertScorer scorer(ml::LoadModel(model));
    const xmatch::CatalogMatcher matcher({{"near", catalog, 3.0}});
    size_t checked = 0, scored = 0, matched = 0;
    std::map<int64_t, bool> seen;
    for (const Alert &a : alerts) {
        auto stored = store->GetAlert(a.candid);
        if (!stored || seen[a.candid]) continue;  // cut, or a second copy of a candid
        seen[a.candid] = true;
        ++checked;
        const auto direct = scorer.Score(std::span(&a, 1));
        const auto &sc = stored->annotations.scores;
        if (direct[0].ok()) {
            ASSERT_EQ(sc.size(), 1u) << a.candid;
            EXPECT_EQ(sc[0].model, "t9_f1_c2");
            EXPECT_EQ(sc[0].score, direct[0]->score) << a.candid;
            ++scored;
        } else {
            EXPECT_TRUE(sc.empty()) << a.candid;
        }
        const auto m = matcher.Match(std::vector<xmatch::SkyPosition>{{*a.candidate.ra, *a.candidate.dec}});
        const auto &xm = stored->annotations.xmatch;
        ASSERT_EQ(xm.size(), m[0].size()) << a.candid;
        if (!xm.empty()) {
            EXPECT_EQ(xm[0].catalog, "near");
            EXPECT_EQ(xm[0].cat_row, static_cast<int64_t>(m[0][0].cat_row));
            EXPECT_EQ(xm[0].sep_arcsec, m[0][0].sep_arcsec);
            EXPECT_LE(xm[0].sep_arcsec, 3.0);
            ++matched;
        }
    }
    EXPECT_EQ(checked, static_cast<size_t>(store->Stats().alerts));
    EXPECT_EQ(store->Stats().scored.at("t9_f1_c2"), static_cast<int64_t>(scored));
    EXPECT_EQ(store->Stats().matched.at("near"), static_cast<int64_t>(matched));
    // About a third of the alerts have a source put near them (some objects repeat, so more match).
    EXPECT_GT(matched, checked / 4);
    EXPECT_LT(matched, checked);
    uint64_t not_scored = 0;
    for (const auto &[k, n] : ledger.not_scored) not_scored += n;
    // Each accepted alert (stored or a duplicate) is scored or counted; the distinct ones stored split so.
    EXPECT_LE(scored + not_scored, ledger.stored + ledger.duplicates);
    EXPECT_GE(scored + not_scored, checked);
}

TEST(Annotate, ConsumePublishesTheStoredAnnotations) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts/alerce");
    testing::TempDir tmp;
    const auto all = DecodeAll(testing::SharedDataDir() / "ztf-alerts/alerts");
    TrainCandidateModel(all, tmp / "rb.rvm");
    const auto some = DecodeAll(testing::SharedDataDir() / "ztf-alerts/alerts/alerce");
    BuildCatalog(some, tmp.path());
    const PipelineConfig config = ParsePipelineConfig(
        "[[score]]\nmodel = \"rb.rvm\"\n[[xmatch]]\ncatalog = \"near.rvc\"\n", "test.toml", tmp.path());

    testing::KafkaMockCluster kafka(3);
    kafka.CreateTopic("in", 4);
    kafka.CreateTopic("annotated", 2);
    {
        KafkaProducer producer(kafka.bootstraps(), {});
        auto src = OpenInputs({testing::SharedDataDir() / "ztf-alerts/alerts/alerce"});
        RawPacket p;
        for (int i = 0; src->Next(p); ++i)
            if (!p.error) producer.Produce("in", p.bytes, std::to_string(i));
        producer.Flush();
    }
    auto store = OpenSqliteStore(tmp / "a.db");
    ConsumeOptions o;
    o.kafka.brokers = kafka.bootstraps();
    o.kafka.topics = {"in"};
    o.kafka.group = "ann";
    o.kafka.properties = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
    o.exit_at_end = true;
    o.dead_letter_dir = tmp / "dlq";
    o.produce_topic = "annotated";
    const IngestLedger l = Consume(*store, config, o).Run();
    ASSERT_GT(l.stored, 0u);

    // Read the annotated topic back and decode it with python3-avro.
    const fs::path dir = tmp / "annotated";
    ASSERT_EQ(testing::TopicToFiles(kafka.bootstraps(), "annotated", l.stored, dir), l.stored);
    {
        std::ofstream py(tmp / "read.py");
        py << "import sys, glob, json, avro.datafile, avro.io\n"
              "for f in sorted(glob.glob(sys.argv[1] + '/*.avro')):\n"
              "    for rec in avro.datafile.DataFileReader(open(f, 'rb'), avro.io.DatumReader()):\n"
              "        a = rec['annotations']\n"
              "        print(json.dumps({'candid': rec['candid'], 'scores': a['scores'], 'xmatch': a['xmatch']}))\n";
    }
    const std::string cmd = "/usr/bin/python3 '" + (tmp / "read.py").string() + "' '" + dir.string() + "' > '" +
                            (tmp / "out.jsonl").string() + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "python3-avro could not read the annotated stream";
    std::ifstream out(tmp / "out.jsonl");
    std::string line;
    size_t records = 0, with_match = 0;
    while (std::getline(out, line)) {
        const auto j = nlohmann::json::parse(line);
        const auto stored = store->GetAlert(j["candid"].get<int64_t>());
        ASSERT_TRUE(stored);
        ++records;
        // What was published is what was stored, number for number.
        ASSERT_EQ(j["scores"].size(), stored->annotations.scores.size());
        for (const auto &sc : stored->annotations.scores) EXPECT_EQ(j["scores"][sc.model].get<double>(), sc.score);
        ASSERT_EQ(j["xmatch"].size(), stored->annotations.xmatch.size());
        for (size_t k = 0; k < stored->annotations.xmatch.size(); ++k) {
            EXPECT_EQ(j["xmatch"][k]["catalog"], stored->annotations.xmatch[k].catalog);
            EXPECT_EQ(j["xmatch"][k]["cat_row"].get<int64_t>(), stored->annotations.xmatch[k].cat_row);
            EXPECT_EQ(j["xmatch"][k]["sep_arcsec"].get<double>(), stored->annotations.xmatch[k].sep_arcsec);
            ++with_match;
        }
    }
    EXPECT_EQ(records, l.stored);
    EXPECT_GT(with_match, 0u);
    EXPECT_EQ(store->Stats().scored.at("t9_f1_c2") + static_cast<int64_t>([&] {
                  uint64_t n = 0;
                  for (const auto &[k, v] : l.not_scored) n += v;
                  return n;
              }()),
              static_cast<int64_t>(l.stored));
}

TEST(Annotate, BadConfigurationStopsTheRunBeforeAnyAlert) {
    RIVULET_REQUIRE_SHARED("ztf-alerts/alerts/pitt-google");
    testing::TempDir tmp;
    auto run = [&](const std::string &toml) {
        auto store = OpenSqliteStore(tmp / "alerts.db");
        auto source = OpenInputs({testing::SharedDataDir() / "ztf-alerts/alerts/pitt-google"});
        const PipelineConfig config = ParsePipelineConfig(toml, "test.toml", tmp.path());
        try {
            Ingest(*store, config).Run(*source);
            ADD_FAILURE() << "ran with: " << toml;
        } catch (const RivuletError &e) {
            EXPECT_EQ(store->Stats().alerts, 0);
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(run("[[xmatch]]\ncatalog = \"missing.rvc\"\n").find("missing.rvc"), std::string::npos);
    EXPECT_NE(run("[[score]]\nmodel = \"missing.rvm\"\n").find("missing.rvm: no such file"), std::string::npos);
    // A model whose features are not candidate fields.
    {
        ml::Dataset ds;
        ds.feature_names = {"not_a_field"};
        ds.class_names = {"0", "1"};
        for (int i = 0; i < 20; ++i) ds.x.push_back(static_cast<float>(i)), ds.y.push_back(i % 2);
        ml::TrainSpec spec = ml::DefaultTrainSpec(ml::Algorithm::kExtraTrees);
        spec.forest.n_trees = 2;
        ml::Model m;
        m.classifier = ml::TrainClassifier(spec, ds);
        m.header.features = ds.feature_names;
        m.header.classes = ds.class_names;
        m.header.params = m.classifier->Params();
        ml::SaveModel(m, tmp / "other.rvm");
    }
    EXPECT_NE(run("[[score]]\nmodel = \"other.rvm\"\n").find("not_a_field"), std::string::npos);
}

}  // namespace
}  // namespace rivulet
