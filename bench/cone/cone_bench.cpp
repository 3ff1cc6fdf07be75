// Cone search and cross-match speed, beside astropy on the same data and queries (figures, never
// assertions). Two catalogs: a synthetic all-sky one (uniform on the sphere, seeded) and the real Gaia
// slice of ../shared/data. For each: import time, median and p99 latency per cone at r = 2″, 1′, 30′
// (single thread), and cross-match rows/s (nearest within 2″) on 2 threads: the median of --xmatch-runs
// runs, each on its own fresh positions (one run of 10^6 rows lasts tens of ms, so on a shared machine a
// single one mostly measures who else was running); then astropy (bench/cone/astropy_cone.py,
// /usr/bin/python3) on the same cones and the first run's rows, and the ratios.
//
//   cone_bench [--rows N] [--cones N] [--xmatch-rows N] [--xmatch-runs N] [--work DIR] [--no-astropy]
//              [--only synthetic|gaia]

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "xmatch/catalog.hpp"
#include "xmatch/catalog_import.hpp"
#include "xmatch/cross_match.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using rivulet::xmatch::SkyPosition;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// CPU seconds of the whole process: on a shared machine the wall clock also counts other people's work.
double CpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Box {
    double ra0, ra1, dec0, dec1;  // dec bounds; all-sky when dec0 = -90, dec1 = 90
};

// Uniform on the sphere within an RA/Dec box.
std::vector<SkyPosition> Uniform(size_t n, uint64_t seed, const Box &b) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> ra(b.ra0, b.ra1);
    const double z0 = std::sin(b.dec0 * std::numbers::pi / 180), z1 = std::sin(b.dec1 * std::numbers::pi / 180);
    std::uniform_real_distribution<double> z(z0, z1);
    std::vector<SkyPosition> out(n);
    for (auto &p : out) {
        p.ra_deg = ra(rng);
        p.dec_deg = std::clamp(std::asin(z(rng)) * 180 / std::numbers::pi, -90.0, 90.0);
    }
    return out;
}

void WriteF64(const std::filesystem::path &p, const std::vector<SkyPosition> &v) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char *>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(SkyPosition)));
}

struct ConeFigures {
    double median_us, p99_us, mean_found, cpu_mean_us;
};

struct SetFigures {
    std::string name;
    uint64_t rows;
    double import_s;
    int order;
    std::vector<std::pair<double, ConeFigures>> cones;
    double xmatch_rows_per_s, xmatch_rows_per_cpu_s;  // medians over the runs
    uint64_t xmatch_rows, xmatch_matched;
    double xmatch_warm_s;  // the first cross-match: maps pages, builds what the catalog keeps
};

SetFigures Run(const std::string &name, const std::filesystem::path &csv, const std::vector<SkyPosition> &cones,
               const std::vector<std::vector<SkyPosition>> &xm_runs, const std::vector<SkyPosition> &xm_warm,
               const std::filesystem::path &work, const std::string &ra_col, const std::string &dec_col) {
    SetFigures fig;
    fig.name = name;
    rivulet::xmatch::ImportOptions o;
    o.input = csv;
    o.output = work / (name + ".rvc");
    o.name = name;
    o.ra_column = ra_col;
    o.dec_column = dec_col;
    auto t0 = Clock::now();
    const auto summary = rivulet::xmatch::ImportCatalog(o);
    fig.import_s = Seconds(t0, Clock::now());
    fig.rows = summary.rows;
    fig.order = summary.order;
    fmt::print("{}: imported {} rows in {:.1f} s ({:.2f} M rows/s, order {}, {} runs, {:.0f} MiB)\n", name,
               summary.rows, fig.import_s, summary.rows / fig.import_s / 1e6, summary.order, summary.runs,
               summary.file_bytes / 1048576.0);
    const rivulet::xmatch::Catalog catalog(o.output);
    {
        // Positions for astropy: exactly the parsed values the catalog holds, in cat_row order.
        std::vector<SkyPosition> pos(catalog.size());
        for (uint64_t r = 0; r < catalog.size(); ++r) pos[catalog.cat_row(r)] = {catalog.ra(r), catalog.dec(r)};
        WriteF64(work / (name + ".cat.f64"), pos);
    }
    WriteF64(work / (name + ".cones.f64"), cones);
    const auto &xm = xm_runs.front();
    WriteF64(work / (name + ".xmatch.f64"), xm);

    std::vector<rivulet::xmatch::ConeMatch> found;
    for (double r : {2.0, 60.0, 1800.0}) {
        // Warm the pages the queries touch, as a long-running broker would have them.
        for (size_t i = 0; i < std::min<size_t>(cones.size(), 1000); ++i)
            catalog.Cone(cones[i].ra_deg, cones[i].dec_deg, r, found);
        std::vector<double> us;
        uint64_t total = 0;
        const double cpu0 = CpuSeconds();
        for (const auto &c : cones) {
            const auto a = Clock::now();
            catalog.Cone(c.ra_deg, c.dec_deg, r, found);
            us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
            total += found.size();
        }
        const double cpu_us = (CpuSeconds() - cpu0) * 1e6 / static_cast<double>(cones.size());
        std::sort(us.begin(), us.end());
        const ConeFigures cf{us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)],
                             static_cast<double>(total) / static_cast<double>(cones.size()), cpu_us};
        fig.cones.emplace_back(r, cf);
        fmt::print(
            "{}: cone r={}″  median {:.2f} µs  p99 {:.2f} µs  mean CPU {:.2f} µs  ({:.2f} sources/cone, {} cones, "
            "1 thread)\n",
            name, r, cf.median_us, cf.p99_us, cf.cpu_mean_us, cf.mean_found, cones.size());
    }
    // Warm-up on other positions of the same field and number (xm_warm): it maps the catalog's pages as a
    // long-running broker has them mapped (first touches of a 558 MiB mapping are page faults, not
    // matching), and builds what the catalog keeps for later cross-matches (its neighbour table, where it
    // takes one; reported apart, as astropy's KD-tree build is), without putting the timed rows' own
    // cache lines in cache.
    t0 = Clock::now();
    rivulet::xmatch::CrossMatch(catalog, xm_warm, 2.0, rivulet::xmatch::MatchMode::kNearest, 2);
    const double warm_s = fig.xmatch_warm_s = Seconds(t0, Clock::now());
    std::vector<double> wall, cpu;
    for (const auto &run : xm_runs) {
        t0 = Clock::now();
        const double cpu0 = CpuSeconds();
        const auto pairs = rivulet::xmatch::CrossMatch(catalog, run, 2.0, rivulet::xmatch::MatchMode::kNearest, 2);
        cpu.push_back(static_cast<double>(run.size()) / (CpuSeconds() - cpu0));
        wall.push_back(static_cast<double>(run.size()) / Seconds(t0, Clock::now()));
        if (&run == &xm) fig.xmatch_matched = pairs.size();
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    };
    fig.xmatch_rows_per_cpu_s = median(cpu);
    fig.xmatch_rows = xm.size();
    fig.xmatch_rows_per_s = median(wall);
    const bool table =
        rivulet::xmatch::ChooseJoinMethod(catalog, xm.size(), 2.0) == rivulet::xmatch::JoinMethod::kPixelTable;
    fmt::print(
        "{}: cross-match {} rows, nearest within 2″, 2 threads ({}), median of {} runs: {:.2f} M rows/s wall "
        "(runs {:.1f}…{:.1f}), {:.2f} M rows per CPU-second ({} matched in the first run; warm-up {:.3f} s)\n",
        name, xm.size(), table ? "neighbour table" : "sorted join", wall.size(), fig.xmatch_rows_per_s / 1e6,
        *std::min_element(wall.begin(), wall.end()) / 1e6, *std::max_element(wall.begin(), wall.end()) / 1e6,
        fig.xmatch_rows_per_cpu_s / 1e6, fig.xmatch_matched, warm_s);
    return fig;
}

}  // namespace

int main(int argc, char **argv) {
    size_t rows = 10'000'000, n_cones = 20000, xmatch_rows = 1'000'000, xmatch_runs = 5;
    std::filesystem::path work = std::filesystem::temp_directory_path() / "rivulet_cone_bench";
    bool astropy = true;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (a == "--rows")
            rows = std::stoull(next());
        else if (a == "--cones")
            n_cones = std::stoull(next());
        else if (a == "--xmatch-rows")
            xmatch_rows = std::stoull(next());
        else if (a == "--xmatch-runs")
            xmatch_runs = std::max<size_t>(1, std::stoull(next()));
        else if (a == "--work")
            work = next();
        else if (a == "--no-astropy")
            astropy = false;
        else if (a == "--only")
            only = next();
        else {
            std::fprintf(stderr,
                         "usage: cone_bench [--rows N] [--cones N] [--xmatch-rows N] [--xmatch-runs N] [--work DIR] "
                         "[--no-astropy] "
                         "[--only synthetic|gaia]\n");
            return 1;
        }
    }
    std::filesystem::create_directories(work);
    std::vector<SetFigures> figures;
    std::vector<std::string> sets;
    // The timed cross-match runs' positions: run 0 (seed `seed`, astropy's) and one fresh set per further run.
    auto xmatch_sets = [&](uint64_t seed, const Box &b) {
        std::vector<std::vector<SkyPosition>> v;
        for (size_t r = 0; r < xmatch_runs; ++r) v.push_back(Uniform(xmatch_rows, seed + 1000 * r, b));
        return v;
    };

    // Synthetic all-sky catalog.
    if (only.empty() || only == "synthetic") {
        const Box sky{0, 360, -90, 90};
        const auto t0 = Clock::now();
        const auto cat = Uniform(rows, 42, sky);
        {
            std::FILE *f = std::fopen((work / "synthetic.csv").c_str(), "w");
            std::fprintf(f, "id,ra,dec\n");
            for (size_t i = 0; i < cat.size(); ++i) fmt::print(f, "{},{},{}\n", i, cat[i].ra_deg, cat[i].dec_deg);
            std::fclose(f);
        }
        fmt::print("synthetic: wrote {} rows of CSV in {:.1f} s\n", rows, Seconds(t0, Clock::now()));
        figures.push_back(Run("synthetic", work / "synthetic.csv", Uniform(n_cones, 7, sky), xmatch_sets(9, sky),
                              Uniform(xmatch_rows, 10, sky), work, "ra", "dec"));
        sets.push_back("synthetic");
        std::filesystem::remove(work / "synthetic.csv");
    }
    // The real Gaia slice (COSMOS field).
    const char *env = std::getenv("RIVULET_SHARED_DATA");
    const std::filesystem::path shared =
        env && *env ? std::filesystem::path(env) : std::filesystem::path(RIVULET_SOURCE_DIR) / ".." / "shared" / "data";
    const auto gaia = shared / "catalogs/gaia_cosmos_refcat_slice/gaia_refcat.csv";
    if (!only.empty() && only != "gaia") {
    } else if (std::filesystem::exists(gaia)) {
        const Box field{149.10, 151.15, 1.22, 3.26};
        figures.push_back(Run("gaia", gaia, Uniform(n_cones, 17, field), xmatch_sets(19, field),
                              Uniform(xmatch_rows, 20, field), work, "ra_deg", "dec_deg"));
        sets.push_back("gaia");
    } else {
        fmt::print("gaia: {} missing, skipped\n", gaia.string());
    }

    if (!astropy) return 0;
    std::string cmd =
        "/usr/bin/python3 '" + std::string(RIVULET_SOURCE_DIR) + "/bench/cone/astropy_cone.py' '" + work.string() + "'";
    for (const auto &s : sets) cmd += " " + s;
    fmt::print("\nastropy: {}\n", cmd);
    std::fflush(stdout);
    if (std::system(cmd.c_str()) != 0) {
        fmt::print("astropy run failed (Debian python3-astropy and python3-scipy under /usr/bin/python3?)\n");
        return 1;
    }
    std::ifstream in(work / "astropy.json");
    const auto ref = nlohmann::json::parse(in);
    fmt::print("\n{:<10} {:>8} {:>14} {:>14} {:>8} {:>12} {:>14} {:>8} {:>12} {:>12} {:>8}\n", "catalog", "radius",
               "ours median µs", "astropy med µs", "ratio", "ours p99 µs", "astropy p99 µs", "ratio", "ours CPU µs",
               "astropy CPU µs", "ratio");
    for (const auto &f : figures) {
        const auto &a = ref.at(f.name);
        for (const auto &[r, c] : f.cones) {
            const auto &ac = a.at("cones").at(fmt::format("{:.1f}", r));
            const double am = ac.at("median_us"), ap = ac.at("p99_us"), acpu = ac.at("cpu_mean_us");
            fmt::print(
                "{:<10} {:>7}″ {:>14.2f} {:>14.1f} {:>7.0f}× {:>12.2f} {:>14.1f} {:>7.0f}× {:>12.2f} {:>12.1f} "
                "{:>7.0f}×\n",
                f.name, r, c.median_us, am, am / c.median_us, c.p99_us, ap, ap / c.p99_us, c.cpu_mean_us, acpu,
                acpu / c.cpu_mean_us);
        }
        const double ar = a.at("xmatch").at("rows_per_s"), acpu = a.at("xmatch").at("rows_per_cpu_s");
        fmt::print(
            "{:<10} cross-match wall: ours {:.2f} M rows/s (2 threads, median run), astropy {:.3f} M rows/s (tree "
            "cached): "
            "{:.0f}×\n",
            f.name, f.xmatch_rows_per_s / 1e6, ar / 1e6, f.xmatch_rows_per_s / ar);
        fmt::print(
            "{:<10} cross-match per CPU-second: ours {:.2f} M rows, astropy {:.3f} M rows: {:.0f}×; astropy tree "
            "build {:.2f} s vs our import {:.2f} s + first cross-match {:.3f} s\n",
            f.name, f.xmatch_rows_per_cpu_s / 1e6, acpu / 1e6, f.xmatch_rows_per_cpu_s / acpu,
            a.at("tree_build_s").get<double>(), f.import_s, f.xmatch_warm_s);
    }
    return 0;
}
