#include "dl/training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>

#include "common/error.hpp"
#include "dl/network.hpp"
#include "ml/metrics.hpp"

namespace rivulet::dl {
namespace {

namespace F = torch::nn::functional;

[[noreturn]] void Invalid(const std::string &message) { throw RivuletError(ErrorKind::kInvalidInput, message); }

LayerSpec Conv(const std::string &name, int filters, bool same) {
    LayerSpec l;
    l.kind = LayerKind::kConv2D;
    l.name = name;
    l.filters = filters;
    l.kernel_h = l.kernel_w = 3;
    l.same_padding = same;
    l.activation = Activation::kRelu;
    return l;
}
LayerSpec Pool(const std::string &name, int size) {
    LayerSpec l;
    l.kind = LayerKind::kMaxPooling2D;
    l.name = name;
    l.pool_h = l.pool_w = l.stride_h = l.stride_w = size;
    return l;
}
LayerSpec Dropout(const std::string &name, double rate) {
    LayerSpec l;
    l.kind = LayerKind::kDropout;
    l.name = name;
    l.rate = rate;
    return l;
}
LayerSpec Flatten(const std::string &name) {
    LayerSpec l;
    l.kind = LayerKind::kFlatten;
    l.name = name;
    return l;
}
LayerSpec Dense(const std::string &name, int units, Activation a) {
    LayerSpec l;
    l.kind = LayerKind::kDense;
    l.name = name;
    l.units = units;
    l.activation = a;
    return l;
}

torch::Tensor ToTensor(const ImageSet &s) {
    return torch::from_blob(const_cast<float *>(s.pixels.data()),
                            {static_cast<int64_t>(s.count), s.height, s.width, s.channels}, torch::kFloat32)
        .clone();
}

//! Applies one of the 8 flips/rotations (4 when the images are not square) to each image of the batch.
torch::Tensor Augment(const torch::Tensor &batch, std::mt19937_64 &rng) {
    const bool square = batch.size(1) == batch.size(2);
    const int64_t n = batch.size(0);
    std::uniform_int_distribution<int> pick(0, square ? 7 : 3);
    std::vector<std::vector<int64_t>> groups(8);
    for (int64_t i = 0; i < n; ++i) groups[static_cast<std::size_t>(pick(rng))].push_back(i);
    torch::Tensor out = torch::empty_like(batch);
    for (int g = 0; g < 8; ++g) {
        if (groups[static_cast<std::size_t>(g)].empty()) continue;
        auto idx = torch::tensor(groups[static_cast<std::size_t>(g)], torch::kInt64);
        torch::Tensor x = batch.index_select(0, idx);
        // Non-square: g in 0..3 = {identity, flip rows, flip columns, both} (rotation by 180° is "both").
        const int rotation = square ? g % 4 : 0;
        const bool flip = square ? g >= 4 : (g & 1);
        if (rotation) x = torch::rot90(x, rotation, {1, 2});
        if (flip) x = torch::flip(x, {2});
        if (!square && (g & 2)) x = torch::flip(x, {1});
        out.index_copy_(0, idx, x);
    }
    return out;
}

struct Evaluation {
    double loss = 0, auc = 0;
};

Evaluation Evaluate(const Network &net, const torch::Tensor &x, const torch::Tensor &y, const torch::Tensor &w,
                    std::size_t batch_size) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> parts;
    for (int64_t i = 0; i < x.size(0); i += static_cast<int64_t>(batch_size))
        parts.push_back(net.Forward(x.slice(0, i, std::min<int64_t>(x.size(0), i + static_cast<int64_t>(batch_size))),
                                    false, true).reshape({-1}));
    torch::Tensor logits = torch::cat(parts);
    Evaluation e;
    e.loss = F::binary_cross_entropy_with_logits(logits, y, F::BinaryCrossEntropyWithLogitsFuncOptions().weight(w))
                 .item<double>();
    torch::Tensor p = torch::sigmoid(logits).to(torch::kFloat64).contiguous();
    std::vector<double> scores(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
    torch::Tensor yi = y.to(torch::kUInt8).contiguous();
    std::vector<uint8_t> positive(yi.data_ptr<uint8_t>(), yi.data_ptr<uint8_t>() + yi.numel());
    e.auc = ml::Auc(scores, positive);
    return e;
}

}  // namespace

std::vector<std::string> ArchitectureNames() { return {"braai", "small"}; }

KerasModel MakeArchitecture(const std::string &arch, int height, int width, int channels) {
    KerasModel m;
    m.input_height = height, m.input_width = width, m.input_channels = channels;
    if (arch == "braai") {
        m.name = "VGG6";
        m.layers = {Conv("conv1", 16, false), Conv("conv2", 16, false), Pool("max_pooling2d", 2),
                    Dropout("dropout", 0.25), Conv("conv3", 32, false), Conv("conv4", 32, false),
                    Pool("max_pooling2d_1", 4), Dropout("dropout_1", 0.25), Flatten("flatten"),
                    Dense("fc1", 256, Activation::kRelu), Dropout("dropout_2", 0.5),
                    Dense("fc_out", 1, Activation::kSigmoid)};
    } else if (arch == "small") {
        m.name = "Small";
        m.layers = {Conv("conv1", 16, true), Pool("max_pooling2d", 2), Conv("conv2", 32, true),
                    Pool("max_pooling2d_1", 2), Dropout("dropout", 0.25), Flatten("flatten"),
                    Dense("fc1", 64, Activation::kRelu), Dropout("dropout_1", 0.3),
                    Dense("fc_out", 1, Activation::kSigmoid)};
    } else {
        Invalid(fmt::format("unknown architecture '{}' (known: {})", arch, fmt::join(ArchitectureNames(), ", ")));
    }
    try {
        m.LayerOutputShapes();
    } catch (const RivuletError &e) {
        Invalid(fmt::format("architecture {} does not fit {}x{}x{} inputs: {}", arch, height, width, channels, e.what()));
    }
    return m;
}

Normalization ModelNormalization(const KerasModel &model) {
    if (model.metadata.contains("normalization"))
        if (auto n = ParseNormalization(model.metadata["normalization"].get<std::string>())) return *n;
    if (model.metadata.contains("model_version"))
        if (auto n = BraaiNormalizationForVersion(model.metadata["model_version"].get<std::string>())) return *n;
    return Normalization::kCutoutL2;
}

TrainResult TrainCnn(const ImageSet &images, const TrainOptions &o) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t positives = static_cast<std::size_t>(std::count(images.label.begin(), images.label.end(), 1));
    if (positives == 0 || positives == images.count) Invalid("training needs images of both classes");
    if (images.count < 20) Invalid(fmt::format("training needs at least 20 images, got {}", images.count));
    if (o.max_epochs <= 0 || o.batch_size == 0) Invalid("max_epochs and batch_size must be positive");
    if (o.threads > 0) torch::set_num_threads(o.threads);
    torch::manual_seed(o.seed);  // dropout masks

    TrainResult r;
    std::vector<std::size_t> all(images.count);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    std::vector<std::size_t> rest = all;
    if (o.holdout_fraction > 0) std::tie(r.holdout_rows, rest) = StratifiedSplit(images.label, all, o.holdout_fraction, o.seed);
    std::tie(r.validation_rows, r.train_rows) = StratifiedSplit(images.label, rest, o.validation_fraction, o.seed + 1);
    if (r.validation_rows.empty() || r.train_rows.empty()) Invalid("too few images for a validation split");

    ImageSet train = images.Subset(r.train_rows), validation = images.Subset(r.validation_rows);
    train.Normalize(o.normalization);
    validation.Normalize(o.normalization);

    const double n = static_cast<double>(train.count);
    const double n1 = static_cast<double>(std::count(train.label.begin(), train.label.end(), 1));
    if (n1 == 0 || n1 == n) Invalid("the training split lacks a class");
    if (o.balance_classes) r.class_weight[0] = n / (2 * (n - n1)), r.class_weight[1] = n / (2 * n1);

    auto labels = [](const ImageSet &s) {
        std::vector<float> v(s.label.begin(), s.label.end());
        return torch::tensor(v, torch::kFloat32);
    };
    auto weights_of = [&](const torch::Tensor &y) { return y * r.class_weight[1] + (1 - y) * r.class_weight[0]; };
    torch::Tensor x_train = ToTensor(train), y_train = labels(train);
    torch::Tensor x_val = ToTensor(validation), y_val = labels(validation);
    torch::Tensor w_val = weights_of(y_val);

    KerasModel model = MakeArchitecture(o.arch, images.height, images.width, images.channels);
    InitializeWeights(model, o.seed);
    Network net(model, true);
    torch::optim::Adam optimizer(net.Parameters(), torch::optim::AdamOptions(o.learning_rate));

    std::mt19937_64 rng(o.seed + 2);
    double best_loss = std::numeric_limits<double>::infinity();
    std::vector<torch::Tensor> best = net.Snapshot();
    int since_best = 0;
    std::vector<int64_t> order(train.count);
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
    for (int epoch = 1; epoch <= o.max_epochs; ++epoch) {
        std::shuffle(order.begin(), order.end(), rng);
        double loss_sum = 0;
        for (std::size_t b = 0; b < order.size(); b += o.batch_size) {
            std::vector<int64_t> idx(order.begin() + static_cast<std::ptrdiff_t>(b),
                                     order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), b + o.batch_size)));
            auto index = torch::tensor(idx, torch::kInt64);
            torch::Tensor xb = x_train.index_select(0, index), yb = y_train.index_select(0, index);
            if (o.augment) xb = Augment(xb, rng);
            optimizer.zero_grad();
            torch::Tensor logits = net.Forward(xb, true, true).reshape({-1});
            torch::Tensor loss = F::binary_cross_entropy_with_logits(
                logits, yb, F::BinaryCrossEntropyWithLogitsFuncOptions().weight(weights_of(yb)));
            loss.backward();
            optimizer.step();
            loss_sum += loss.item<double>() * static_cast<double>(idx.size());
        }
        Evaluation v = Evaluate(net, x_val, y_val, w_val, 256);
        r.history.push_back({epoch, loss_sum / n, v.loss, v.auc});
        if (v.loss < best_loss) {
            best_loss = v.loss;
            best = net.Snapshot();
            r.best_epoch = epoch;
            since_best = 0;
        } else if (++since_best >= o.patience) {
            break;
        }
    }
    net.Restore(best);
    net.ExportWeights(model);
    model.metadata = {
        {"model_version", o.model_version.empty() ? o.arch + "_" + NormalizationName(o.normalization) : o.model_version},
        {"normalization", NormalizationName(o.normalization)},
        {"arch", o.arch},
        {"training",
         {{"seed", o.seed},
          {"epochs_run", r.history.size()},
          {"best_epoch", r.best_epoch},
          {"best_validation_loss", best_loss},
          {"validation_auc", r.history[static_cast<std::size_t>(r.best_epoch - 1)].validation_auc},
          {"batch_size", o.batch_size},
          {"learning_rate", o.learning_rate},
          {"augment", o.augment},
          {"class_weight", {r.class_weight[0], r.class_weight[1]}},
          {"n_train", r.train_rows.size()},
          {"n_validation", r.validation_rows.size()},
          {"holdout_rows", r.holdout_rows}}}};
    r.model = std::move(model);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

std::vector<double> PredictCnn(const KerasModel &model, const ImageSet &images, std::size_t batch_size) {
    if (images.height != model.input_height || images.width != model.input_width ||
        images.channels != model.input_channels)
        Invalid(fmt::format("images are {}x{}x{}, the model takes {}x{}x{}", images.height, images.width,
                            images.channels, model.input_height, model.input_width, model.input_channels));
    ImageSet prepared = images;
    prepared.Normalize(ModelNormalization(model));
    Network net(model);
    c10::InferenceMode guard;
    torch::Tensor x = torch::from_blob(prepared.pixels.data(),
                                       {static_cast<int64_t>(prepared.count), prepared.height, prepared.width,
                                        prepared.channels}, torch::kFloat32);
    std::vector<double> out;
    out.reserve(prepared.count);
    const auto step = static_cast<int64_t>(std::max<std::size_t>(1, batch_size));
    for (int64_t i = 0; i < x.size(0); i += step) {
        torch::Tensor p = net.Forward(x.slice(0, i, std::min(x.size(0), i + step))).reshape({-1}).to(torch::kFloat64).contiguous();
        out.insert(out.end(), p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
    }
    return out;
}

}  // namespace rivulet::dl
