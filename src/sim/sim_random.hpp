#pragma once
// The simulator's random numbers: xoshiro256** seeded through splitmix64, with its own uniform and normal
// draws, because std::*_distribution differ between standard libraries and a seed must give the same night
// everywhere. Streams are derived from (seed, key) so each alert's stamps are independent of thread order.

#include <cmath>
#include <cstdint>

namespace rivulet {

class SimRandom {
public:
    explicit SimRandom(uint64_t seed, uint64_t stream = 0) {
        uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
        for (uint64_t &w : s_) w = SplitMix(x);
    }

    uint64_t Next() {
        const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = Rotl(s_[3], 45);
        return result;
    }

    //! Uniform in [0, 1).
    double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
    double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
    //! Uniform integer in [0, n); n > 0.
    uint64_t Below(uint64_t n) { return Next() % n; }
    int Int(int lo, int hi_inclusive) { return lo + static_cast<int>(Below(static_cast<uint64_t>(hi_inclusive - lo + 1))); }
    bool Chance(double p) { return Uniform() < p; }

    //! Standard normal (Marsaglia polar method; the spare value is kept).
    double Normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u, v, s;
        do {
            u = 2.0 * Uniform() - 1.0;
            v = 2.0 * Uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double f = std::sqrt(-2.0 * std::log(s) / s);
        spare_ = v * f;
        has_spare_ = true;
        return u * f;
    }
    double Normal(double mean, double sigma) { return mean + sigma * Normal(); }

    static uint64_t SplitMix(uint64_t &x) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
    double spare_ = 0.0;
    bool has_spare_ = false;
};

}  // namespace rivulet
