#pragma once
// Reading RA and Dec cells of a CSV: decimal degrees, or sexagesimal when the cell has colons
// (RA "hh:mm:ss.s" in hours, Dec "±dd:mm:ss.s" in degrees, as in the ZTF Bright Transient Survey table).
// Anything else (empty, text, NaN, infinities, Dec beyond ±90) is an error whose message says why; the
// caller adds the file and row.

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace rivulet::xmatch {

//! A finite decimal number (the whole cell, surrounding blanks allowed).
Result<double> ParseFiniteNumber(std::string_view cell);

//! Right ascension in degrees, normalised to [0, 360).
Result<double> ParseRaDeg(std::string_view cell);

//! Declination in degrees, within [-90, 90].
Result<double> ParseDecDeg(std::string_view cell);

}  // namespace rivulet::xmatch
