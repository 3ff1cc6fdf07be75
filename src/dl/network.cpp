#include "dl/network.hpp"

#include <random>

#include <fmt/format.h>

#include "common/error.hpp"

namespace rivulet::dl {
namespace {

namespace F = torch::nn::functional;

torch::Tensor FromKeras(const WeightArray &w) {
    std::vector<int64_t> shape(w.shape.begin(), w.shape.end());
    // from_blob does not own the memory: clone right away.
    return torch::from_blob(const_cast<float *>(w.values.data()), shape, torch::kFloat32).clone();
}

WeightArray ToKeras(const torch::Tensor &t) {
    torch::Tensor c = t.detach().to(torch::kFloat32).contiguous();
    WeightArray w;
    for (int64_t d : c.sizes()) w.shape.push_back(static_cast<std::size_t>(d));
    w.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return w;
}

//! oneDNN serves float32 CPU tensors when libtorch was built with it (Debian's is: USE_MKLDNN=ON).
bool UseOneDnn(const torch::Tensor &x) {
    return at::hasMKLDNN() && at::globalContext().userEnabledMkldnn() && x.device().is_cpu() &&
           x.scalar_type() == torch::kFloat32;
}

torch::Tensor Activate(torch::Tensor x, Activation a) {
    switch (a) {
        case Activation::kRelu: return torch::relu(x);
        case Activation::kSigmoid: return torch::sigmoid(x);
        case Activation::kLinear: return x;
    }
    return x;
}

}  // namespace

Network::Network(const KerasModel &model, bool trainable) : spec_(model) {
    spec_.Validate(true);
    weight_.resize(spec_.layers.size());
    bias_.resize(spec_.layers.size());
    for (std::size_t i = 0; i < spec_.layers.size(); ++i) {
        const LayerSpec &l = spec_.layers[i];
        if (!l.HasWeights()) continue;
        const auto &w = spec_.weights[i];
        torch::Tensor kernel = FromKeras(w[0]);
        // Keras Conv2D kernels are (kh, kw, in, out), torch wants (out, in, kh, kw); Dense (in, out) → (out, in).
        weight_[i] = (l.kind == LayerKind::kConv2D ? kernel.permute({3, 2, 0, 1}) : kernel.t()).contiguous();
        if (l.use_bias) bias_[i] = FromKeras(w[1]);
        if (trainable) {
            weight_[i].set_requires_grad(true);
            if (bias_[i].defined()) bias_[i].set_requires_grad(true);
        }
    }
    for (auto &w : spec_.weights) w.clear();
}

torch::Tensor Network::Forward(const torch::Tensor &input, bool training, bool logits) const {
    TORCH_CHECK(input.dim() == 4 && input.size(1) == spec_.input_height && input.size(2) == spec_.input_width &&
                    input.size(3) == spec_.input_channels,
                "network input must be (N, ", spec_.input_height, ", ", spec_.input_width, ", ",
                spec_.input_channels, ")");
    torch::Tensor x = input.permute({0, 3, 1, 2});  // NHWC → NCHW for torch's kernels
    bool flat = false;
    const std::size_t n_layers = spec_.layers.size();
    for (std::size_t i = 0; i < n_layers; ++i) {
        const LayerSpec &l = spec_.layers[i];
        const bool last = i + 1 == n_layers;
        // With `logits`, the sigmoid of the last layer (or of a trailing Activation layer) is skipped.
        const Activation act = (logits && last && l.activation == Activation::kSigmoid) ? Activation::kLinear : l.activation;
        switch (l.kind) {
            case LayerKind::kConv2D: {
                if (!training && UseOneDnn(x)) {
                    // Inference straight on oneDNN: at::conv2d would fall back to im2col + the system BLAS
                    // for small batches (Debian's default libblas is the slow reference one).
                    const int64_t ph = l.same_padding ? l.kernel_h / 2 : 0, pw = l.same_padding ? l.kernel_w / 2 : 0;
                    x = Activate(at::mkldnn_convolution(x.contiguous(), weight_[i], bias_[i], {ph, pw},
                                                        {l.stride_h, l.stride_w}, {1, 1}, 1),
                                 act);
                    break;
                }
                auto options = F::Conv2dFuncOptions().stride({l.stride_h, l.stride_w});
                if (l.same_padding) options.padding({l.kernel_h / 2, l.kernel_w / 2});
                if (bias_[i].defined()) options.bias(bias_[i]);
                x = Activate(F::conv2d(x, weight_[i], options), act);
                break;
            }
            case LayerKind::kMaxPooling2D:
                x = F::max_pool2d(x, F::MaxPool2dFuncOptions({l.pool_h, l.pool_w}).stride({l.stride_h, l.stride_w}));
                break;
            case LayerKind::kDropout:
                if (training && l.rate > 0) x = F::dropout(x, F::DropoutFuncOptions().p(l.rate).training(true));
                break;
            case LayerKind::kFlatten:
                // Keras flattens channels-last (row, column, channel).
                if (!flat) x = x.permute({0, 2, 3, 1}).reshape({x.size(0), -1});
                flat = true;
                break;
            case LayerKind::kDense:
                if (!training && UseOneDnn(x)) {
                    // A dense layer is a 1×1 convolution of a 1×1 image: oneDNN again instead of reference BLAS.
                    const int64_t n = x.size(0), out = weight_[i].size(0), in = weight_[i].size(1);
                    x = Activate(at::mkldnn_convolution(x.reshape({n, in, 1, 1}).contiguous(),
                                                        weight_[i].reshape({out, in, 1, 1}), bias_[i], {0, 0}, {1, 1},
                                                        {1, 1}, 1)
                                     .reshape({n, out}),
                                 act);
                    break;
                }
                x = Activate(F::linear(x, weight_[i], bias_[i]), act);
                break;
            case LayerKind::kActivation: x = Activate(x, act); break;
        }
    }
    if (!flat) x = x.permute({0, 2, 3, 1}).reshape({x.size(0), -1});
    return x;
}

std::vector<torch::Tensor> Network::Parameters() const {
    std::vector<torch::Tensor> p;
    for (std::size_t i = 0; i < weight_.size(); ++i) {
        if (weight_[i].defined()) p.push_back(weight_[i]);
        if (bias_[i].defined()) p.push_back(bias_[i]);
    }
    return p;
}

std::vector<torch::Tensor> Network::Snapshot() const {
    std::vector<torch::Tensor> s;
    for (const auto &t : Parameters()) s.push_back(t.detach().clone());
    return s;
}

void Network::Restore(const std::vector<torch::Tensor> &snapshot) {
    torch::NoGradGuard no_grad;
    auto params = Parameters();
    TORCH_CHECK(params.size() == snapshot.size(), "snapshot does not match the network");
    for (std::size_t k = 0; k < params.size(); ++k) params[k].copy_(snapshot[k]);
}

void Network::ExportWeights(KerasModel &model) const {
    model.weights.assign(spec_.layers.size(), {});
    for (std::size_t i = 0; i < spec_.layers.size(); ++i) {
        const LayerSpec &l = spec_.layers[i];
        if (!l.HasWeights()) continue;
        torch::Tensor w = l.kind == LayerKind::kConv2D ? weight_[i].permute({2, 3, 1, 0}) : weight_[i].t();
        model.weights[i].push_back(ToKeras(w));
        if (bias_[i].defined()) model.weights[i].push_back(ToKeras(bias_[i]));
    }
}

void InitializeWeights(KerasModel &model, std::uint64_t seed) {
    auto shapes = model.LayerOutputShapes();
    std::mt19937_64 rng(seed);
    model.weights.assign(model.layers.size(), {});
    std::array<int, 3> in{model.input_height, model.input_width, model.input_channels};
    for (std::size_t i = 0; i < model.layers.size(); ++i) {
        const LayerSpec &l = model.layers[i];
        if (l.HasWeights()) {
            WeightArray kernel, bias;
            std::size_t fan_in, fan_out;
            if (l.kind == LayerKind::kConv2D) {
                kernel.shape = {std::size_t(l.kernel_h), std::size_t(l.kernel_w), std::size_t(in[2]), std::size_t(l.filters)};
                fan_in = std::size_t(l.kernel_h * l.kernel_w * in[2]);
                fan_out = std::size_t(l.kernel_h * l.kernel_w * l.filters);
                bias.shape = {std::size_t(l.filters)};
            } else {
                kernel.shape = {std::size_t(in[2]), std::size_t(l.units)};
                fan_in = std::size_t(in[2]);
                fan_out = std::size_t(l.units);
                bias.shape = {std::size_t(l.units)};
            }
            const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
            std::uniform_real_distribution<double> u(-limit, limit);
            std::size_t n = 1;
            for (auto d : kernel.shape) n *= d;
            kernel.values.resize(n);
            for (float &v : kernel.values) v = static_cast<float>(u(rng));
            bias.values.assign(bias.shape[0], 0.0f);
            model.weights[i].push_back(std::move(kernel));
            if (l.use_bias) model.weights[i].push_back(std::move(bias));
        }
        in = shapes[i];
    }
}

}  // namespace rivulet::dl
