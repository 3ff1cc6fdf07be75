#pragma once
// Training and applying CNNs on labelled image sets (cutout triplets, or single-band stamps such as the
// star/galaxy 20×20 set): named architectures (braai's VGG6, a smaller one), augmentation by flips and 90°
// rotations, class weights, early stopping on a validation split, a held-out split kept out of training, all
// from one seed. Models are written as Keras files (keras_model.hpp) with the training provenance in their
// metadata. Does not compute metrics (ml/metrics.hpp does).
// @locality one thread calls; libtorch uses its intra-op threads (TrainOptions::threads).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dl/image_set.hpp"
#include "dl/keras_model.hpp"
#include "dl/triplet.hpp"

namespace rivulet::dl {

//! "braai" (VGG6 of Duev et al. 2019, any input of at least 18×18), "small" (two same-padded conv blocks).
std::vector<std::string> ArchitectureNames();
//! An untrained model of that architecture for height × width × channels inputs, ending in one sigmoid unit.
//! Throws RivuletError(kInvalidInput) for an unknown name or an input too small for it.
KerasModel MakeArchitecture(const std::string &arch, int height, int width, int channels);

struct TrainOptions {
    std::string arch = "braai";
    Normalization normalization = Normalization::kCutoutL2;
    int max_epochs = 60;
    int patience = 8;                   //!< stop after this many epochs without a lower validation loss
    std::size_t batch_size = 64;
    double learning_rate = 1e-3;        //!< Adam
    double validation_fraction = 0.15;  //!< of the rows left after the held-out split, for early stopping
    double holdout_fraction = 0.2;      //!< never seen in training; its rows are kept in the model metadata
    bool augment = true;                //!< random flip + rotation by k·90° per image and epoch (flips only if not square)
    bool balance_classes = true;        //!< per-class loss weights n / (2 n_class)
    uint64_t seed = 0;
    int threads = 0;                    //!< libtorch intra-op threads (process-wide); 0: libtorch's default
    std::string model_version;          //!< stored in the metadata; default "<arch>_<normalization>"
};

struct EpochRecord {
    int epoch = 0;
    double train_loss = 0, validation_loss = 0, validation_auc = 0;
};

struct TrainResult {
    KerasModel model;  //!< the weights of the best epoch; metadata holds version, normalization, splits
    std::vector<EpochRecord> history;
    int best_epoch = 0;
    std::vector<std::size_t> train_rows, validation_rows, holdout_rows;  //!< indices into the image set
    double class_weight[2] = {1, 1};
    double seconds = 0;
};

//! Trains on `images` (raw pixels; normalised here with options.normalization). Throws RivuletError
//! (kInvalidInput) when a class is absent or there are too few images to split.
TrainResult TrainCnn(const ImageSet &images, const TrainOptions &options);

//! Scores of `images` (raw pixels: the model's own normalization from its metadata is applied, cutout_l2 when
//! it has none) in [0, 1], in order. Throws RivuletError(kInvalidInput) when the image shape is not the model's.
std::vector<double> PredictCnn(const KerasModel &model, const ImageSet &images, std::size_t batch_size = 256);

//! The model's input preparation: its "normalization" metadata, or by braai version name, or cutout_l2.
Normalization ModelNormalization(const KerasModel &model);

}  // namespace rivulet::dl
