// rivulet cnn train / cnn evaluate: CNNs on labelled image stacks (cutout triplets, single-band stamps);
// argument parsing and printing only, the work is in src/dl (and metrics/plots in src/ml).
#include <cstdio>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "apps/rivulet/commands.hpp"
#include "common/error.hpp"
#include "dl/keras_model.hpp"
#include "dl/training.hpp"
#include "ml/metrics.hpp"
#include "ml/svg_plot.hpp"

namespace rivulet::cli {
namespace {

struct DataOptions {
    std::string data, labels;
    dl::ImageSetColumns columns;
};

void AddDataOptions(CLI::App *cmd, DataOptions &d) {
    cmd->add_option("--data", d.data, "float32 .npy: N x H x W (one band) or N x H x W x C (e.g. triplets N x 63 x 63 x 3)")
        ->required();
    cmd->add_option("--labels", d.labels, "CSV with a header and one row per image, in the same order")->required();
    cmd->add_option("--label", d.columns.label, "label column")->capture_default_str();
    cmd->add_option("--positive", d.columns.positive, "label value of the positive class")->capture_default_str();
    cmd->add_option("--id", d.columns.id, "id column copied to --scores");
}

void WritePlots(const std::filesystem::path &dir, const std::vector<double> &s, const std::vector<uint8_t> &y,
                const std::string &positive, const std::string &title) {
    std::filesystem::create_directories(dir);
    ml::WriteRocSvg(ml::RocCurve(s, y), ml::Auc(s, y), title + ": ROC", dir / "roc.svg");
    ml::WriteScoreCdfSvg(s, y, "label " + positive, "other", title + ": cumulative scores", dir / "score_cdf.svg");
}

void PrintMetrics(const nlohmann::json &m) {
    std::printf("AUC %.4f  accuracy %.4f  FPR %.4f  FNR %.4f (threshold %.2f)  FNR@FPR%.0f%% %.4f  TPR@FPR0.5%% %.4f\n",
                m["auc"].get<double>(), m["accuracy"].get<double>(), m["fpr"].get<double>(), m["fnr"].get<double>(),
                m["threshold"].get<double>(), 100 * m["fixed_fpr"].get<double>(), m["fnr_at_fixed_fpr"].get<double>(),
                m["tpr_at_fpr_0.005"].get<double>());
}

void AddCnnTrain(CLI::App &cnn, int &exit_code) {
    struct Options {
        DataOptions data;
        std::string out, normalization = "cutout_l2", plots;
        dl::TrainOptions train;
        bool no_augment = false, no_class_weights = false, json = false;
    };
    auto o = std::make_shared<Options>();
    auto *cmd = cnn.add_subcommand("train", "Train a CNN on labelled images; keep a held-out split; save Keras files");
    AddDataOptions(cmd, o->data);
    cmd->add_option("--arch", o->train.arch, "braai (VGG6, Duev et al. 2019) or small")
        ->check(CLI::IsMember(dl::ArchitectureNames()))
        ->capture_default_str();
    cmd->add_option("--out", o->out, "model path prefix: writes <out>.architecture.json and <out>.weights.h5")->required();
    cmd->add_option("--normalization", o->normalization, "input preparation: row_l2, cutout_l2, sky_l2, none")
        ->check(CLI::IsMember({"row_l2", "cutout_l2", "sky_l2", "none"}))
        ->capture_default_str();
    cmd->add_option("--epochs", o->train.max_epochs, "most epochs")->capture_default_str();
    cmd->add_option("--patience", o->train.patience, "early stopping: epochs without a better validation loss")
        ->capture_default_str();
    cmd->add_option("--batch", o->train.batch_size, "images per step")->capture_default_str();
    cmd->add_option("--lr", o->train.learning_rate, "Adam learning rate")->capture_default_str();
    cmd->add_option("--validation", o->train.validation_fraction, "validation fraction (early stopping)")
        ->capture_default_str();
    cmd->add_option("--holdout", o->train.holdout_fraction, "held-out fraction, never trained on (cnn evaluate --holdout)")
        ->capture_default_str();
    cmd->add_flag("--no-augment", o->no_augment, "no random flips / 90° rotations");
    cmd->add_flag("--no-class-weights", o->no_class_weights, "no n / (2 n_class) loss weights");
    cmd->add_option("--seed", o->train.seed, "seed of splits, initial weights, shuffling, augmentation, dropout")
        ->capture_default_str();
    cmd->add_option("--threads", o->train.threads, "libtorch threads (0: all cores)")->capture_default_str();
    cmd->add_option("--model-version", o->train.model_version, "version stored in the model (default <arch>_<normalization>)");
    cmd->add_option("--plots", o->plots, "write the validation split's roc.svg and score_cdf.svg here");
    cmd->add_flag("--json", o->json, "print the training summary as JSON");
    cmd->callback([o, &exit_code] {
        o->train.normalization = *dl::ParseNormalization(o->normalization);
        o->train.augment = !o->no_augment;
        o->train.balance_classes = !o->no_class_weights;
        dl::ImageSet images = dl::ReadImageSet(o->data.data, o->data.labels, o->data.columns);
        dl::TrainResult r = dl::TrainCnn(images, o->train);
        r.model.metadata["training"]["data"] = o->data.data;
        r.model.metadata["training"]["labels"] = o->data.labels;
        r.model.metadata["training"]["label"] = o->data.columns.label;
        r.model.metadata["training"]["positive"] = o->data.columns.positive;
        r.model.metadata["training"]["seconds"] = r.seconds;
        dl::WriteKerasModel(r.model, o->out);
        for (const auto &e : r.history)
            std::fprintf(stderr, "epoch %3d  train loss %.4f  validation loss %.4f  AUC %.4f%s\n", e.epoch, e.train_loss,
                         e.validation_loss, e.validation_auc, e.epoch == r.best_epoch ? "  *" : "");
        const std::string version = r.model.metadata["model_version"].get<std::string>();
        if (!o->plots.empty()) {
            dl::ImageSet val = images.Subset(r.validation_rows);
            WritePlots(o->plots, dl::PredictCnn(r.model, val), val.label, o->data.columns.positive, version + " validation");
        }
        nlohmann::json summary = r.model.metadata;
        summary["training"].erase("holdout_rows");
        summary["n_holdout"] = r.holdout_rows.size();
        summary["out"] = o->out;
        if (o->json) {
            std::printf("%s\n", summary.dump(2).c_str());
        } else {
            std::printf("trained %s (%s) on %zu images in %.1f s: best epoch %d of %zu, validation AUC %.4f; %zu held out → %s\n",
                        o->train.arch.c_str(), version.c_str(), r.train_rows.size(), r.seconds, r.best_epoch,
                        r.history.size(), r.history[static_cast<std::size_t>(r.best_epoch - 1)].validation_auc,
                        r.holdout_rows.size(), o->out.c_str());
        }
        exit_code = kExitOk;
    });
}

void AddCnnEvaluate(CLI::App &cnn, int &exit_code) {
    struct Options {
        DataOptions data;
        std::string model, plots, scores;
        double threshold = 0.5, fixed_fpr = 0.01;
        bool holdout = false, json = false;
    };
    auto o = std::make_shared<Options>();
    auto *cmd = cnn.add_subcommand("evaluate", "Score labelled images with a CNN and print its metrics");
    cmd->add_option("--model", o->model, "model path prefix (<prefix>.architecture.json + .weights.h5)")->required();
    AddDataOptions(cmd, o->data);
    cmd->add_flag("--holdout", o->holdout, "only the rows the model held out when it was trained on this data");
    cmd->add_option("--threshold", o->threshold, "score threshold for accuracy/FPR/FNR")->capture_default_str();
    cmd->add_option("--fixed-fpr", o->fixed_fpr, "FPR at which the FNR is reported")->capture_default_str();
    cmd->add_option("--plots", o->plots, "write roc.svg and score_cdf.svg here");
    cmd->add_option("--scores", o->scores, "write id,score,label per image to this CSV");
    cmd->add_flag("--json", o->json, "print metrics as JSON");
    cmd->callback([o, &exit_code] {
        dl::KerasModel model = dl::ReadKerasModel(o->model);
        dl::ImageSet images = dl::ReadImageSet(o->data.data, o->data.labels, o->data.columns);
        if (o->holdout) {
            const auto &t = model.metadata.value("training", nlohmann::json::object());
            if (!t.contains("holdout_rows"))
                throw RivuletError(ErrorKind::kInvalidInput, fmt::format("{}: the model records no held-out rows", o->model));
            auto rows = t["holdout_rows"].get<std::vector<std::size_t>>();
            for (std::size_t r : rows)
                if (r >= images.count)
                    throw RivuletError(ErrorKind::kInvalidInput,
                                       fmt::format("held-out row {} is beyond the {} images of {}", r, images.count, o->data.data));
            images = images.Subset(rows);
        }
        std::vector<double> s = dl::PredictCnn(model, images);
        nlohmann::json m = ml::EvaluateBinary(s, images.label, o->threshold, o->fixed_fpr).ToJson();
        const std::string version = model.metadata.value("model_version", std::filesystem::path(o->model).filename().string());
        m["model_version"] = version;
        m["rows"] = images.count;
        m["normalization"] = dl::NormalizationName(dl::ModelNormalization(model));
        if (!o->plots.empty()) WritePlots(o->plots, s, images.label, o->data.columns.positive, version);
        if (!o->scores.empty()) {
            std::ofstream out(o->scores);
            out << "id,score,label\n";
            for (std::size_t i = 0; i < s.size(); ++i) out << images.id[i] << ',' << fmt::format("{}", s[i]) << ',' << int(images.label[i]) << '\n';
            if (!out) throw RivuletError(ErrorKind::kIo, fmt::format("cannot write {}", o->scores));
        }
        if (o->json) std::printf("%s\n", m.dump(2).c_str());
        else PrintMetrics(m);
        exit_code = kExitOk;
    });
}

void AddCnn(CLI::App &app, int &exit_code) {
    auto *cnn = app.add_subcommand("cnn", "CNNs on cutout images: train, evaluate");
    cnn->require_subcommand(1);
    AddCnnTrain(*cnn, exit_code);
    AddCnnEvaluate(*cnn, exit_code);
}

}  // namespace

RIVULET_REGISTER_COMMAND(75, AddCnn);

}  // namespace rivulet::cli
