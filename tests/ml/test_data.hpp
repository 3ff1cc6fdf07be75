#pragma once
// Small synthetic data sets for the ML tests: fast under AddressSanitizer, with known structure.

#include <cmath>
#include <fstream>
#include <random>
#include <string>

#include "ml/dataset.hpp"

namespace rivulet::testing {

//! Two noisy Gaussian classes in `d` features; only the first two features carry signal.
inline ml::Dataset Blobs(size_t rows, size_t d, uint64_t seed, size_t classes = 2) {
    ml::Dataset ds;
    ds.source = "blobs";
    for (size_t f = 0; f < d; ++f) ds.feature_names.push_back("f" + std::to_string(f));
    for (size_t c = 0; c < classes; ++c) ds.class_names.push_back(std::to_string(c));
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> noise(0, 1);
    for (size_t r = 0; r < rows; ++r) {
        int32_t y = static_cast<int32_t>(r % classes);
        ds.y.push_back(y);
        for (size_t f = 0; f < d; ++f) ds.x.push_back(noise(rng) + (f < 2 ? 1.5f * static_cast<float>(y) : 0.0f));
    }
    return ds;
}

//! Writes `ds` as CSV with an `id` column and a `label` column.
inline void WriteCsv(const ml::Dataset &ds, const std::string &path) {
    std::ofstream out(path);
    out << "id";
    for (auto &f : ds.feature_names) out << "," << f;
    out << ",label\n";
    for (size_t r = 0; r < ds.rows(); ++r) {
        out << "obj" << r;
        for (size_t f = 0; f < ds.features(); ++f) out << "," << ds.Row(r)[f];
        out << "," << ds.class_names[static_cast<size_t>(ds.y[r])] << "\n";
    }
}

}  // namespace rivulet::testing
