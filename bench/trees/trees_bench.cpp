// ExtraTrees against scikit-learn's ExtraTreesClassifier in the same run, same data, same hyper-parameters:
// training seconds, predictions per second and held-out AUC, on the SNAD artefact set and on a synthetic
// 10^6 × 30 set. Prints figures; asserts nothing.
//
//   build/bench/trees/trees_bench [--rows N] [--trees-synthetic T] [--threads 2] [--repeat 5] [--skip-synthetic]
//                                 [--no-sklearn]
// Prediction is timed --repeat times on both sides and the fastest call is reported (the machine is shared:
// the minimum is the least disturbed figure); the first call is printed too.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ml/cross_validation.hpp"
#include "ml/metrics.hpp"
#include "ml/tree_ensemble.hpp"

using namespace rivulet::ml;
namespace fs = std::filesystem;

namespace {

double Seconds(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

//! CPU seconds of all threads of this process: less disturbed than wall time by other processes' load.
double ProcessCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void WriteNpy(const fs::path &path, const void *data, const char *descr, std::vector<size_t> shape, size_t bytes) {
    std::string dims;
    for (size_t s : shape) dims += std::to_string(s) + ",";
    std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}", descr, dims);
    header.append(63 - (10 + header.size()) % 64, ' ');
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    uint16_t len = static_cast<uint16_t>(header.size());
    out.write(reinterpret_cast<const char *>(&len), 2);
    out << header;
    out.write(static_cast<const char *>(data), static_cast<std::streamsize>(bytes));
}

void WriteSplit(const fs::path &dir, const Dataset &train, const Dataset &test) {
    std::vector<int64_t> ytr(train.y.begin(), train.y.end()), yte(test.y.begin(), test.y.end());
    WriteNpy(dir / "x_train.npy", train.x.data(), "<f4", {train.rows(), train.features()}, train.x.size() * 4);
    WriteNpy(dir / "y_train.npy", ytr.data(), "<i8", {ytr.size()}, ytr.size() * 8);
    WriteNpy(dir / "x_test.npy", test.x.data(), "<f4", {test.rows(), test.features()}, test.x.size() * 4);
    WriteNpy(dir / "y_test.npy", yte.data(), "<i8", {yte.size()}, yte.size() * 8);
}

//! 30 features, 6 informative (a nonlinear function + label noise), the rest noise.
Dataset Synthetic(size_t rows, uint64_t seed) {
    Dataset ds;
    ds.source = "synthetic";
    for (int f = 0; f < 30; ++f) ds.feature_names.push_back(fmt::format("x{}", f));
    ds.class_names = {"0", "1"};
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> n01(0, 1);
    std::uniform_real_distribution<double> u(0, 1);
    ds.x.resize(rows * 30);
    for (size_t r = 0; r < rows; ++r) {
        float *x = ds.x.data() + r * 30;
        for (int f = 0; f < 30; ++f) x[f] = n01(rng);
        double z = 1.2 * x[0] - 0.8 * x[1] + x[2] * x[3] + std::sin(2 * x[4]) + 0.5 * x[5] * x[5] - 0.5;
        ds.y.push_back(u(rng) < 1 / (1 + std::exp(-2 * z)) ? 1 : 0);
    }
    return ds;
}

bool g_run_sklearn = true;  //!< --no-sklearn: our side only (for profiling)
int g_repeat = 5;           //!< prediction calls timed per side

void Compare(const std::string &name, const Dataset &train, const Dataset &test, ForestParams params, int threads) {
    fs::path dir = fs::temp_directory_path() / fmt::format("rivulet_trees_bench_{}", ::getpid());
    fs::create_directories(dir);
    WriteSplit(dir, train, test);
    params.threads = threads;
    auto t0 = std::chrono::steady_clock::now();
    auto model = TreeEnsemble::Train(Algorithm::kExtraTrees, params, train);
    double train_s = Seconds(t0);
    std::vector<double> p;
    double predict_s = INFINITY, first_predict_s = 0, predict_cpu_s = INFINITY;
    for (int i = 0; i < g_repeat; ++i) {
        double cpu0 = ProcessCpuSeconds();
        t0 = std::chrono::steady_clock::now();
        p = model->PredictProba(test.x, test.rows(), threads);
        double s = Seconds(t0);
        predict_cpu_s = std::min(predict_cpu_s, ProcessCpuSeconds() - cpu0);
        if (i == 0) first_predict_s = s;
        predict_s = std::min(predict_s, s);
    }
    std::vector<double> s(test.rows());
    std::vector<uint8_t> y(test.rows());
    for (size_t r = 0; r < test.rows(); ++r) s[r] = p[r * 2 + 1], y[r] = test.y[r] == 1;
    double auc = Auc(s, y);

    std::string cmd = fmt::format("/usr/bin/python3 {}/bench/trees/sklearn_bench.py {} {} {} {} {} {}",
                                  RIVULET_SOURCE_DIR, dir.string(), params.n_trees, params.min_samples_leaf, threads,
                                  params.seed, g_repeat);
    std::string out;
    if (!g_run_sklearn) cmd.clear();
    if (FILE *pipe = cmd.empty() ? nullptr : popen(cmd.c_str(), "r")) {
        char buf[4096];
        while (fgets(buf, sizeof buf, pipe)) out += buf;
        pclose(pipe);
    }
    fs::remove_all(dir);
    std::printf("\n== %s: %zu train × %zu features, %zu held out; %d trees, min_samples_leaf %d, %d threads\n",
                name.c_str(), train.rows(), train.features(), test.rows(), params.n_trees, params.min_samples_leaf,
                threads);
    std::printf("%-14s %10s %14s %8s %18s\n", "", "train s", "predictions/s", "AUC", "first call pred/s");
    std::printf("%-14s %10.3f %14.0f %8.4f %18.0f   (predict CPU %.2f ms, all threads)\n", "rivulet", train_s,
                test.rows() / predict_s, auc, test.rows() / first_predict_s, 1e3 * predict_cpu_s);
    if (out.empty()) {
        std::printf("scikit-learn   (not run: %s)\n",
                    g_run_sklearn ? "/usr/bin/python3 with python3-sklearn missing" : "--no-sklearn");
        return;
    }
    auto j = nlohmann::json::parse(out);
    double sk_train = j["train_s"], sk_pred = j["predict_s"], sk_first = j["first_predict_s"], sk_auc = j["auc"];
    double sk_cpu = j["predict_cpu_s"];
    std::printf("%-14s %10.3f %14.0f %8.4f %18.0f   (predict CPU %.2f ms, all threads)\n", "scikit-learn", sk_train,
                test.rows() / sk_pred, sk_auc, test.rows() / sk_first, 1e3 * sk_cpu);
    std::printf("ratio          train %.1f×  predict %.1f× (CPU time %.1f×)  ΔAUC %+.4f\n", sk_train / train_s,
                sk_pred / predict_s, sk_cpu / predict_cpu_s, auc - sk_auc);
}

}  // namespace

int main(int argc, char **argv) {
    size_t rows = 1000000;
    int trees_synthetic = 20, leaf_synthetic = 5, threads = 2;
    bool synthetic = true;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--rows" && i + 1 < argc) rows = std::stoul(argv[++i]);
        else if (a == "--trees-synthetic" && i + 1 < argc) trees_synthetic = std::stoi(argv[++i]);
        else if (a == "--leaf-synthetic" && i + 1 < argc) leaf_synthetic = std::stoi(argv[++i]);
        else if (a == "--threads" && i + 1 < argc) threads = std::stoi(argv[++i]);
        else if (a == "--skip-synthetic") synthetic = false;
        else if (a == "--no-sklearn") g_run_sklearn = false;
        else if (a == "--repeat" && i + 1 < argc) g_repeat = std::max(1, std::stoi(argv[++i]));
    }
    const char *env = std::getenv("RIVULET_SHARED_DATA");
    fs::path shared = env && *env ? fs::path(env) : fs::path(RIVULET_SOURCE_DIR) / ".." / "shared" / "data";
    fs::path snad = shared / "real_bogus/snad_akb_ztf_artefacts/akb_obj_features_snad4.csv";
    if (fs::exists(snad)) {
        CsvColumns cols;
        cols.label = "label";
        cols.drop = {"oid"};
        Dataset ds = ReadCsvDataset(snad, cols);
        auto fold = StratifiedFolds(ds.y, 2, 4, 1);  // 3/4 train, 1/4 held out
        std::vector<size_t> tr, te;
        for (size_t r = 0; r < ds.rows(); ++r) (fold[r] == 0 ? te : tr).push_back(r);
        Compare("SNAD artefacts (paper settings)", ds.Subset(tr), ds.Subset(te), DefaultForestParams(Algorithm::kExtraTrees),
                threads);
    } else {
        std::printf("SNAD set not found at %s: skipped\n", snad.c_str());
    }
    if (synthetic) {
        Dataset ds = Synthetic(rows, 42);
        std::vector<size_t> tr, te;
        for (size_t r = 0; r < rows; ++r) (r % 5 == 0 ? te : tr).push_back(r);
        ForestParams p = DefaultForestParams(Algorithm::kExtraTrees);
        p.n_trees = trees_synthetic;
        p.min_samples_leaf = leaf_synthetic;
        Compare(fmt::format("synthetic {} × 30", rows), ds.Subset(tr), ds.Subset(te), p, threads);
    }
    return 0;
}
