// rivulet train / predict / evaluate / models list / cutout-features: argument parsing and printing only;
// the work is in src/ml.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "apps/rivulet/commands.hpp"
#include "common/error.hpp"
#include "ml/cross_validation.hpp"
#include "ml/cutout_moments.hpp"
#include "ml/model_file.hpp"
#include "ml/npy_array.hpp"
#include "ml/svg_plot.hpp"
#include "ml/training.hpp"
#include "version.hpp"

namespace rivulet::cli {
namespace {

using namespace rivulet::ml;

std::string NowUtc() {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

//! Cell text that reads back as the same double.
std::string Num(double v) { return std::isnan(v) ? "" : fmt::format("{}", v); }

void WritePlots(const std::filesystem::path &dir, const std::vector<double> &proba, const std::vector<int32_t> &y,
                const std::vector<std::string> &classes, const std::string &title) {
    if (classes.size() != 2) return;  // ROC and score CDFs are binary figures
    std::filesystem::create_directories(dir);
    size_t pos = PositiveClass(classes);
    std::vector<double> s(y.size());
    std::vector<uint8_t> p(y.size());
    for (size_t r = 0; r < y.size(); ++r) s[r] = proba[r * 2 + pos], p[r] = y[r] == static_cast<int32_t>(pos);
    WriteRocSvg(RocCurve(s, p), Auc(s, p), title + ": ROC", dir / "roc.svg");
    WriteScoreCdfSvg(s, p, "label " + classes[pos], "label " + classes[1 - pos], title + ": cumulative scores",
                     dir / "score_cdf.svg");
}

void PrintMetrics(const nlohmann::json &m) {
    if (m.contains("auc")) {
        std::printf("AUC %.4f  accuracy %.4f  FPR %.4f  FNR %.4f (threshold %.2f)  FNR@FPR%.0f%% %.4f  TPR@FPR0.5%% %.4f\n",
                    m["auc"].get<double>(), m["accuracy"].get<double>(), m["fpr"].get<double>(),
                    m["fnr"].get<double>(), m["threshold"].get<double>(), 100 * m["fixed_fpr"].get<double>(),
                    m["fnr_at_fixed_fpr"].get<double>(), m["tpr_at_fpr_0.005"].get<double>());
    } else {
        std::printf("accuracy %.4f  macro one-vs-rest AUC %.4f\n", m["accuracy"].get<double>(),
                    m["macro_auc_one_vs_rest"].get<double>());
    }
}

void AddTrain(CLI::App &app, int &exit_code) {
    struct Options {
        std::string algo = "extratrees", data, label, features, drop, out, training_set, class_weight, plots;
        int cv = 10, t = 1, f = 1, trees = -1, max_features = 0, max_depth = 0, min_samples_leaf = 1, threads = 0;
        int rounds = 300, xgb_depth = 6;
        double eta = 0.1;
        uint64_t seed = 0;
        bool allow_missing = false, json = false;
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("train", "Train a classifier on a CSV, cross-validate it, save the model");
    cmd->add_option("--algo", o->algo, "extratrees (paper), rf or xgboost")->capture_default_str();
    cmd->add_option("--data", o->data, "CSV with a header line")->required();
    cmd->add_option("--label", o->label, "label column (positive class: label 1)")->required();
    cmd->add_option("--features", o->features, "feature columns a,b,c (default: all others)");
    cmd->add_option("--drop", o->drop, "columns not to use as features a,b,c");
    cmd->add_option("--out", o->out, "model file to write (.rvm)")->required();
    cmd->add_option("--cv", o->cv, "stratified folds for cross-validation (0: none)")->capture_default_str();
    cmd->add_option("--training-set", o->training_set, "name of the training data (provenance)");
    cmd->add_option("--t", o->t, "training-set number of the version tN_fN_cN")->capture_default_str();
    cmd->add_option("--f", o->f, "feature-set number of the version tN_fN_cN")->capture_default_str();
    cmd->add_option("--trees", o->trees, "trees (extratrees 300, rf 100)");
    cmd->add_option("--max-features", o->max_features, "features tried per split (0: sqrt)")->capture_default_str();
    cmd->add_option("--max-depth", o->max_depth, "maximum depth (0: grow to purity)")->capture_default_str();
    cmd->add_option("--min-samples-leaf", o->min_samples_leaf, "minimum samples per leaf")->capture_default_str();
    cmd->add_option("--class-weight", o->class_weight, "'balanced' or w0,w1,.. per class");
    cmd->add_flag("--allow-missing", o->allow_missing, "accept empty/NA/NaN feature cells as missing values");
    cmd->add_option("--rounds", o->rounds, "xgboost: boosting rounds")->capture_default_str();
    cmd->add_option("--eta", o->eta, "xgboost: learning rate")->capture_default_str();
    cmd->add_option("--xgb-max-depth", o->xgb_depth, "xgboost: tree depth")->capture_default_str();
    cmd->add_option("--seed", o->seed, "random seed")->capture_default_str();
    cmd->add_option("--threads", o->threads, "threads (0: all cores)")->capture_default_str();
    cmd->add_option("--plots", o->plots, "write cross-validation ROC and score-distribution SVGs here");
    cmd->add_flag("--json", o->json, "print the model header as JSON");
    cmd->callback([o, &exit_code] {
        Algorithm algo = ParseAlgorithm(o->algo);
        TrainSpec spec = DefaultTrainSpec(algo);
        if (o->trees > 0) spec.forest.n_trees = o->trees;
        spec.forest.max_features = o->max_features;
        spec.forest.max_depth = o->max_depth;
        spec.forest.min_samples_leaf = o->min_samples_leaf;
        spec.forest.class_weight = o->class_weight;
        spec.forest.allow_missing = o->allow_missing || algo == Algorithm::kXgboost;
        spec.forest.seed = o->seed;
        spec.forest.threads = o->threads;
        spec.xgb.n_rounds = o->rounds;
        spec.xgb.eta = o->eta;
        spec.xgb.max_depth = o->xgb_depth;
        spec.xgb.seed = o->seed;
        spec.xgb.threads = o->threads;

        CsvColumns cols;
        cols.label = o->label;
        cols.features = SplitNameList(o->features);
        cols.drop = SplitNameList(o->drop);
        cols.allow_missing = spec.forest.allow_missing;
        Dataset data = ReadCsvDataset(o->data, cols);

        Model model;
        ModelHeader &h = model.header;
        h.algorithm = algo;
        h.features = data.feature_names;
        h.classes = data.class_names;
        h.provenance.training_set = o->training_set.empty() ? std::filesystem::path(o->data).stem().string()
                                                            : o->training_set;
        h.provenance.t = o->t;
        h.provenance.f = o->f;
        h.provenance.code_commit = RIVULET_VERSION;
        h.provenance.data_source = o->data;
        h.provenance.data_hash = data.Hash();
        h.provenance.label = o->label;
        h.provenance.rows = data.rows();
        h.provenance.created_utc = NowUtc();
        if (o->cv > 0) {
            auto start = std::chrono::steady_clock::now();
            CvResult cv = CrossValidate(spec, data, o->cv, o->seed);
            double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            h.cv = cv.ToJson();
            std::fprintf(stderr, "%d-fold CV (%.1f s): mean fold AUC %.4f ± %.4f\n", o->cv, secs, cv.mean_fold_auc,
                         cv.std_fold_auc);
            if (!o->json) PrintMetrics(cv.metrics);
            if (!o->plots.empty()) WritePlots(o->plots, cv.oof_proba, data.y, data.class_names, h.provenance.training_set + " " + o->algo + " CV");
        }
        auto start = std::chrono::steady_clock::now();
        model.classifier = TrainClassifier(spec, data);
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        h.params = model.classifier->Params();
        SaveModel(model, o->out);
        std::fprintf(stderr, "trained %s on %zu rows × %zu features in %.2f s → %s (%s)\n", o->algo.c_str(),
                     data.rows(), data.features(), secs, o->out.c_str(), h.Version().c_str());
        if (o->json) std::printf("%s\n", h.ToJson().dump(2).c_str());
        exit_code = kExitOk;
    });
}

void AddPredict(CLI::App &app, int &exit_code) {
    struct Options {
        std::string model, data, id, out;
        bool explain = false;
        int threads = 0;
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("predict", "Score a CSV with a model: id, score (or p_<class> and label)");
    cmd->add_option("--model", o->model, "model file")->required();
    cmd->add_option("--data", o->data, "CSV with the model's feature columns (others ignored)")->required();
    cmd->add_option("--id", o->id, "column copied to the output");
    cmd->add_flag("--explain", o->explain,
                  "add bias and contrib_<feature> columns (sum = score; XGBoost: sum = log-odds margin)");
    cmd->add_option("--out", o->out, "output CSV ('-' = stdout)")->required();
    cmd->add_option("--threads", o->threads, "threads (0: all cores)");
    cmd->callback([o, &exit_code] {
        Model model = LoadModel(o->model);
        Dataset data = ReadCsvForModel(o->data, model, "", o->id);
        std::vector<float> x = model.AlignFeatures(data);
        const size_t k = model.header.classes.size(), d = model.header.features.size(), rows = data.rows();
        std::vector<double> p = model.classifier->PredictProba(x, rows, o->threads);
        std::FILE *out = o->out == "-" ? stdout : std::fopen(o->out.c_str(), "w");
        if (!out) throw RivuletError(ErrorKind::kIo, fmt::format("{}: cannot open for writing", o->out));
        std::vector<std::string> head;
        if (!o->id.empty()) head.push_back(o->id);
        if (k == 2) {
            head.push_back("score");
        } else {
            for (auto &c : model.header.classes) head.push_back("p_" + c);
            head.push_back("label");
        }
        if (o->explain) {
            head.push_back("bias");
            for (auto &f : model.header.features) head.push_back("contrib_" + f);
        }
        std::fprintf(out, "%s\n", fmt::format("{}", fmt::join(head, ",")).c_str());
        const size_t pos = model.header.PositiveClass();
        for (size_t r = 0; r < rows; ++r) {
            std::vector<std::string> cells;
            if (!o->id.empty()) cells.push_back(data.ids[r]);
            const double *pr = p.data() + r * k;
            size_t best = static_cast<size_t>(std::max_element(pr, pr + k) - pr);
            if (k == 2) {
                cells.push_back(Num(pr[pos]));
            } else {
                for (size_t c = 0; c < k; ++c) cells.push_back(Num(pr[c]));
                cells.push_back(model.header.classes[best]);
            }
            if (o->explain) {
                // Binary: the positive class; more classes: the predicted one.
                size_t c = k == 2 ? pos : best;
                Explanation e = model.classifier->Explain(std::span<const float>(x.data() + r * d, d));
                cells.push_back(Num(e.bias[c]));
                for (size_t f = 0; f < d; ++f) cells.push_back(Num(e.contributions[f * k + c]));
            }
            std::fprintf(out, "%s\n", fmt::format("{}", fmt::join(cells, ",")).c_str());
        }
        if (out != stdout) std::fclose(out);
        exit_code = kExitOk;
    });
}

void AddEvaluate(CLI::App &app, int &exit_code) {
    struct Options {
        std::string model, data, label, plots;
        double threshold = 0.5, fixed_fpr = 0.01;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("evaluate", "Score a labelled CSV with a model and print its metrics");
    cmd->add_option("--model", o->model, "model file")->required();
    cmd->add_option("--data", o->data, "labelled CSV")->required();
    cmd->add_option("--label", o->label, "label column")->required();
    cmd->add_option("--threshold", o->threshold, "score threshold for accuracy/FPR/FNR")->capture_default_str();
    cmd->add_option("--fixed-fpr", o->fixed_fpr, "FPR at which the FNR is reported")->capture_default_str();
    cmd->add_option("--plots", o->plots, "write roc.svg and score_cdf.svg here");
    cmd->add_flag("--json", o->json, "print metrics as JSON");
    cmd->callback([o, &exit_code] {
        Model model = LoadModel(o->model);
        Dataset data = ReadCsvForModel(o->data, model, o->label, "");
        std::vector<float> x = model.AlignFeatures(data);
        const size_t k = model.header.classes.size();
        std::vector<double> p = model.classifier->PredictProba(x, data.rows(), 0);
        nlohmann::json m;
        if (k == 2) {
            size_t pos = model.header.PositiveClass();
            std::vector<double> s(data.rows());
            std::vector<uint8_t> y(data.rows());
            for (size_t r = 0; r < data.rows(); ++r) s[r] = p[r * 2 + pos], y[r] = data.y[r] == static_cast<int32_t>(pos);
            m = EvaluateBinary(s, y, o->threshold, o->fixed_fpr).ToJson();
        } else {
            m = EvaluateMulticlass(p, data.y, k).ToJson(model.header.classes);
        }
        m["model_version"] = model.header.Version();
        m["rows"] = data.rows();
        if (!o->plots.empty()) WritePlots(o->plots, p, data.y, model.header.classes, model.header.Version());
        if (o->json) {
            std::printf("%s\n", m.dump(2).c_str());
        } else {
            PrintMetrics(m);
        }
        exit_code = kExitOk;
    });
}

void AddModels(CLI::App &app, int &exit_code) {
    struct Options {
        std::string dir = "docs/models";
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("models", "The model registry");
    cmd->require_subcommand(1);
    auto *list = cmd->add_subcommand("list", "List model files (*.rvm) under a folder with version and CV metrics");
    list->add_option("dir", o->dir, "folder")->capture_default_str();
    list->add_flag("--json", o->json, "print the headers as JSON");
    list->callback([o, &exit_code] {
        std::vector<std::string> errors;
        auto models = ListModels(o->dir, &errors);
        if (o->json) {
            nlohmann::json j = nlohmann::json::array();
            for (auto &h : models) {
                auto hj = h.ToJson();
                hj["path"] = h.path.string();
                j.push_back(hj);
            }
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            std::printf("%-40s %-12s %-10s %-16s %5s %8s %10s\n", "path", "version", "algorithm", "training_set",
                        "feat", "rows", "cv_auc");
            for (auto &h : models) {
                std::string auc = h.cv.is_object() ? fmt::format("{:.4f}", h.cv.value("mean_fold_auc", 0.0)) : "-";
                std::printf("%-40s %-12s %-10s %-16s %5zu %8zu %10s\n", h.path.string().c_str(), h.Version().c_str(),
                            std::string(AlgorithmName(h.algorithm)).c_str(), h.provenance.training_set.c_str(),
                            h.features.size(), h.provenance.rows, auc.c_str());
            }
        }
        for (auto &e : errors) std::fprintf(stderr, "rivulet: %s\n", e.c_str());
        exit_code = errors.empty() ? kExitOk : kExitSomeInputsFailed;
    });
}

void AddCutoutFeatures(CLI::App &app, int &exit_code) {
    struct Options {
        std::string npy, labels, out, seeing_col = "seeing";
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("cutout-features",
                                   "Image-moment features (FWHM, ellipticity, concentration, peak/flux) of a .npy "
                                   "stack of cutouts, joined with a labels CSV row by row");
    cmd->add_option("--npy", o->npy, "float32 array N × H × W")->required();
    cmd->add_option("--labels", o->labels, "CSV with N rows (its columns are copied)")->required();
    cmd->add_option("--seeing-column", o->seeing_col, "column of the labels CSV with the seeing in arcsec")
        ->capture_default_str();
    cmd->add_option("--out", o->out, "output CSV")->required();
    cmd->callback([o, &exit_code] {
        NpyArray a = ReadNpyFloat32(o->npy);
        if (a.shape.size() != 3) throw RivuletError(ErrorKind::kInvalidInput, o->npy + ": expected N × H × W");
        std::ifstream in(o->labels);
        if (!in) throw RivuletError(ErrorKind::kIo, o->labels + ": cannot open");
        std::string header, line;
        std::getline(in, header);
        auto chomp = [](std::string &s) {
            if (!s.empty() && s.back() == '\r') s.pop_back();  // CRLF labels files
        };
        chomp(header);
        auto cols = SplitNameList(header);
        auto it = std::find(cols.begin(), cols.end(), o->seeing_col);
        std::FILE *out = std::fopen(o->out.c_str(), "w");
        if (!out) throw RivuletError(ErrorKind::kIo, o->out + ": cannot open for writing");
        std::fprintf(out, "%s,%s\n", header.c_str(), fmt::format("{}", fmt::join(CutoutMoments::Names(), ",")).c_str());
        size_t n = 0, h = a.shape[1], w = a.shape[2];
        while (std::getline(in, line) && n < a.shape[0]) {
            chomp(line);
            if (line.empty()) continue;
            double seeing = 0;
            if (it != cols.end()) {
                // Labels CSVs here have no quoted commas, so a plain split finds the column.
                std::vector<std::string> cells;
                size_t s = 0;
                for (size_t e; (e = line.find(',', s)) != std::string::npos; s = e + 1) cells.push_back(line.substr(s, e - s));
                cells.push_back(line.substr(s));
                size_t ci = static_cast<size_t>(it - cols.begin());
                if (ci < cells.size()) seeing = std::atof(cells[ci].c_str());
            }
            CutoutMoments m = MeasureCutout(std::span<const float>(a.data.data() + n * h * w, h * w), h, w, seeing);
            std::vector<std::string> v;
            for (double x : m.Values()) v.push_back(Num(x));
            std::fprintf(out, "%s,%s\n", line.c_str(), fmt::format("{}", fmt::join(v, ",")).c_str());
            ++n;
        }
        std::fclose(out);
        if (n != a.shape[0])
            throw RivuletError(ErrorKind::kInvalidInput,
                               fmt::format("{}: {} label rows for {} cutouts in {}", o->labels, n, a.shape[0], o->npy));
        std::fprintf(stderr, "%zu cutouts → %s\n", n, o->out.c_str());
        exit_code = kExitOk;
    });
}

}  // namespace

RIVULET_REGISTER_COMMAND(70, AddTrain);
RIVULET_REGISTER_COMMAND(71, AddPredict);
RIVULET_REGISTER_COMMAND(72, AddEvaluate);
RIVULET_REGISTER_COMMAND(73, AddModels);
RIVULET_REGISTER_COMMAND(74, AddCutoutFeatures);

}  // namespace rivulet::cli
