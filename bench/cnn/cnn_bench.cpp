// braai d6_m7 inference throughput: Rivulet (src/dl on libtorch) at batch 1 and 256 on prepared triplets, the
// whole Score path (gzip + FITS decode + preparation + network) at batch 256, and the same network in
// python3-torch in the same run. Real ZTF triplets from ../shared/data/ztf-alerts.
// Usage: cnn_bench [--threads N] [--seconds S] [--sweep]   (defaults: 2 threads, 3 s per measurement)
// --sweep: only Rivulet, 256 triplets scored in ScoreTriplets calls of k = 1 ... 256 (each call itself runs in
// micro-batches of at most 16, so k > 16 shows the per-call overhead, not larger network batches).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "alert/avro_alert_decoder.hpp"
#include "common/heap_tuning.hpp"
#include "dl/braai_scorer.hpp"
#include "dl/keras_model.hpp"
#include "dl/triplet.hpp"
#include "stream/packet_source.hpp"

namespace {

using namespace rivulet;
using Clock = std::chrono::steady_clock;

void WriteNpy(const std::filesystem::path &path, const std::vector<std::size_t> &shape, const float *data) {
    std::string dims;
    std::size_t n = 1;
    for (std::size_t d : shape) dims += fmt::format("{}, ", d), n *= d;
    std::string header = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': ({}), }}", dims);
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const auto len = static_cast<uint16_t>(header.size());
    out.put(static_cast<char>(len & 0xff)).put(static_cast<char>(len >> 8));
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(n * sizeof(float)));
}

//! Runs `fn` (which scores `batch` triplets) repeatedly for at least `seconds`; returns triplets per second.
template <class Fn>
double Rate(std::size_t batch, double seconds, Fn fn) {
    fn();  // warm-up
    std::size_t n = 0;
    auto t0 = Clock::now();
    double dt = 0;
    do {
        fn();
        n += batch;
        dt = std::chrono::duration<double>(Clock::now() - t0).count();
    } while (dt < seconds || n < 2 * batch);
    return static_cast<double>(n) / dt;
}

}  // namespace

int main(int argc, char **argv) {
    rivulet::KeepLargeBuffersOnTheHeap();  // as the rivulet program does
    int threads = 2;
    double seconds = 3;
    bool sweep = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--sweep")) sweep = true;
        else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = std::atof(argv[++i]);
        else {
            std::fprintf(stderr, "usage: cnn_bench [--threads N] [--seconds S] [--sweep]\n");
            return 2;
        }
    }
    const std::filesystem::path root(RIVULET_SOURCE_DIR);
    const auto shared = root / ".." / "shared";
    const auto model_prefix = shared / "models" / "braai" / "d6_m7";
    dl::ScorerOptions options;
    options.threads = threads;
    dl::BraaiScorer scorer(model_prefix, options);

    // Real alerts with full FITS triplets, repeated to 256.
    std::vector<Alert> alerts;
    {
        AvroAlertDecoder decoder;
        auto src = OpenInputs({shared / "data" / "ztf-alerts" / "alerts"});
        RawPacket p;
        while (src->Next(p))
            if (!p.error)
                for (auto &a : decoder.Decode(p.bytes, p.name).alerts)
                    if (dl::PrepareTriplet(a, scorer.normalization())) alerts.push_back(std::move(a));
    }
    if (alerts.empty()) {
        std::fprintf(stderr, "cnn_bench: no scorable alerts under %s\n", (shared / "data" / "ztf-alerts").c_str());
        return 1;
    }
    const std::size_t distinct = alerts.size();
    std::vector<Alert> batch_alerts;
    for (std::size_t i = 0; batch_alerts.size() < 256; ++i) batch_alerts.push_back(alerts[i % distinct]);
    std::vector<float> triplets;
    for (const Alert &a : batch_alerts) {
        auto t = dl::PrepareTriplet(a, scorer.normalization());
        triplets.insert(triplets.end(), t->pixels.begin(), t->pixels.end());
    }
    constexpr std::size_t kValues = 63 * 63 * 3;

    if (sweep) {
        for (std::size_t k : {1, 2, 4, 8, 16, 32, 64, 256}) {
            double r = Rate(256, seconds, [&] {
                for (std::size_t i = 0; i < 256; i += k) scorer.ScoreTriplets(std::span(triplets.data() + i * kValues, k * kValues), k);
            });
            std::printf("256 triplets in calls of %3zu: %.0f/s\n", k, r);
            std::fflush(stdout);
        }
        return 0;
    }
    const double ours1 = Rate(1, seconds, [&] { scorer.ScoreTriplets(std::span(triplets.data(), kValues), 1); });
    const double ours256 = Rate(256, seconds, [&] { scorer.ScoreTriplets(triplets, 256); });
    const double full256 = Rate(256, seconds, [&] { scorer.Score(batch_alerts); });
    std::vector<float> scores = scorer.ScoreTriplets(triplets, 256);

    // The python3-torch side: weights and the same triplets as .npy.
    const auto dir = std::filesystem::temp_directory_path() / fmt::format("rivulet_cnn_bench_{}", ::getpid());
    std::filesystem::create_directories(dir);
    dl::KerasModel model = dl::ReadKerasModel(model_prefix);
    nlohmann::json names = nlohmann::json::array();
    for (std::size_t i = 0; i < model.layers.size(); ++i) {
        if (!model.layers[i].HasWeights()) continue;
        names.push_back(model.layers[i].name);
        WriteNpy(dir / (model.layers[i].name + "_kernel.npy"), model.weights[i][0].shape, model.weights[i][0].values.data());
        WriteNpy(dir / (model.layers[i].name + "_bias.npy"), model.weights[i][1].shape, model.weights[i][1].values.data());
    }
    std::ofstream(dir / "layers.json") << names.dump();
    WriteNpy(dir / "triplets.npy", {256, 63, 63, 3}, triplets.data());
    WriteNpy(dir / "scores.npy", {256}, scores.data());
    nlohmann::json py;
    const std::string cmd = fmt::format("/usr/bin/python3 {} {} {} {} 2>&1", (root / "bench/cnn/torch_reference.py").string(),
                                        dir.string(), threads, seconds);
    std::string text;
    if (FILE *pipe = popen(cmd.c_str(), "r")) {
        char buf[4096];
        std::size_t n;
        while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) text.append(buf, n);
        pclose(pipe);
    }
    std::filesystem::remove_all(dir);
    try {
        py = nlohmann::json::parse(text.substr(text.rfind('{')));
    } catch (const std::exception &) {
        py = nullptr;
    }

    std::printf("braai %s, %zu distinct real ZTF triplets, %d threads, %.0f s per measurement\n",
                scorer.model_version().c_str(), distinct, threads, seconds);
    std::printf("%-44s %14s %14s\n", "", "batch 1", "batch 256");
    std::printf("%-44s %12.0f/s %12.0f/s\n", "Rivulet (libtorch), prepared triplets", ours1, ours256);
    std::printf("%-44s %14s %12.0f/s\n", "Rivulet Score(): decode + prepare + network", "", full256);
    if (py.is_object()) {
        std::printf("%-44s %12.0f/s %12.0f/s\n", fmt::format("python3-torch {}", py["torch_version"].get<std::string>()).c_str(),
                    py["batch1_triplets_per_s"].get<double>(), py["batch256_triplets_per_s"].get<double>());
        if (py.contains("batch256_micro16_triplets_per_s"))
            std::printf("%-44s %14s %12.0f/s\n", "python3-torch, 256 as 16 calls of 16", "",
                        py["batch256_micro16_triplets_per_s"].get<double>());
        std::printf("max |score difference| Rivulet vs python3-torch on 256 triplets: %.3g\n",
                    py["max_abs_diff_vs_rivulet"].get<double>());
    } else {
        std::printf("python3-torch: not run (%s)\n", text.empty() ? "no output" : text.substr(text.size() > 400 ? text.size() - 400 : 0).c_str());
    }
    return 0;
}
