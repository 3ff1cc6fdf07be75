// The simulator's packets are real ZTF v4.02 alerts: they decode with our decoder and with the Avro
// reference implementation (Debian python3-avro), are reproducible for a seed, have ZTF-like values, and each
// object's history is one consistent light curve.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "alert/avro_alert_decoder.hpp"
#include "common/error.hpp"
#include "image/cutout_codec.hpp"
#include "sim/alert_simulator.hpp"
#include "sim/embedded_schema.hpp"
#include "support/temp_dir.hpp"

namespace rivulet {
namespace {

SimulationOptions SmallNight(uint64_t seed = 7) {
    SimulationOptions o;
    o.night_jd = NightStartJd(2454);
    o.n_alerts = 300;
    o.seed = seed;
    return o;
}

std::vector<uint8_t> Slurp(const std::filesystem::path &p) {
    auto r = ReadFileBytes(p);
    EXPECT_TRUE(r.ok()) << p;
    return r.ok() ? r.value() : std::vector<uint8_t>{};
}

std::vector<std::string> SchemaFieldNames(const char *record) {
    auto schema = nlohmann::json::parse(ZtfAlertSchemaJson());
    std::vector<std::string> names;
    std::function<void(const nlohmann::json &)> walk = [&](const nlohmann::json &j) {
        if (j.is_object()) {
            if (j.contains("type") && j["type"] == "record" && j.contains("name") && j["name"] == record)
                for (const auto &f : j["fields"]) names.push_back(f["name"]);
            for (const auto &[k, v] : j.items()) walk(v);
        } else if (j.is_array()) {
            for (const auto &v : j) walk(v);
        }
    };
    walk(schema);
    return names;
}

// True when the candidate would survive the usual real/bogus pre-filter (AMPEL/ALeRCE-style cuts).
bool PassesCuts(const Candidate &c) {
    return *c.rb >= 0.3 && *c.fwhm <= 5.0 && *c.nbad == 0 && *c.elong <= 1.4 && *c.magdiff >= -0.75 && *c.magdiff <= 0.4;
}

class SimulatedNight : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new testing::TempDir();
        summary_ = new SimulationSummary(WriteSimulatedNight(SmallNight(), dir_->path() / "night"));
        AvroAlertDecoder decoder;
        decoded_ = new std::vector<Alert>();
        for (const auto &f : summary_->files) {
            DecodedPacket p = decoder.DecodeFile(f);
            EXPECT_FALSE(p.error) << f << ": " << (p.error ? p.error->message : "");
            EXPECT_EQ(p.alerts.size(), 1u) << f;
            for (Alert &a : p.alerts) decoded_->push_back(std::move(a));
        }
    }
    static void TearDownTestSuite() {
        delete decoded_;
        delete summary_;
        delete dir_;
    }
    static testing::TempDir *dir_;
    static SimulationSummary *summary_;
    static std::vector<Alert> *decoded_;
};
testing::TempDir *SimulatedNight::dir_ = nullptr;
SimulationSummary *SimulatedNight::summary_ = nullptr;
std::vector<Alert> *SimulatedNight::decoded_ = nullptr;

TEST(SimSchema, EmbeddedSchemaIsTheCheckedInFile) {
    std::ifstream f(std::string(RIVULET_SOURCE_DIR) + "/schema/ztf-avro-alert/4.02/alert.resolved.avsc");
    std::stringstream ss;
    ss << f.rdbuf();
    EXPECT_EQ(ss.str(), std::string(ZtfAlertSchemaJson()));
    EXPECT_EQ(SchemaFieldNames("candidate").size(), 103u);
    EXPECT_EQ(SchemaFieldNames("prv_candidate").size(), 57u);
    EXPECT_EQ(SchemaFieldNames("fp_hist").size(), 29u);
}

TEST(SimNight, NightIdsMatchZtf) {
    // A real v4.02 alert: jd 2460208.9609722 was taken in night 2454.
    EXPECT_EQ(NightId(2460208.9609722), 2454);
    EXPECT_EQ(NightId(NightStartJd(2454)), 2454);
    EXPECT_EQ(NightId(NightStartJd(2454) + 0.33), 2454);
}

TEST_F(SimulatedNight, EveryFileDecodesWithEveryV402CandidateField) {
    ASSERT_EQ(summary_->files.size(), 300u);
    ASSERT_EQ(decoded_->size(), 300u);
    EXPECT_TRUE(std::filesystem::exists(dir_->path() / "night" / "truth.csv"));
    const auto names = SchemaFieldNames("candidate");
    std::vector<int> index;
    for (const auto &n : names) {
        index.push_back(FindField(Candidate::Fields(), n));
        ASSERT_GE(index.back(), 0) << n;
    }
    for (const Alert &a : *decoded_) {
        EXPECT_EQ(a.SchemaVersion(), "4.02");
        EXPECT_EQ(a.writer_schema_version, "4.02");  // the schema text kept its `version` attribute
        EXPECT_EQ(a.publisher, "rivulet-sim");
        EXPECT_TRUE(a.has_fp_hists_field);
        EXPECT_EQ(summary_->files[&a - decoded_->data()].filename().string(), std::to_string(a.candid) + ".avro");
        EXPECT_EQ(a.candidate.candid, a.candid);
        for (size_t i = 0; i < names.size(); ++i) {
            const auto &spec = Candidate::Fields()[static_cast<size_t>(index[i])];
            EXPECT_TRUE(a.candidate.present.test(static_cast<size_t>(index[i]))) << names[i];
            // Real v4.02 packets have every candidate field non-null; so do ours.
            bool has = std::visit([&](auto m) { return (a.candidate.*m).has_value(); }, spec.member);
            EXPECT_TRUE(has) << a.candid << " " << names[i];
        }
        ASSERT_TRUE(a.prv_candidates);
        for (CutoutKind k : kCutoutKinds) {
            ASSERT_TRUE(a.cutout(k)) << a.candid;
            auto img = DecodeCutout(a.cutout(k)->stamp_data);
            ASSERT_TRUE(img.ok()) << img.error().message;
            EXPECT_LE(img->width, 63);
            EXPECT_LE(img->height, 63);
            EXPECT_GE(img->width, 32);
        }
    }
}

TEST_F(SimulatedNight, InMemoryAndOnDiskAgree) {
    const auto mem = SimulateNight(SmallNight());
    ASSERT_EQ(mem.size(), decoded_->size());
    for (size_t i = 0; i < mem.size(); ++i) {
        const Alert &m = mem[i].alert, &d = (*decoded_)[i];
        EXPECT_EQ(m.candid, d.candid);
        EXPECT_EQ(m.objectId, d.objectId);
        EXPECT_EQ(m.candidate.magpsf, d.candidate.magpsf);
        EXPECT_EQ(m.candidate.jd, d.candidate.jd);
        EXPECT_EQ(m.prv_candidates->size(), d.prv_candidates->size());
        EXPECT_EQ(m.fp_hists.has_value(), d.fp_hists.has_value());
        for (int k = 0; k < 3; ++k) EXPECT_EQ(m.cutouts[k]->stamp_data, d.cutouts[k]->stamp_data);
    }
}

TEST_F(SimulatedNight, ReferenceAvroImplementationReadsTheSameValues) {
    const char *python = "/usr/bin/python3";
    if (!std::filesystem::exists(python) || std::system("/usr/bin/python3 -c 'import avro.datafile' 2>/dev/null") != 0)
        GTEST_SKIP() << "Debian python3-avro not installed";
    const auto script = dir_->path() / "read.py";
    std::ofstream(script) << "import avro.datafile, avro.io, sys\n"
                             "for path in sys.argv[1:]:\n"
                             "    with open(path, 'rb') as f:\n"
                             "        for a in avro.datafile.DataFileReader(f, avro.io.DatumReader()):\n"
                             "            c = a['candidate']\n"
                             "            print(a['candid'], a['objectId'], repr(c['magpsf']), len(a['prv_candidates']),"
                             " a['schemavsn'], len(a['cutoutScience']['stampData']))\n";
    const auto out = dir_->path() / "python.txt";
    std::string cmd = std::string(python) + " " + script.string();
    for (const auto &f : summary_->files) cmd += " " + f.string();
    ASSERT_EQ(std::system((cmd + " > " + out.string()).c_str()), 0);
    std::ifstream in(out);
    for (const Alert &a : *decoded_) {
        int64_t candid = 0;
        std::string object_id, magpsf, vsn;
        size_t n_prv = 0, n_sci = 0;
        ASSERT_TRUE(in >> candid >> object_id >> magpsf >> n_prv >> vsn >> n_sci);
        EXPECT_EQ(candid, a.candid);
        EXPECT_EQ(object_id, a.objectId);
        // python reads the float widened to double; the float it came from must be ours exactly.
        EXPECT_EQ(static_cast<float>(std::strtod(magpsf.c_str(), nullptr)), *a.candidate.magpsf);
        EXPECT_EQ(n_prv, a.prv_candidates->size());
        EXPECT_EQ(vsn, "4.02");
        EXPECT_EQ(n_sci, a.cutout(CutoutKind::kScience)->stamp_data.size());
    }
}

TEST(SimDeterminism, SameSeedSameBytesOtherSeedOtherNight) {
    testing::TempDir dir;
    SimulationOptions o = SmallNight(11);
    o.n_alerts = 120;
    o.threads = 3;
    const auto a = WriteSimulatedNight(o, dir / "a");
    o.threads = 1;
    const auto b = WriteSimulatedNight(o, dir / "b");
    ASSERT_EQ(a.files.size(), b.files.size());
    for (size_t i = 0; i < a.files.size(); ++i) {
        EXPECT_EQ(a.files[i].filename(), b.files[i].filename());
        EXPECT_EQ(Slurp(a.files[i]), Slurp(b.files[i])) << a.files[i];
    }
    o.seed = 12;
    const auto c = WriteSimulatedNight(o, dir / "c");
    std::set<std::string> names_a, names_c;
    for (const auto &f : a.files) names_a.insert(f.filename().string());
    for (const auto &f : c.files) names_c.insert(f.filename().string());
    EXPECT_NE(names_a, names_c);
}

TEST_F(SimulatedNight, ValuesAreZtfLike) {
    const std::regex object_id("ZTF[0-9]{2}[a-z]{7}");
    std::set<int64_t> candids;
    const double night = NightStartJd(2454);
    for (const Alert &a : *decoded_) {
        const Candidate &c = a.candidate;
        EXPECT_TRUE(candids.insert(a.candid).second) << "duplicate candid " << a.candid;
        EXPECT_TRUE(std::regex_match(a.objectId, object_id)) << a.objectId;
        EXPECT_GE(*c.jd, night);
        EXPECT_LE(*c.jd, night + 0.5);
        EXPECT_EQ(*c.nid, 2454);
        EXPECT_EQ(a.candid / 1000000, *c.pid);           // candid = pid, then the table row
        EXPECT_EQ(*c.pid / 1000000000, *c.nid);          // pid starts with the night id
        EXPECT_EQ(*c.pid % 100, 15);
        EXPECT_EQ(*c.pid / 100 % 100, *c.rcid);
        EXPECT_TRUE(*c.fid >= 1 && *c.fid <= 3);
        EXPECT_TRUE(*c.rcid >= 0 && *c.rcid <= 63);
        EXPECT_TRUE(*c.field >= 245 && *c.field <= 880);
        EXPECT_TRUE(*c.isdiffpos == "t" || *c.isdiffpos == "f");
        EXPECT_TRUE(*c.ra >= 0 && *c.ra < 360);
        EXPECT_TRUE(*c.dec >= -31 && *c.dec <= 90);
        EXPECT_TRUE(*c.magpsf > 12 && *c.magpsf < 22) << *c.magpsf;
        EXPECT_TRUE(*c.sigmapsf > 0 && *c.sigmapsf <= 0.22) << *c.sigmapsf;
        EXPECT_TRUE(*c.diffmaglim > 18 && *c.diffmaglim < 22);
        EXPECT_TRUE(*c.rb >= 0 && *c.rb <= 1);
        EXPECT_TRUE(*c.drb >= 0 && *c.drb <= 1);
        EXPECT_TRUE(*c.fwhm > 0 && *c.fwhm < 20);
        EXPECT_GE(*c.elong, 1.0f);
        EXPECT_GE(*c.scorr, 5.0);
        EXPECT_GE(*c.ncovhist, *c.ndethist);
        EXPECT_LE(*c.jdstarthist, *c.jd);
        EXPECT_EQ(*c.jdendhist, *c.jd);
        EXPECT_TRUE(*c.sgscore1 == -999.0f || (*c.sgscore1 >= 0 && *c.sgscore1 <= 1));
        EXPECT_EQ(*c.rbversion, "t17_f5_c3");
        EXPECT_EQ(*c.exptime, 30.0f);
    }
}

TEST_F(SimulatedNight, RealBogusCutsRejectMostArtefactsAndFewRealAlerts) {
    const auto mem = SimulateNight(SmallNight());
    size_t bogus = 0, bogus_rejected = 0, real = 0, real_rejected = 0;
    std::map<SimObjectKind, size_t> kinds;
    for (const SimulatedAlert &s : mem) {
        ++kinds[s.kind];
        const bool pass = PassesCuts(s.alert.candidate);
        if (s.kind == SimObjectKind::kBogus) ++bogus, bogus_rejected += !pass;
        else ++real, real_rejected += !pass;
    }
    EXPECT_EQ(bogus, 90u);  // bogus_fraction 0.3 of 300 alerts
    EXPECT_GE(bogus_rejected, bogus * 85 / 100);
    EXPECT_LE(real_rejected, real * 25 / 100);
    EXPECT_GT(kinds[SimObjectKind::kVariableStar], 20u);
    EXPECT_GT(kinds[SimObjectKind::kTransient], 20u);
    EXPECT_GT(kinds[SimObjectKind::kAgn], 5u);
}

TEST_F(SimulatedNight, HistoryIsOneConsistentLightCurvePerObject) {
    std::map<int64_t, const Alert *> by_candid;
    for (const Alert &a : *decoded_) by_candid[a.candid] = &a;
    size_t with_detections = 0, with_fp = 0;
    for (const Alert &a : *decoded_) {
        const double jd = *a.candidate.jd;
        std::set<std::pair<double, int>> seen;
        double last = 0;
        for (const PrvCandidate &p : *a.prv_candidates) {
            EXPECT_LT(*p.jd, jd);
            EXPECT_GE(*p.jd, jd - 30.0);
            EXPECT_GE(*p.jd, last) << "prv_candidates not in time order";
            last = *p.jd;
            EXPECT_TRUE(seen.insert({*p.jd, *p.fid}).second) << "duplicate (jd, fid) in " << a.candid;
            EXPECT_EQ(p.field, a.candidate.field);
            EXPECT_EQ(p.rcid, a.candidate.rcid);
            ASSERT_TRUE(p.diffmaglim);
            if (p.candid) {
                ++with_detections;
                ASSERT_TRUE(p.magpsf && p.sigmapsf && p.isdiffpos && p.ra && p.rb);
                EXPECT_EQ(*p.candid / 1000000, *p.pid);
                // An earlier alert of tonight appears in the history exactly as it was sent.
                if (auto it = by_candid.find(*p.candid); it != by_candid.end()) {
                    EXPECT_EQ(it->second->objectId, a.objectId);
                    EXPECT_EQ(it->second->candidate.magpsf, p.magpsf);
                    EXPECT_EQ(it->second->candidate.ra, p.ra);
                }
            } else {
                EXPECT_FALSE(p.magpsf) << "upper limit with a magnitude";
                EXPECT_FALSE(p.isdiffpos);
            }
        }
        if (a.fp_hists) {
            ++with_fp;
            EXPECT_EQ(a.fp_hists->size(), a.prv_candidates->size());  // forced photometry at every earlier visit
            for (const FpHist &h : *a.fp_hists) {
                EXPECT_LT(*h.jd, jd);
                EXPECT_TRUE(h.forcediffimflux && h.forcediffimfluxunc && *h.forcediffimfluxunc > 0);
                EXPECT_EQ(h.field, a.candidate.field);
            }
        }
        EXPECT_GE(*a.candidate.ndethist, 1);
    }
    EXPECT_GT(with_detections, 50u);
    EXPECT_GT(with_fp, 50u);
}

TEST_F(SimulatedNight, CutoutsShowTheAlert) {
    size_t small = 0, with_nan = 0, positive_real = 0, positive_center_brighter = 0;
    for (const Alert &a : *decoded_) {
        auto diff = DecodeCutout(a.cutout(CutoutKind::kDifference)->stamp_data);
        auto sci = DecodeCutout(a.cutout(CutoutKind::kScience)->stamp_data);
        ASSERT_TRUE(diff.ok() && sci.ok());
        if (diff->width < 63 || diff->height < 63) ++small;
        for (float v : sci->pixels)
            if (std::isnan(v)) { ++with_nan; break; }
        const Candidate &c = *(&a.candidate);
        if (diff->width == 63 && diff->height == 63 && *c.isdiffpos == "t" && *c.rb > 0.5 && *c.nbad == 0 &&
            *c.fwhm < 5) {
            ++positive_real;
            double center = 0, ring = 0;
            for (int y = 0; y < 63; ++y)
                for (int x = 0; x < 63; ++x) {
                    const double r = std::hypot(x - 31, y - 31);
                    const float v = diff->at(x, y);
                    if (std::isnan(v)) continue;
                    if (r < 3) center += v;
                    else if (r > 20 && r < 23) ring += v;
                }
            positive_center_brighter += center > 0 && center > ring * 0.3;
        }
    }
    EXPECT_GT(small, 0u);
    EXPECT_GT(with_nan, 0u);
    EXPECT_GT(positive_real, 50u);
    EXPECT_GE(positive_center_brighter, positive_real * 95 / 100);
}

TEST(SimArchive, NightlyTarGzHoldsTheSamePackets) {
    testing::TempDir dir;
    SimulationOptions o = SmallNight(3);
    o.n_alerts = 40;
    const auto s = WriteSimulatedNightArchive(o, dir / "ztf_public_20230921.tar.gz");
    EXPECT_EQ(s.n_alerts, 40u);
    archive *ar = archive_read_new();
    archive_read_support_filter_gzip(ar);
    archive_read_support_format_tar(ar);
    ASSERT_EQ(archive_read_open_filename(ar, (dir / "ztf_public_20230921.tar.gz").c_str(), 65536), ARCHIVE_OK);
    archive_entry *entry;
    AvroAlertDecoder decoder;
    size_t n = 0;
    while (archive_read_next_header(ar, &entry) == ARCHIVE_OK) {
        std::vector<uint8_t> bytes(static_cast<size_t>(archive_entry_size(entry)));
        ASSERT_EQ(archive_read_data(ar, bytes.data(), bytes.size()), static_cast<la_ssize_t>(bytes.size()));
        DecodedPacket p = decoder.Decode(bytes, archive_entry_pathname(entry));
        ASSERT_FALSE(p.error);
        ASSERT_EQ(p.alerts.size(), 1u);
        EXPECT_EQ(std::string(archive_entry_pathname(entry)), std::to_string(p.alerts[0].candid) + ".avro");
        ++n;
    }
    archive_read_free(ar);
    EXPECT_EQ(n, 40u);
}

TEST(SimOptions, BadOptionsAreConfigErrors) {
    SimulationOptions o = SmallNight();
    o.bogus_fraction = 1.5;
    EXPECT_THROW(SimulateNight(o), RivuletError);
    o = SmallNight();
    o.n_alerts = 0;
    EXPECT_THROW(SimulateNight(o), RivuletError);
}

TEST(SimOptions, AllBogusAndNoBogusNightsWork) {
    SimulationOptions o = SmallNight();
    o.n_alerts = 30;
    o.bogus_fraction = 1.0;
    for (const auto &s : SimulateNight(o)) EXPECT_EQ(s.kind, SimObjectKind::kBogus);
    o.bogus_fraction = 0.0;
    o.n_objects = 10;
    const auto night = SimulateNight(o);
    ASSERT_EQ(night.size(), 30u);
    std::set<std::string> objects;
    for (const auto &s : night) {
        EXPECT_NE(s.kind, SimObjectKind::kBogus);
        objects.insert(s.alert.objectId);
    }
    EXPECT_LT(objects.size(), 30u);
}

}  // namespace
}  // namespace rivulet
