#pragma once
// Keras Sequential models as files: `<prefix>.architecture.json` (Keras model JSON, as written by
// `model.to_json()`) and `<prefix>.weights.h5` (Keras HDF5 weights, datasets `/<layer>/<layer>/kernel:0` and
// `/<layer>/<layer>/bias:0`). Reads the braai family (Conv2D, MaxPooling2D, Dropout, Flatten, Dense, Activation;
// channels-last; ReLU, sigmoid, linear) and writes models Rivulet trains in the same layout, so Keras can
// load them too. Does not run anything: see network.hpp (inference/training on libtorch).
// @locality any thread, but HDF5 (Debian's serial build) must not be used by two threads at once: load models
// once at start-up.

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rivulet::dl {

enum class LayerKind { kConv2D, kMaxPooling2D, kDropout, kFlatten, kDense, kActivation };
enum class Activation { kLinear, kRelu, kSigmoid };

//! One layer of a Sequential model, with the Keras config values Rivulet uses.
struct LayerSpec {
    LayerKind kind = LayerKind::kDense;
    std::string name;
    Activation activation = Activation::kLinear;  //!< Conv2D, Dense, Activation
    int filters = 0;                               //!< Conv2D
    int kernel_h = 0, kernel_w = 0;                //!< Conv2D
    int pool_h = 0, pool_w = 0;                    //!< MaxPooling2D
    int stride_h = 1, stride_w = 1;                //!< Conv2D, MaxPooling2D
    bool same_padding = false;                     //!< Conv2D, MaxPooling2D: "same" (else "valid")
    double rate = 0;                               //!< Dropout
    int units = 0;                                 //!< Dense
    bool use_bias = true;                          //!< Conv2D, Dense

    bool HasWeights() const { return kind == LayerKind::kConv2D || kind == LayerKind::kDense; }
};

//! A float32 array in Keras layout: Conv2D kernels (kh, kw, in, out), Dense kernels (in, out), biases (out).
struct WeightArray {
    std::vector<std::size_t> shape;
    std::vector<float> values;  //!< C order
};

struct KerasModel {
    std::string name = "model";  //!< the Keras model name (braai: "VGG6")
    int input_height = 0, input_width = 0, input_channels = 0;
    std::vector<LayerSpec> layers;
    //! Per layer: {kernel, bias} for Conv2D/Dense (bias absent without use_bias), empty otherwise.
    std::vector<std::vector<WeightArray>> weights;
    //! Rivulet's own metadata (key "rivulet" of the architecture JSON; Keras ignores it): model_version,
    //! normalization, training provenance, metrics. Empty for upstream braai files.
    nlohmann::json metadata = nlohmann::json::object();

    //! Output shape (h, w, c) after each layer; a flattened or dense output is (1, 1, units). Throws
    //! RivuletError(kInvalidInput) when a layer does not fit its input (kernel larger than the image, ...).
    std::vector<std::array<int, 3>> LayerOutputShapes() const;
    //! Checks layer shapes and, when `require_weights`, that every weight array has its expected shape.
    //! Throws RivuletError(kInvalidInput) naming the layer.
    void Validate(bool require_weights) const;
};

std::filesystem::path ArchitecturePath(const std::filesystem::path &prefix);  //!< prefix + ".architecture.json"
std::filesystem::path WeightsPath(const std::filesystem::path &prefix);       //!< prefix + ".weights.h5"

//! Parses a Keras Sequential model JSON. Throws RivuletError(kInvalidInput) for anything outside the
//! supported family (other layer types, channels-first, dilation, other activations), naming the layer.
KerasModel ParseKerasArchitecture(const nlohmann::json &architecture);
//! The Keras JSON of `model` (Sequential, channels-last), with `metadata` under "rivulet" when non-empty.
nlohmann::json KerasArchitectureJson(const KerasModel &model);

//! Reads `<prefix>.architecture.json` and `<prefix>.weights.h5` and validates the weight shapes.
//! Throws RivuletError(kIo) naming a file that cannot be read, kInvalidInput for a bad model.
KerasModel ReadKerasModel(const std::filesystem::path &prefix);
//! Writes both files (replacing them). Throws RivuletError(kIo) naming a file that cannot be written.
void WriteKerasModel(const KerasModel &model, const std::filesystem::path &prefix);

}  // namespace rivulet::dl
