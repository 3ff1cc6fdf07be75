#include "dl/keras_model.hpp"

#include <hdf5.h>

#include <fstream>
#include <numeric>
#include <utility>

#include <fmt/format.h>

#include "common/error.hpp"

namespace rivulet::dl {
namespace {

[[noreturn]] void Invalid(const std::string &message) { throw RivuletError(ErrorKind::kInvalidInput, message); }

Activation ParseActivation(const nlohmann::json &config, const std::string &layer) {
    std::string a = config.value("activation", std::string("linear"));
    if (a == "linear") return Activation::kLinear;
    if (a == "relu") return Activation::kRelu;
    if (a == "sigmoid") return Activation::kSigmoid;
    Invalid(fmt::format("layer {}: activation '{}' is not supported (linear, relu, sigmoid)", layer, a));
}

const char *ActivationName(Activation a) {
    switch (a) {
        case Activation::kLinear: return "linear";
        case Activation::kRelu: return "relu";
        case Activation::kSigmoid: return "sigmoid";
    }
    return "linear";
}

std::pair<int, int> IntPair(const nlohmann::json &config, const char *key, const std::string &layer) {
    const auto it = config.find(key);
    if (it == config.end()) Invalid(fmt::format("layer {}: missing '{}'", layer, key));
    if (it->is_number_integer()) return {it->get<int>(), it->get<int>()};
    if (!it->is_array() || it->size() != 2) Invalid(fmt::format("layer {}: '{}' is not a pair", layer, key));
    return {(*it)[0].get<int>(), (*it)[1].get<int>()};
}

void CheckChannelsLast(const nlohmann::json &config, const std::string &layer) {
    if (config.contains("data_format") && config["data_format"] != "channels_last")
        Invalid(fmt::format("layer {}: only data_format channels_last is supported", layer));
}

bool ParsePadding(const nlohmann::json &config, const std::string &layer) {
    std::string p = config.value("padding", std::string("valid"));
    if (p != "valid" && p != "same") Invalid(fmt::format("layer {}: padding '{}' is not supported", layer, p));
    return p == "same";
}

int OutSize(int in, int window, int stride, bool same) {
    return same ? (in + stride - 1) / stride : (in - window) / stride + 1;
}

// ---- HDF5: small owning handles, so every early return or throw closes what was opened.

class H5Handle {
public:
    H5Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    H5Handle(const H5Handle &) = delete;
    H5Handle &operator=(const H5Handle &) = delete;
    ~H5Handle() {
        if (id_ >= 0) close_(id_);
    }
    hid_t get() const { return id_; }
    bool ok() const { return id_ >= 0; }

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

//! HDF5 prints its error stack on stderr by default; failures here become exceptions instead.
class QuietHdf5 {
public:
    QuietHdf5() {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    QuietHdf5(const QuietHdf5 &) = delete;
    QuietHdf5 &operator=(const QuietHdf5 &) = delete;
    ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

private:
    H5E_auto2_t func_ = nullptr;
    void *data_ = nullptr;
};

bool LinkExists(hid_t file, const std::string &path) {
    // H5Lexists needs every intermediate group to exist, so walk the path.
    std::size_t pos = 0;
    while (true) {
        pos = path.find('/', pos + 1);
        std::string prefix = path.substr(0, pos);
        if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
        if (pos == std::string::npos) return true;
    }
}

WeightArray ReadDataset(hid_t file, const std::string &path, const std::filesystem::path &file_name) {
    if (!LinkExists(file, path)) Invalid(fmt::format("{}: no dataset {}", file_name.string(), path));
    H5Handle ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) Invalid(fmt::format("{}: cannot open dataset {}", file_name.string(), path));
    H5Handle type(H5Dget_type(ds.get()), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_FLOAT)
        Invalid(fmt::format("{}: dataset {} is not floating point", file_name.string(), path));
    H5Handle space(H5Dget_space(ds.get()), H5Sclose);
    int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 1 || rank > 4) Invalid(fmt::format("{}: dataset {} has rank {}", file_name.string(), path, rank));
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    WeightArray w;
    std::size_t n = 1;
    for (hsize_t d : dims) {
        // A braai kernel has ~300k values; refuse absurd headers before allocating.
        if (d == 0 || d > (hsize_t{1} << 24)) Invalid(fmt::format("{}: dataset {} has a bad shape", file_name.string(), path));
        w.shape.push_back(static_cast<std::size_t>(d));
        n *= static_cast<std::size_t>(d);
    }
    if (n > (std::size_t{1} << 28)) Invalid(fmt::format("{}: dataset {} is too large", file_name.string(), path));
    w.values.resize(n);
    if (H5Dread(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, w.values.data()) < 0)
        Invalid(fmt::format("{}: cannot read dataset {}", file_name.string(), path));
    return w;
}

void WriteStringAttribute(hid_t object, const char *name, const std::vector<std::string> &values, bool scalar) {
    std::size_t width = 1;
    for (const auto &v : values) width = std::max(width, v.size());
    H5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), width);
    H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
    hsize_t n = values.size();
    H5Handle space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);
    H5Handle attr(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    std::string buffer(width * values.size(), '\0');
    for (std::size_t i = 0; i < values.size(); ++i) buffer.replace(i * width, values[i].size(), values[i]);
    if (!attr.ok() || (!values.empty() && H5Awrite(attr.get(), type.get(), buffer.data()) < 0))
        throw RivuletError(ErrorKind::kIo, fmt::format("cannot write HDF5 attribute {}", name));
}

void WriteDataset(hid_t group, const std::string &name, const WeightArray &w) {
    std::vector<hsize_t> dims(w.shape.begin(), w.shape.end());
    H5Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    H5Handle ds(H5Dcreate2(group, name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                H5Dclose);
    if (!ds.ok() || H5Dwrite(ds.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, w.values.data()) < 0)
        throw RivuletError(ErrorKind::kIo, fmt::format("cannot write HDF5 dataset {}", name));
}

std::vector<std::string> WeightNames(const LayerSpec &layer) {
    if (!layer.HasWeights()) return {};
    std::vector<std::string> names{layer.name + "/kernel:0"};
    if (layer.use_bias) names.push_back(layer.name + "/bias:0");
    return names;
}

}  // namespace

std::filesystem::path ArchitecturePath(const std::filesystem::path &prefix) {
    return std::filesystem::path(prefix.string() + ".architecture.json");
}
std::filesystem::path WeightsPath(const std::filesystem::path &prefix) {
    return std::filesystem::path(prefix.string() + ".weights.h5");
}

std::vector<std::array<int, 3>> KerasModel::LayerOutputShapes() const {
    if (input_height <= 0 || input_width <= 0 || input_channels <= 0) Invalid("model has no input shape");
    std::array<int, 3> s{input_height, input_width, input_channels};
    bool flat = false;
    std::vector<std::array<int, 3>> out;
    for (const LayerSpec &l : layers) {
        switch (l.kind) {
            case LayerKind::kConv2D:
            case LayerKind::kMaxPooling2D: {
                if (flat) Invalid(fmt::format("layer {}: 2-D layer after Flatten/Dense", l.name));
                bool conv = l.kind == LayerKind::kConv2D;
                int wh = conv ? l.kernel_h : l.pool_h, ww = conv ? l.kernel_w : l.pool_w;
                if (wh <= 0 || ww <= 0 || l.stride_h <= 0 || l.stride_w <= 0)
                    Invalid(fmt::format("layer {}: bad window or strides", l.name));
                if (!l.same_padding && (wh > s[0] || ww > s[1]))
                    Invalid(fmt::format("layer {}: window {}x{} larger than its {}x{} input", l.name, wh, ww, s[0], s[1]));
                s = {OutSize(s[0], wh, l.stride_h, l.same_padding), OutSize(s[1], ww, l.stride_w, l.same_padding),
                     conv ? l.filters : s[2]};
                if (conv && l.filters <= 0) Invalid(fmt::format("layer {}: no filters", l.name));
                break;
            }
            case LayerKind::kFlatten:
                s = {1, 1, s[0] * s[1] * s[2]};
                flat = true;
                break;
            case LayerKind::kDense:
                if (!flat) Invalid(fmt::format("layer {}: Dense on a 2-D input needs a Flatten first", l.name));
                if (l.units <= 0) Invalid(fmt::format("layer {}: no units", l.name));
                s = {1, 1, l.units};
                break;
            case LayerKind::kDropout:
                if (l.rate < 0 || l.rate >= 1) Invalid(fmt::format("layer {}: dropout rate outside [0, 1)", l.name));
                break;
            case LayerKind::kActivation: break;
        }
        out.push_back(s);
    }
    return out;
}

void KerasModel::Validate(bool require_weights) const {
    auto shapes = LayerOutputShapes();
    if (require_weights && weights.size() != layers.size()) Invalid("model weights do not match its layers");
    std::array<int, 3> in{input_height, input_width, input_channels};
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const LayerSpec &l = layers[i];
        if (require_weights && l.HasWeights()) {
            std::vector<std::vector<std::size_t>> expected;
            if (l.kind == LayerKind::kConv2D) {
                expected.push_back({std::size_t(l.kernel_h), std::size_t(l.kernel_w), std::size_t(in[2]),
                                    std::size_t(l.filters)});
                if (l.use_bias) expected.push_back({std::size_t(l.filters)});
            } else {
                expected.push_back({std::size_t(in[2]), std::size_t(l.units)});
                if (l.use_bias) expected.push_back({std::size_t(l.units)});
            }
            const auto &w = weights[i];
            if (w.size() != expected.size()) Invalid(fmt::format("layer {}: {} weight arrays, expected {}", l.name, w.size(), expected.size()));
            for (std::size_t k = 0; k < w.size(); ++k) {
                std::size_t n = std::accumulate(w[k].shape.begin(), w[k].shape.end(), std::size_t{1}, std::multiplies<>());
                if (w[k].shape != expected[k] || w[k].values.size() != n)
                    Invalid(fmt::format("layer {}: weight {} has shape [{}], expected [{}]", l.name, k,
                                        fmt::join(w[k].shape, ","), fmt::join(expected[k], ",")));
            }
        }
        in = shapes[i];
    }
}

KerasModel ParseKerasArchitecture(const nlohmann::json &j) {
    KerasModel m;
    if (j.value("class_name", std::string()) != "Sequential") Invalid("only Keras Sequential models are supported");
    const nlohmann::json &config = j.at("config");
    // Keras 2.2 writes {"name", "layers"}; older versions a bare list of layers.
    const nlohmann::json &layers = config.is_array() ? config : config.at("layers");
    if (config.is_object()) m.name = config.value("name", m.name);
    for (const auto &lj : layers) {
        std::string cls = lj.at("class_name").get<std::string>();
        const nlohmann::json &c = lj.at("config");
        LayerSpec l;
        l.name = c.value("name", fmt::format("layer{}", m.layers.size()));
        if (c.contains("batch_input_shape")) {
            const auto &s = c["batch_input_shape"];
            if (s.size() != 4) Invalid(fmt::format("layer {}: input must be (batch, height, width, channels)", l.name));
            m.input_height = s[1].get<int>(), m.input_width = s[2].get<int>(), m.input_channels = s[3].get<int>();
        }
        if (cls == "InputLayer") continue;
        if (cls == "Conv2D") {
            l.kind = LayerKind::kConv2D;
            CheckChannelsLast(c, l.name);
            l.filters = c.at("filters").get<int>();
            std::tie(l.kernel_h, l.kernel_w) = IntPair(c, "kernel_size", l.name);
            std::tie(l.stride_h, l.stride_w) = c.contains("strides") ? IntPair(c, "strides", l.name) : std::pair{1, 1};
            if (c.contains("dilation_rate") && IntPair(c, "dilation_rate", l.name) != std::pair{1, 1})
                Invalid(fmt::format("layer {}: dilation is not supported", l.name));
            l.same_padding = ParsePadding(c, l.name);
            if (l.same_padding && (l.stride_h != 1 || l.stride_w != 1 || l.kernel_h % 2 == 0 || l.kernel_w % 2 == 0))
                Invalid(fmt::format("layer {}: 'same' padding is supported for stride 1 and odd kernels only", l.name));
            l.activation = ParseActivation(c, l.name);
            l.use_bias = c.value("use_bias", true);
        } else if (cls == "MaxPooling2D") {
            l.kind = LayerKind::kMaxPooling2D;
            CheckChannelsLast(c, l.name);
            std::tie(l.pool_h, l.pool_w) = IntPair(c, "pool_size", l.name);
            std::tie(l.stride_h, l.stride_w) =
                c.contains("strides") && !c["strides"].is_null() ? IntPair(c, "strides", l.name) : std::pair{l.pool_h, l.pool_w};
            l.same_padding = ParsePadding(c, l.name);
            if (l.same_padding) Invalid(fmt::format("layer {}: 'same' pooling is not supported", l.name));
        } else if (cls == "Dropout") {
            l.kind = LayerKind::kDropout;
            l.rate = c.at("rate").get<double>();
        } else if (cls == "Flatten") {
            l.kind = LayerKind::kFlatten;
            CheckChannelsLast(c, l.name);
        } else if (cls == "Dense") {
            l.kind = LayerKind::kDense;
            l.units = c.at("units").get<int>();
            l.activation = ParseActivation(c, l.name);
            l.use_bias = c.value("use_bias", true);
        } else if (cls == "Activation") {
            l.kind = LayerKind::kActivation;
            l.activation = ParseActivation(c, l.name);
        } else {
            Invalid(fmt::format("layer {}: Keras layer type {} is not supported", l.name, cls));
        }
        m.layers.push_back(std::move(l));
    }
    if (m.layers.empty()) Invalid("model has no layers");
    if (j.contains("rivulet")) m.metadata = j["rivulet"];
    m.LayerOutputShapes();  // throws for layers that do not fit
    return m;
}

nlohmann::json KerasArchitectureJson(const KerasModel &m) {
    nlohmann::json layers = nlohmann::json::array();
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
        const LayerSpec &l = m.layers[i];
        nlohmann::json c = {{"name", l.name}, {"trainable", true}, {"dtype", "float32"}};
        if (i == 0) c["batch_input_shape"] = {nullptr, m.input_height, m.input_width, m.input_channels};
        std::string cls;
        switch (l.kind) {
            case LayerKind::kConv2D:
                cls = "Conv2D";
                c["filters"] = l.filters;
                c["kernel_size"] = {l.kernel_h, l.kernel_w};
                c["strides"] = {l.stride_h, l.stride_w};
                c["padding"] = l.same_padding ? "same" : "valid";
                c["data_format"] = "channels_last";
                c["dilation_rate"] = {1, 1};
                c["activation"] = ActivationName(l.activation);
                c["use_bias"] = l.use_bias;
                break;
            case LayerKind::kMaxPooling2D:
                cls = "MaxPooling2D";
                c["pool_size"] = {l.pool_h, l.pool_w};
                c["strides"] = {l.stride_h, l.stride_w};
                c["padding"] = "valid";
                c["data_format"] = "channels_last";
                break;
            case LayerKind::kDropout:
                cls = "Dropout";
                c["rate"] = l.rate;
                c["noise_shape"] = nullptr;
                c["seed"] = nullptr;
                break;
            case LayerKind::kFlatten:
                cls = "Flatten";
                c["data_format"] = "channels_last";
                break;
            case LayerKind::kDense:
                cls = "Dense";
                c["units"] = l.units;
                c["activation"] = ActivationName(l.activation);
                c["use_bias"] = l.use_bias;
                break;
            case LayerKind::kActivation:
                cls = "Activation";
                c["activation"] = ActivationName(l.activation);
                break;
        }
        layers.push_back({{"class_name", cls}, {"config", c}});
    }
    nlohmann::json j = {{"class_name", "Sequential"},
                        {"config", {{"name", m.name}, {"layers", layers}}},
                        {"keras_version", "2.2.4-tf"},
                        {"backend", "tensorflow"}};
    if (!m.metadata.empty()) j["rivulet"] = m.metadata;
    return j;
}

KerasModel ReadKerasModel(const std::filesystem::path &prefix) {
    const auto arch_path = ArchitecturePath(prefix);
    std::ifstream in(arch_path);
    if (!in) throw RivuletError(ErrorKind::kIo, fmt::format("cannot read {}", arch_path.string()));
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception &e) {
        Invalid(fmt::format("{}: not JSON ({})", arch_path.string(), e.what()));
    }
    KerasModel m;
    try {
        m = ParseKerasArchitecture(j);
    } catch (const nlohmann::json::exception &e) {
        Invalid(fmt::format("{}: not a Keras model ({})", arch_path.string(), e.what()));
    } catch (const RivuletError &e) {
        Invalid(fmt::format("{}: {}", arch_path.string(), e.what()));
    }

    const auto weights_path = WeightsPath(prefix);
    QuietHdf5 quiet;
    if (!std::filesystem::exists(weights_path) || H5Fis_hdf5(weights_path.c_str()) <= 0)
        throw RivuletError(ErrorKind::kIo, fmt::format("cannot read {} (missing or not HDF5)", weights_path.string()));
    H5Handle file(H5Fopen(weights_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.ok()) throw RivuletError(ErrorKind::kIo, fmt::format("cannot open {}", weights_path.string()));
    m.weights.resize(m.layers.size());
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
        const LayerSpec &l = m.layers[i];
        for (const std::string &w : WeightNames(l)) m.weights[i].push_back(ReadDataset(file.get(), l.name + "/" + w, weights_path));
    }
    m.Validate(true);
    return m;
}

void WriteKerasModel(const KerasModel &m, const std::filesystem::path &prefix) {
    m.Validate(true);
    const auto arch_path = ArchitecturePath(prefix);
    {
        std::ofstream out(arch_path, std::ios::trunc);
        out << KerasArchitectureJson(m).dump() << '\n';
        if (!out) throw RivuletError(ErrorKind::kIo, fmt::format("cannot write {}", arch_path.string()));
    }
    const auto weights_path = WeightsPath(prefix);
    QuietHdf5 quiet;
    H5Handle file(H5Fcreate(weights_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file.ok()) throw RivuletError(ErrorKind::kIo, fmt::format("cannot write {}", weights_path.string()));
    try {
        std::vector<std::string> names;
        for (const LayerSpec &l : m.layers) names.push_back(l.name);
        WriteStringAttribute(file.get(), "layer_names", names, false);
        WriteStringAttribute(file.get(), "backend", {"tensorflow"}, true);
        WriteStringAttribute(file.get(), "keras_version", {"2.2.4-tf"}, true);
        for (std::size_t i = 0; i < m.layers.size(); ++i) {
            const LayerSpec &l = m.layers[i];
            H5Handle group(H5Gcreate2(file.get(), l.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
            if (!group.ok()) throw RivuletError(ErrorKind::kIo, fmt::format("cannot create group {}", l.name));
            auto weight_names = WeightNames(l);
            WriteStringAttribute(group.get(), "weight_names", weight_names, false);
            if (weight_names.empty()) continue;
            H5Handle inner(H5Gcreate2(group.get(), l.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
            for (std::size_t k = 0; k < weight_names.size(); ++k)
                WriteDataset(inner.get(), weight_names[k].substr(l.name.size() + 1), m.weights[i][k]);
        }
    } catch (const RivuletError &e) {
        throw RivuletError(ErrorKind::kIo, fmt::format("{}: {}", weights_path.string(), e.what()));
    }
}

}  // namespace rivulet::dl
