#pragma once
// Where tests/dl finds the braai weights (../shared/models/braai) and small synthetic image sets.

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>

#include "dl/image_set.hpp"
#include "support/shared_data.hpp"

namespace rivulet::testing {

//! ../shared/models/braai/<name> (a model path prefix).
inline std::filesystem::path BraaiModel(const std::string &name = "d6_m7") {
    return SharedDataDir() / ".." / "models" / "braai" / name;
}

//! `n` single-band size × size images: positives hold a narrow Gaussian (σ 1 px), negatives a wide one (σ 2.5 px),
//! at random sub-pixel offsets and fluxes over a noisy sky, like stars and galaxies.
inline dl::ImageSet SyntheticBlobs(std::size_t n, int size, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0, 1);
    std::uniform_real_distribution<double> shift(-1.5, 1.5), flux(40, 200);
    dl::ImageSet s;
    s.count = n;
    s.height = s.width = size;
    s.channels = 1;
    for (std::size_t i = 0; i < n; ++i) {
        const bool star = i % 2 == 0;
        const double sigma = star ? 1.0 : 2.5, cx = size / 2.0 + shift(rng), cy = size / 2.0 + shift(rng), f = flux(rng);
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                double r2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
                s.pixels.push_back(static_cast<float>(100 + 3 * noise(rng) + f / (2 * M_PI * sigma * sigma) * 10 * std::exp(-r2 / (2 * sigma * sigma))));
            }
        s.label.push_back(star ? 1 : 0);
        s.id.push_back(std::to_string(i));
    }
    return s;
}

}  // namespace rivulet::testing
