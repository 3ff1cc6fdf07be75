#pragma once
// A decoded cutout: a small float raster. Kept deliberately plain (no WCS, no header) because every consumer
// only needs the pixels and the shape.

#include <cassert>
#include <cstddef>
#include <vector>

namespace rivulet {

//! Row-major float pixels. Row 0 is the first row of the FITS data array, which astronomers draw at the
//! bottom; JPEG stamps are stored flipped to the same convention (their top row becomes the last row), so
//! every Image is drawn the same way. NaN marks pixels with no data and is kept as NaN.
struct Image {
    int width = 0;
    int height = 0;
    std::vector<float> pixels;  // width * height values

    bool empty() const { return width <= 0 || height <= 0; }

    //! Pixel at column x, row y. Does not check bounds in release builds.
    float at(int x, int y) const {
        // Callers iterate over [0,width) x [0,height); anything else is a programming error.
        assert(x >= 0 && x < width && y >= 0 && y < height);
        return pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)];
    }
};

}  // namespace rivulet
