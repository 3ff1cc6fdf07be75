#include "lightcurve/frequency_grid.hpp"

#include <cmath>
#include <string>

namespace rivulet::lightcurve {

Result<FrequencyGrid> MakeFrequencyGrid(double baseline, const GridOptions &o) {
    if (!(baseline > 0) || !std::isfinite(baseline)) {
        return MakeError("bad_grid", "baseline must be positive and finite (all points at one time?), got " +
                                         std::to_string(baseline));
    }
    const double pmax = o.pmax > 0 ? o.pmax : baseline;
    if (!(o.pmin > 0) || !(pmax > o.pmin) || !(o.samples_per_peak > 0)) {
        return MakeError("bad_grid", "need 0 < pmin < pmax and samples_per_peak > 0, got pmin " +
                                         std::to_string(o.pmin) + ", pmax " + std::to_string(pmax) +
                                         ", samples_per_peak " + std::to_string(o.samples_per_peak));
    }
    FrequencyGrid g;
    g.f0 = 1.0 / pmax;
    g.df = 1.0 / (baseline * o.samples_per_peak);
    const double nf = std::floor((1.0 / o.pmin - g.f0) / g.df) + 1;
    if (nf > static_cast<double>(o.max_frequencies)) {
        return MakeError("bad_grid", "frequency grid would have " + std::to_string(nf) + " points (max " +
                                         std::to_string(o.max_frequencies) + "); raise pmin or lower samples_per_peak");
    }
    g.n = static_cast<std::size_t>(nf);
    return g;
}

}  // namespace rivulet::lightcurve
