#pragma once
// A KerasModel run on libtorch: the layers as torch functional calls (conv2d, max_pool2d, linear, dropout),
// channels-last input, Keras flatten order. Used for inference (BraaiScorer) and training (training.hpp).
// Internal to src/dl: this header pulls in libtorch; the public headers do not.
// @locality Forward on a const Network is safe from several threads at once (weights are only read).

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "dl/keras_model.hpp"

namespace rivulet::dl {

class Network {
public:
    //! Copies the weights of `model` (Keras layout) into torch tensors (OIHW kernels, (out, in) dense weights).
    //! `trainable`: the tensors require gradients. Throws RivuletError if the model lacks weights.
    explicit Network(const KerasModel &model, bool trainable = false);

    //! `input`: float (N, H, W, C). Returns (N, units of the last layer). With `logits`, a final sigmoid is
    //! left out (for the numerically stable BCE-with-logits loss). Dropout is applied only when `training`.
    torch::Tensor Forward(const torch::Tensor &input, bool training = false, bool logits = false) const;

    //! The trainable tensors, in layer order (weight, bias, ...).
    std::vector<torch::Tensor> Parameters() const;
    //! Copies of the current parameters (to keep the best epoch) and their restoration.
    std::vector<torch::Tensor> Snapshot() const;
    void Restore(const std::vector<torch::Tensor> &snapshot);
    //! The current weights, back in Keras layout, into `model` (same architecture).
    void ExportWeights(KerasModel &model) const;

    const KerasModel &spec() const { return spec_; }

private:
    KerasModel spec_;  // layers and shapes; its weight arrays are dropped after the copy
    std::vector<torch::Tensor> weight_;  // per layer (undefined for layers without weights)
    std::vector<torch::Tensor> bias_;
};

//! Keras' default initialisation for a new model: Glorot-uniform kernels, zero biases, from `seed` (a
//! std::mt19937_64 stream, so it does not depend on the torch version).
void InitializeWeights(KerasModel &model, std::uint64_t seed);

}  // namespace rivulet::dl
