// Keras model files: reading braai's published d6_m7 and braai_d6_m9, writing and re-reading our own,
// rejecting what is outside the supported family.
#include <gtest/gtest.h>

#include <fstream>

#include "common/error.hpp"
#include "dl/keras_model.hpp"
#include "dl/network.hpp"
#include "dl/training.hpp"
#include "dl_test_data.hpp"
#include "support/temp_dir.hpp"

namespace rivulet::testing {
namespace {

using dl::KerasModel;
using dl::LayerKind;

TEST(KerasModel, ReadsBraaiD6M7) {
    RIVULET_REQUIRE_SHARED("../models/braai/d6_m7.weights.h5");
    KerasModel m = dl::ReadKerasModel(BraaiModel("d6_m7"));
    EXPECT_EQ(m.name, "VGG6");
    EXPECT_EQ(m.input_height, 63);
    EXPECT_EQ(m.input_width, 63);
    EXPECT_EQ(m.input_channels, 3);
    ASSERT_EQ(m.layers.size(), 12u);
    EXPECT_EQ(m.layers[0].kind, LayerKind::kConv2D);
    EXPECT_EQ(m.layers[0].filters, 16);
    EXPECT_EQ(m.layers[6].kind, LayerKind::kMaxPooling2D);
    EXPECT_EQ(m.layers[6].pool_h, 4);
    EXPECT_EQ(m.layers[6].stride_h, 4);
    EXPECT_EQ(m.layers[8].kind, LayerKind::kFlatten);
    auto shapes = m.LayerOutputShapes();
    EXPECT_EQ(shapes[8], (std::array<int, 3>{1, 1, 1152}));  // 6 × 6 × 32, as the README says
    EXPECT_EQ(shapes.back(), (std::array<int, 3>{1, 1, 1}));
    EXPECT_EQ(m.layers.back().activation, dl::Activation::kSigmoid);
    ASSERT_EQ(m.weights[0].size(), 2u);
    EXPECT_EQ(m.weights[0][0].shape, (std::vector<std::size_t>{3, 3, 3, 16}));  // HWIO
    EXPECT_EQ(m.weights[9][0].shape, (std::vector<std::size_t>{1152, 256}));   // dense (in, out)
    EXPECT_TRUE(m.metadata.empty());
}

TEST(KerasModel, ReadsBraaiD6M9) {
    RIVULET_REQUIRE_SHARED("../models/braai/braai_d6_m9.weights.h5");
    KerasModel m = dl::ReadKerasModel(BraaiModel("braai_d6_m9"));
    EXPECT_EQ(m.layers.size(), 12u);
    EXPECT_EQ(m.LayerOutputShapes().back(), (std::array<int, 3>{1, 1, 1}));
}

TEST(KerasModel, WritesWhatItReads) {
    TempDir dir;
    KerasModel m = dl::MakeArchitecture("small", 20, 20, 1);
    dl::InitializeWeights(m, 7);
    m.metadata = {{"model_version", "small_test"}, {"normalization", "sky_l2"}};
    dl::WriteKerasModel(m, dir / "m");
    EXPECT_TRUE(std::filesystem::exists(dir / "m.architecture.json"));
    KerasModel back = dl::ReadKerasModel(dir / "m");
    ASSERT_EQ(back.layers.size(), m.layers.size());
    for (std::size_t i = 0; i < m.layers.size(); ++i) {
        EXPECT_EQ(back.layers[i].name, m.layers[i].name);
        EXPECT_EQ(back.layers[i].kind, m.layers[i].kind);
        EXPECT_EQ(back.layers[i].same_padding, m.layers[i].same_padding);
        ASSERT_EQ(back.weights[i].size(), m.weights[i].size());
        for (std::size_t k = 0; k < m.weights[i].size(); ++k) {
            EXPECT_EQ(back.weights[i][k].shape, m.weights[i][k].shape);
            EXPECT_EQ(back.weights[i][k].values, m.weights[i][k].values);  // bit for bit
        }
    }
    EXPECT_EQ(back.metadata["model_version"], "small_test");
    EXPECT_EQ(back.input_height, 20);
}

TEST(KerasModel, NetworkExportsTheWeightsItWasGiven) {
    // Keras → torch layout (OIHW, (out, in)) and back must be the identity.
    KerasModel m = dl::MakeArchitecture("braai", 63, 63, 3);
    dl::InitializeWeights(m, 3);
    dl::Network net(m);
    KerasModel back = m;
    net.ExportWeights(back);
    for (std::size_t i = 0; i < m.layers.size(); ++i)
        for (std::size_t k = 0; k < m.weights[i].size(); ++k) {
            EXPECT_EQ(back.weights[i][k].shape, m.weights[i][k].shape);
            EXPECT_EQ(back.weights[i][k].values, m.weights[i][k].values);
        }
}

TEST(KerasModel, KerasFlattenOrderIsRowColumnChannel) {
    // A Dense layer after Flatten sees channels-last order: with a 2×2×2 input, one unit whose kernel is
    // 1 at flat index 5 (row 1, column 0, channel 1) returns exactly that pixel.
    KerasModel m;
    m.input_height = m.input_width = m.input_channels = 2;
    dl::LayerSpec flatten, dense;
    flatten.kind = LayerKind::kFlatten;
    flatten.name = "flatten";
    dense.kind = LayerKind::kDense;
    dense.name = "out";
    dense.units = 1;
    m.layers = {flatten, dense};
    m.weights = {{}, {{{8, 1}, {0, 0, 0, 0, 0, 1, 0, 0}}, {{1}, {0}}}};
    dl::Network net(m);
    torch::Tensor x = torch::arange(8, torch::kFloat32).reshape({1, 2, 2, 2});
    EXPECT_FLOAT_EQ(net.Forward(x).item<float>(), 5.0f);
}

TEST(KerasModel, RejectsWhatItCannotRun) {
    nlohmann::json bn = {{"class_name", "Sequential"},
                         {"config", {{"name", "x"}, {"layers", {{{"class_name", "BatchNormalization"},
                                                                  {"config", {{"name", "bn"}}}}}}}}};
    EXPECT_THROW(dl::ParseKerasArchitecture(bn), RivuletError);
    nlohmann::json tanh = dl::KerasArchitectureJson(dl::MakeArchitecture("small", 20, 20, 1));
    tanh["config"]["layers"][0]["config"]["activation"] = "tanh";
    EXPECT_THROW(dl::ParseKerasArchitecture(tanh), RivuletError);
    nlohmann::json first = dl::KerasArchitectureJson(dl::MakeArchitecture("small", 20, 20, 1));
    first["config"]["layers"][0]["config"]["data_format"] = "channels_first";
    EXPECT_THROW(dl::ParseKerasArchitecture(first), RivuletError);
    EXPECT_THROW(dl::MakeArchitecture("braai", 10, 10, 1), RivuletError);  // too small for VGG6
    EXPECT_THROW(dl::MakeArchitecture("resnet", 63, 63, 3), RivuletError);

    TempDir dir;
    try {
        dl::ReadKerasModel(dir / "absent");
        FAIL() << "no exception";
    } catch (const RivuletError &e) {
        EXPECT_EQ(e.kind(), ErrorKind::kIo);
        EXPECT_NE(std::string(e.what()).find("absent.architecture.json"), std::string::npos);
    }
    // A valid architecture with a weights file that is not HDF5.
    {
        std::ofstream(dir / "m.architecture.json") << dl::KerasArchitectureJson(dl::MakeArchitecture("small", 20, 20, 1)).dump();
        std::ofstream(dir / "m.weights.h5") << "not hdf5";
    }
    EXPECT_THROW(dl::ReadKerasModel(dir / "m"), RivuletError);
    // Weights of another architecture: shapes do not match.
    KerasModel other = dl::MakeArchitecture("small", 20, 20, 1);
    dl::InitializeWeights(other, 1);
    dl::WriteKerasModel(other, dir / "o");
    nlohmann::json arch = dl::KerasArchitectureJson(dl::MakeArchitecture("small", 20, 20, 3));
    std::ofstream(dir / "o.architecture.json") << arch.dump();
    EXPECT_THROW(dl::ReadKerasModel(dir / "o"), RivuletError);
}

}  // namespace
}  // namespace rivulet::testing
