#pragma once
// Labelled image sets for training and evaluating CNNs: a float32 .npy stack (N × H × W, or N × H × W × C
// channels-last, e.g. triplets N × 63 × 63 × 3) and a CSV with one row per image, in the same order.
// @locality any thread: no shared state.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "dl/triplet.hpp"

namespace rivulet::dl {

struct ImageSet {
    std::size_t count = 0;
    int height = 0, width = 0, channels = 0;
    std::vector<float> pixels;    //!< count × height × width × channels, channels-last
    std::vector<uint8_t> label;   //!< 1 = positive class
    std::vector<std::string> id;  //!< per image: the CSV's id column, else the row number

    std::size_t ImageValues() const {
        return static_cast<std::size_t>(height) * static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
    }
    //! Applies NormalizePlane to every channel of every image (so NaN/inf never reach a network).
    void Normalize(Normalization normalization);
    //! The images and labels of `rows`, in that order.
    ImageSet Subset(const std::vector<std::size_t> &rows) const;
};

struct ImageSetColumns {
    std::string label = "label";  //!< CSV column holding the class
    std::string positive = "1";   //!< a row is positive when its label cell equals this text
    std::string id;               //!< optional id column
};

//! Reads the stack and its labels. Throws RivuletError naming the file when the .npy is not float32 of rank
//! 3 or 4, the CSV lacks a column, or the row counts differ.
ImageSet ReadImageSet(const std::filesystem::path &npy, const std::filesystem::path &labels_csv,
                      const ImageSetColumns &columns);

//! A seeded stratified split of `labels` (indices into it): the first result holds about `fraction` of each
//! class (at least one per class when the class has two or more), the second the rest; both sorted.
std::pair<std::vector<std::size_t>, std::vector<std::size_t>> StratifiedSplit(const std::vector<uint8_t> &labels,
                                                                              const std::vector<std::size_t> &rows,
                                                                              double fraction, uint64_t seed);

}  // namespace rivulet::dl
