#pragma once
// Reading NumPy .npy files (the shared data's cutout stacks come as float32 .npy).

#include <filesystem>
#include <vector>

namespace rivulet::ml {

struct NpyArray {
    std::vector<size_t> shape;
    std::vector<float> data;  //!< C order
};

//! Reads a little-endian float32 ('<f4'), C-order .npy (format version 1 or 2). Throws RivuletError naming
//! the file and what is unsupported.
NpyArray ReadNpyFloat32(const std::filesystem::path &path);

}  // namespace rivulet::ml
