// Read-only commands on a store: stats, alert, lightcurve, cutout.

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "alert/alert_format.hpp"
#include "apps/rivulet/commands.hpp"
#include "common/error.hpp"
#include "image/cutout_codec.hpp"
#include "image/png_writer.hpp"
#include "apps/rivulet/store_access.hpp"

namespace rivulet::cli {

namespace {

template <class T>
nlohmann::json Opt(const std::optional<T> &v) {
    if (!v) return nullptr;
    if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(*v)) return nullptr;
    }
    return *v;
}

template <class T>
std::string Cell(const std::optional<T> &v) {
    if (!v) return "";
    if constexpr (std::is_same_v<T, float>) {
        std::string s;
        AppendFloat(s, *v);
        return s;
    } else if constexpr (std::is_same_v<T, double>) {
        std::string s;
        AppendDouble(s, *v);
        return s;
    } else if constexpr (std::is_same_v<T, std::string>) {
        return *v;
    } else {
        return std::to_string(*v);
    }
}


}  // namespace

void AddStats(CLI::App &app, int &exit_code) {
    struct Options {
        StoreTarget store;
        bool json = false;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("stats", "Counts of what a store holds");
    AddStoreOptions(*cmd, opt->store);
    cmd->add_flag("--json", opt->json, "print JSON");
    cmd->callback([opt, &exit_code] {
        StoreStats s = OpenStore(opt->store, /*create=*/false)->Stats();
        int64_t rejected = 0;
        for (const auto &[k, v] : s.rejected) rejected += v;
        if (opt->json) {
            nlohmann::json j = {{"alerts", s.alerts},         {"objects", s.objects},
                                {"detections", s.detections}, {"upper_limits", s.upper_limits},
                                {"forced_photometry", s.forced_photometry}, {"cutouts", s.cutouts},
                                {"rejected", s.rejected},     {"rejected_total", rejected},
                                {"scored", s.scored},         {"matched", s.matched}};
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            std::printf("alerts             %10lld\n", static_cast<long long>(s.alerts));
            std::printf("objects            %10lld\n", static_cast<long long>(s.objects));
            std::printf("detections         %10lld\n", static_cast<long long>(s.detections));
            std::printf("upper limits       %10lld\n", static_cast<long long>(s.upper_limits));
            std::printf("forced photometry  %10lld\n", static_cast<long long>(s.forced_photometry));
            std::printf("cutouts            %10lld\n", static_cast<long long>(s.cutouts));
            std::printf("rejected           %10lld\n", static_cast<long long>(rejected));
            for (const auto &[k, v] : s.rejected) std::printf("  %-28s%8lld\n", k.c_str(), static_cast<long long>(v));
            if (!s.scored.empty()) std::printf("scored by model\n");
            for (const auto &[k, v] : s.scored) std::printf("  %-28s%8lld\n", k.c_str(), static_cast<long long>(v));
            if (!s.matched.empty()) std::printf("matched in catalog\n");
            for (const auto &[k, v] : s.matched) std::printf("  %-28s%8lld\n", k.c_str(), static_cast<long long>(v));
        }
        exit_code = kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(30, AddStats);

void AddAlert(CLI::App &app, int &exit_code) {
    struct Options {
        StoreTarget store;
        int64_t candid = 0;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("alert", "Print a stored alert as JSON: main columns, candidate, annotations");
    cmd->add_option("candid", opt->candid, "candidate id")->required();
    AddStoreOptions(*cmd, opt->store);
    cmd->callback([opt, &exit_code] {
        auto a = OpenStore(opt->store, /*create=*/false)->GetAlert(opt->candid);
        if (!a) {
            std::fprintf(stderr, "rivulet alert: no alert with candid %lld in the store\n",
                         static_cast<long long>(opt->candid));
            exit_code = kExitFailed;
            return;
        }
        auto opt_json = [](const auto &v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
        nlohmann::json j = {{"candid", a->candid},       {"objectId", a->objectId},   {"jd", a->jd},
                            {"fid", a->fid},             {"ra", a->ra},               {"dec", a->dec},
                            {"magpsf", opt_json(a->magpsf)}, {"sigmapsf", opt_json(a->sigmapsf)},
                            {"rb", opt_json(a->rb)},     {"drb", opt_json(a->drb)},   {"schemavsn", a->schemavsn},
                            {"ingested_at", a->ingested_at},
                            {"candidate", nlohmann::json::parse(a->candidate_json)}};
        j["scores"] = nlohmann::json::object();
        for (const auto &sc : a->annotations.scores) j["scores"][sc.model] = sc.score;
        j["xmatch"] = nlohmann::json::array();
        for (const auto &m : a->annotations.xmatch)
            j["xmatch"].push_back({{"catalog", m.catalog}, {"cat_row", m.cat_row}, {"sep_arcsec", m.sep_arcsec}});
        j["cutouts"] = nlohmann::json::array();
        for (CutoutKind k : kCutoutKinds)
            if (a->cutouts[static_cast<int>(k)]) j["cutouts"].push_back(CutoutFieldName(k));
        std::printf("%s\n", j.dump(2).c_str());
        exit_code = kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(31, AddAlert);

void AddLightcurve(CLI::App &app, int &exit_code) {
    struct Options {
        std::string object_id;
        StoreTarget store;
        std::string format = "csv";
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("lightcurve", "The merged light curve of an object");
    cmd->add_option("OBJECTID", opt->object_id, "ZTF objectId, e.g. ZTF21abiuvdk")->required();
    AddStoreOptions(*cmd, opt->store);
    cmd->add_option("--format", opt->format, "csv or json")->check(CLI::IsMember({"csv", "json"}));
    cmd->callback([opt, &exit_code] {
        auto lc = OpenStore(opt->store, /*create=*/false)->GetLightCurve(opt->object_id);
        if (!lc) {
            std::fprintf(stderr, "rivulet lightcurve: no object %s in %s\n", opt->object_id.c_str(), (opt->store.pg.empty() ? opt->store.db.string() : std::string("the PostgreSQL store")).c_str());
            exit_code = kExitFailed;
            return;
        }
        if (opt->format == "json") {
            nlohmann::json j;
            j["objectId"] = lc->objectId;
            j["detections"] = nlohmann::json::array();
            for (const auto &p : lc->detections)
                j["detections"].push_back({{"jd", p.jd}, {"fid", p.fid}, {"candid", Opt(p.candid)},
                                           {"magpsf", Opt(p.magpsf)}, {"sigmapsf", Opt(p.sigmapsf)},
                                           {"diffmaglim", Opt(p.diffmaglim)}, {"isdiffpos", Opt(p.isdiffpos)},
                                           {"ra", Opt(p.ra)}, {"dec", Opt(p.dec)}, {"programid", Opt(p.programid)},
                                           {"rb", Opt(p.rb)}, {"magnr", Opt(p.magnr)}, {"sigmagnr", Opt(p.sigmagnr)},
                                           {"distnr", Opt(p.distnr)}});
            j["upper_limits"] = nlohmann::json::array();
            for (const auto &u : lc->upper_limits)
                j["upper_limits"].push_back({{"jd", u.jd}, {"fid", u.fid}, {"diffmaglim", Opt(u.diffmaglim)},
                                             {"programid", Opt(u.programid)}});
            j["forced_photometry"] = nlohmann::json::array();
            for (const auto &f : lc->forced_photometry)
                j["forced_photometry"].push_back({{"jd", f.jd}, {"fid", f.fid},
                                                  {"forcediffimflux", Opt(f.forcediffimflux)},
                                                  {"forcediffimfluxunc", Opt(f.forcediffimfluxunc)},
                                                  {"diffmaglim", Opt(f.diffmaglim)}, {"procstatus", Opt(f.procstatus)},
                                                  {"magzpsci", Opt(f.magzpsci)}});
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            // One table: kind = detection | upper_limit | forced; empty cells where a kind has no value.
            std::printf("kind,jd,fid,candid,magpsf,sigmapsf,diffmaglim,isdiffpos,ra,dec,forcediffimflux,forcediffimfluxunc\n");
            for (const auto &p : lc->detections)
                std::printf("detection,%s,%d,%s,%s,%s,%s,%s,%s,%s,,\n", Jd(p.jd).c_str(), p.fid, Cell(p.candid).c_str(),
                            Cell(p.magpsf).c_str(), Cell(p.sigmapsf).c_str(), Cell(p.diffmaglim).c_str(),
                            Cell(p.isdiffpos).c_str(), Cell(p.ra).c_str(), Cell(p.dec).c_str());
            for (const auto &u : lc->upper_limits)
                std::printf("upper_limit,%s,%d,,,,%s,,,,,\n", Jd(u.jd).c_str(), u.fid, Cell(u.diffmaglim).c_str());
            for (const auto &f : lc->forced_photometry)
                std::printf("forced,%s,%d,,,,%s,,,,%s,%s\n", Jd(f.jd).c_str(), f.fid, Cell(f.diffmaglim).c_str(),
                            Cell(f.forcediffimflux).c_str(), Cell(f.forcediffimfluxunc).c_str());
        }
        exit_code = kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(40, AddLightcurve);

void AddCutout(CLI::App &app, int &exit_code) {
    struct Options {
        int64_t candid = 0;
        StoreTarget store;
        std::filesystem::path out;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("cutout", "Write an alert's science/reference/difference cutouts as PNG");
    cmd->add_option("CANDID", opt->candid, "candidate id")->required();
    AddStoreOptions(*cmd, opt->store);
    cmd->add_option("--out", opt->out, "output folder (created if missing)")->required();
    cmd->callback([opt, &exit_code] {
        auto alert = OpenStore(opt->store, /*create=*/false)->GetAlert(opt->candid);
        if (!alert) {
            std::fprintf(stderr, "rivulet cutout: no alert with candid %lld in %s\n",
                         static_cast<long long>(opt->candid), (opt->store.pg.empty() ? opt->store.db.string() : std::string("the PostgreSQL store")).c_str());
            exit_code = kExitFailed;
            return;
        }
        std::filesystem::create_directories(opt->out);
        std::array<std::optional<Image>, 3> images;
        static constexpr const char *kSuffix[3] = {"science", "reference", "difference"};
        int failed = 0;
        for (int k = 0; k < 3; ++k) {
            const auto &c = alert->cutouts[k];
            if (!c) continue;
            auto image = DecodeCutout(c->stamp_data);
            if (!image) {
                std::fprintf(stderr, "rivulet cutout: %s of %lld: %s\n", kSuffix[k], static_cast<long long>(opt->candid),
                             image.error().message.c_str());
                ++failed;
                continue;
            }
            images[k] = std::move(*image);
            auto path = opt->out / fmt::format("{}_{}.png", opt->candid, kSuffix[k]);
            WritePng(*images[k], path);
            std::printf("%s\n", path.c_str());
        }
        auto triplet = opt->out / fmt::format("{}_triplet.png", opt->candid);
        WriteTripletPng(images[0] ? &*images[0] : nullptr, images[1] ? &*images[1] : nullptr,
                        images[2] ? &*images[2] : nullptr, triplet);
        std::printf("%s\n", triplet.c_str());
        exit_code = failed ? kExitSomeInputsFailed : kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(60, AddCutout);

}  // namespace rivulet::cli
