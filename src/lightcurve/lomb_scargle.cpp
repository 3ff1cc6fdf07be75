#include "lightcurve/lomb_scargle.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

#include "lightcurve/linear_solve.hpp"

namespace rivulet::lightcurve {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

//! out[2h], out[2h+1] = cos((h+1) ph), sin((h+1) ph) for h < harmonics, by the angle-addition recurrence
//! (one cos and one sin per point instead of two per harmonic).
void HarmonicBasis(double ph, std::size_t harmonics, double *out) {
    const double c1 = std::cos(ph), s1 = std::sin(ph);
    double ch = c1, sh = s1;
    for (std::size_t h = 0; h < harmonics; ++h) {
        out[2 * h] = ch;
        out[2 * h + 1] = sh;
        const double cn = ch * c1 - sh * s1;
        sh = sh * c1 + ch * s1;
        ch = cn;
    }
}

//! Normalised weights, centred values (astropy's preprocessing) and time origin.
struct Prepared {
    std::vector<double> w, y, t;
    double yy = 0;  //!< sum w y^2 with normalised w (astropy's YY)
    double ybar = 0; //!< sum w y after centring (rounding residue, kept as astropy keeps it)
};

Prepared Prepare(const Series &s) {
    Prepared p;
    // A constant curve is exactly powerless; centring would leave rounding residue that looks like signal.
    if (s.empty() || IsConstant(s)) return p;
    const std::size_t n = s.size();
    p.w.resize(n);
    p.y.resize(n);
    p.t.resize(n);
    double sw = 0;
    for (std::size_t i = 0; i < n; ++i) sw += p.w[i] = 1.0 / (s.err[i] * s.err[i]);
    double mean = 0;
    for (std::size_t i = 0; i < n; ++i) {
        p.w[i] /= sw;
        mean += p.w[i] * s.mag[i];
    }
    // Times relative to the first point keep omega*t small, so sin/cos lose fewer digits.
    for (std::size_t i = 0; i < n; ++i) {
        p.y[i] = s.mag[i] - mean;
        p.t[i] = s.t[i] - s.t.front();
        p.yy += p.w[i] * p.y[i] * p.y[i];
        p.ybar += p.w[i] * p.y[i];
    }
    return p;
}

//! Standard power from the weighted trig sums at one frequency (the astropy formula, rotated by tau
//! algebraically instead of recomputing sin/cos of omega*(t - tau)).
double PowerFromSums(double C, double S, double CC, double CS, double YC, double YS, const Prepared &p) {
    if (!(p.yy > 0)) return 0.0;
    const double SS = 1.0 - CC;
    double S2 = 2 * CS - 2 * S * C;
    double C2 = (CC - SS) - (C * C - S * S);
    const double two_tau = std::atan2(S2, C2);
    const double ct = std::cos(0.5 * two_tau), st = std::sin(0.5 * two_tau);
    // cos(wt - tau) = c ct + s st ; sin(wt - tau) = s ct - c st
    const double Ctau = C * ct + S * st, Stau = S * ct - C * st;
    const double YCt = YC * ct + YS * st - p.ybar * Ctau;
    const double YSt = YS * ct - YC * st - p.ybar * Stau;
    const double CCt = CC * ct * ct + 2 * CS * ct * st + SS * st * st - Ctau * Ctau;
    const double SSt = SS * ct * ct - 2 * CS * ct * st + CC * st * st - Stau * Stau;
    double power = 0;
    if (CCt > 0) power += YCt * YCt / CCt;
    if (SSt > 0) power += YSt * YSt / SSt;
    return power / p.yy;
}

}  // namespace

double ReferenceChi2(const Series &s) {
    double sw = 0, swm = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const double w = 1.0 / (s.err[i] * s.err[i]);
        sw += w;
        swm += w * s.mag[i];
    }
    if (sw <= 0) return 0.0;
    const double mean = swm / sw;
    double chi2 = 0;
    for (std::size_t i = 0; i < s.size(); ++i) chi2 += (s.mag[i] - mean) * (s.mag[i] - mean) / (s.err[i] * s.err[i]);
    return chi2;
}

std::vector<double> LombScargleExact(const Series &s, const FrequencyGrid &grid) {
    const Prepared p = Prepare(s);
    const std::size_t n = s.size();
    std::vector<double> power(grid.n, 0.0);
    if (!(p.yy > 0)) return power;
    std::vector<double> c(n), sn(n), cd(n), sd(n), wy(n);
    for (std::size_t i = 0; i < n; ++i) {
        cd[i] = std::cos(kTwoPi * grid.df * p.t[i]);
        sd[i] = std::sin(kTwoPi * grid.df * p.t[i]);
        wy[i] = p.w[i] * p.y[i];
    }
    constexpr std::size_t kReseed = 256;
    for (std::size_t k = 0; k < grid.n; ++k) {
        if (k % kReseed == 0) {
            const double f = grid.At(k);
            for (std::size_t i = 0; i < n; ++i) {
                const double ph = kTwoPi * f * p.t[i];
                c[i] = std::cos(ph);
                sn[i] = std::sin(ph);
            }
        }
        double C = 0, S = 0, CC = 0, CS = 0, YC = 0, YS = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double ci = c[i], si = sn[i], w = p.w[i];
            C += w * ci;
            S += w * si;
            CC += w * ci * ci;
            CS += w * ci * si;
            YC += wy[i] * ci;
            YS += wy[i] * si;
            c[i] = ci * cd[i] - si * sd[i];
            sn[i] = si * cd[i] + ci * sd[i];
        }
        power[k] = PowerFromSums(C, S, CC, CS, YC, YS, p);
    }
    return power;
}

std::vector<double> LombScargleAt(const Series &s, std::span<const double> frequencies) {
    const Prepared p = Prepare(s);
    std::vector<double> power(frequencies.size(), 0.0);
    if (!(p.yy > 0)) return power;
    for (std::size_t k = 0; k < frequencies.size(); ++k) {
        double C = 0, S = 0, CC = 0, CS = 0, YC = 0, YS = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const double ph = kTwoPi * frequencies[k] * p.t[i];
            const double ci = std::cos(ph), si = std::sin(ph), w = p.w[i];
            C += w * ci;
            S += w * si;
            CC += w * ci * ci;
            CS += w * ci * si;
            YC += w * p.y[i] * ci;
            YS += w * p.y[i] * si;
        }
        power[k] = PowerFromSums(C, S, CC, CS, YC, YS, p);
    }
    return power;
}

std::vector<double> LombScargleMultiTerm(const Series &s, std::span<const double> frequencies, int nterms) {
    const Prepared p = Prepare(s);
    std::vector<double> power(frequencies.size(), 0.0);
    if (!(p.yy > 0) || nterms < 1) return power;
    const std::size_t m = 1 + 2 * static_cast<std::size_t>(nterms);
    std::vector<double> basis(m), a(m * m), b(m);
    for (std::size_t k = 0; k < frequencies.size(); ++k) {
        std::fill(a.begin(), a.end(), 0.0);
        std::fill(b.begin(), b.end(), 0.0);
        for (std::size_t i = 0; i < s.size(); ++i) {
            basis[0] = 1.0;
            HarmonicBasis(kTwoPi * frequencies[k] * p.t[i], static_cast<std::size_t>(nterms), &basis[1]);
            const double w = p.w[i];
            for (std::size_t r = 0; r < m; ++r) {
                const double wr = w * basis[r];
                b[r] += wr * p.y[i];
                for (std::size_t q = 0; q <= r; ++q) a[r * m + q] += wr * basis[q];
            }
        }
        for (std::size_t r = 0; r < m; ++r)
            for (std::size_t q = r + 1; q < m; ++q) a[r * m + q] = a[q * m + r];
        std::vector<double> x = b;
        if (!SolveSpd(a, x, m)) continue;  // degenerate design: power 0, as documented
        // chi2 reduction = b . x for a least-squares fit; the mean term absorbs the (already removed) mean.
        double red = 0;
        for (std::size_t r = 0; r < m; ++r) red += b[r] * x[r];
        power[k] = std::clamp((red - p.ybar * p.ybar) / p.yy, 0.0, 1.0);
    }
    return power;
}

std::vector<double> LombScargleMultiTerm(const Series &s, const FrequencyGrid &grid, int nterms) {
    std::vector<double> f(grid.n);
    for (std::size_t k = 0; k < grid.n; ++k) f[k] = grid.At(k);
    return LombScargleMultiTerm(s, f, nterms);
}

std::vector<double> CombineBands(std::span<const std::vector<double>> band_powers, std::span<const double> ref_chi2) {
    std::vector<double> out(band_powers.empty() ? 0 : band_powers.front().size(), 0.0);
    double total = 0;
    for (std::size_t b = 0; b < band_powers.size(); ++b) {
        total += ref_chi2[b];
        for (std::size_t k = 0; k < out.size(); ++k) out[k] += ref_chi2[b] * band_powers[b][k];
    }
    if (total > 0)
        for (double &v : out) v /= total;
    return out;
}

std::vector<double> LombScargleSharedShape(std::span<const Series *const> bands, std::span<const double> frequencies,
                                           int nterms) {
    std::vector<double> power(frequencies.size(), 0.0);
    const std::size_t nb = bands.size(), nf = 2 * static_cast<std::size_t>(std::max(1, nterms));
    const std::size_t m = nb + nf;
    double ref = 0, t0 = std::numeric_limits<double>::infinity();
    for (const Series *s : bands) {
        ref += ReferenceChi2(*s);
        if (!s->empty()) t0 = std::min(t0, s->t.front());
    }
    if (!(ref > 0)) return power;
    std::vector<double> a(m * m), b(m), basis(nf);
    for (std::size_t k = 0; k < frequencies.size(); ++k) {
        std::fill(a.begin(), a.end(), 0.0);
        std::fill(b.begin(), b.end(), 0.0);
        double yy = 0;
        for (std::size_t band = 0; band < nb; ++band) {
            const Series &s = *bands[band];
            for (std::size_t i = 0; i < s.size(); ++i) {
                HarmonicBasis(kTwoPi * frequencies[k] * (s.t[i] - t0), nf / 2, basis.data());
                const double w = 1.0 / (s.err[i] * s.err[i]), y = s.mag[i];
                yy += w * y * y;
                // Column `band` is this band's offset (1 for its points), then the shared Fourier terms.
                a[band * m + band] += w;
                b[band] += w * y;
                for (std::size_t r = 0; r < nf; ++r) {
                    const double wr = w * basis[r];
                    a[(nb + r) * m + band] += wr;
                    b[nb + r] += wr * y;
                    for (std::size_t q = 0; q <= r; ++q) a[(nb + r) * m + nb + q] += wr * basis[q];
                }
            }
        }
        for (std::size_t r = 0; r < m; ++r)
            for (std::size_t q = r + 1; q < m; ++q) a[r * m + q] = a[q * m + r];
        std::vector<double> x = b;
        if (!SolveSpd(a, x, m)) continue;
        double fitted = 0;
        for (std::size_t r = 0; r < m; ++r) fitted += b[r] * x[r];
        power[k] = std::clamp(1.0 - (yy - fitted) / ref, 0.0, 1.0);
    }
    return power;
}

namespace {

//! The scaled-shape model (see LombScargleScaledShape) of a set of bands, prepared once for fits at many
//! frequencies: weights, magnitudes centred on each band's weighted mean, the band boundaries.
class ScaledShapeFitter {
public:
    ScaledShapeFitter(std::span<const Series *const> bands, int nterms, int iterations)
        : nb_(bands.size()), nf_(2 * static_cast<std::size_t>(std::max(1, nterms))), m_(nb_ + nf_),
          iterations_(std::max(1, iterations)), start_(nb_ + 1, 0), mean_(nb_), amp_(nb_), mu_(nb_) {
        std::size_t npts = 0;
        for (const Series *s : bands) {
            // A constant band is exactly powerless (its rounding residue must not look like signal).
            if (!IsConstant(*s)) ref_ += ReferenceChi2(*s);
            npts += s->size();
            if (!s->empty()) t0_ = std::min(t0_, s->t.front());
        }
        a_.resize(m_ * m_);
        rhs_.resize(m_);
        basis_.resize(npts * nf_);
        shape_.resize(npts);
        w_.resize(npts);
        y_.resize(npts);
        t_.resize(npts);
        for (std::size_t band = 0; band < nb_; ++band) {
            const Series &s = *bands[band];
            start_[band + 1] = start_[band] + s.size();
            // Magnitudes centred on the band's weighted mean (the free mean absorbs it) keep the sums small.
            double sw = 0, swy = 0;
            for (std::size_t i = 0; i < s.size(); ++i) {
                w_[start_[band] + i] = 1.0 / (s.err[i] * s.err[i]);
                t_[start_[band] + i] = s.t[i];
                sw += w_[start_[band] + i];
                swy += w_[start_[band] + i] * s.mag[i];
            }
            mean_[band] = sw > 0 ? swy / sw : 0;
            for (std::size_t i = 0; i < s.size(); ++i) y_[start_[band] + i] = s.mag[i] - mean_[band];
        }
    }

    double ReferenceChi2Sum() const { return ref_; }

    //! chi2 of the fit at frequency f, NaN for a degenerate design. With `model`, also the fitted magnitude
    //! of every point (bands in order, as the input).
    double Fit(double f, std::vector<std::vector<double>> *model = nullptr, std::vector<double> *shape = nullptr,
               std::vector<double> *shape_cov = nullptr) {
        for (std::size_t band = 0; band < nb_; ++band)
            for (std::size_t i = start_[band]; i < start_[band + 1]; ++i)
                HarmonicBasis(kTwoPi * f * (t_[i] - t0_), nf_ / 2, &basis_[i * nf_]);
        std::fill(amp_.begin(), amp_.end(), 1.0);
        double chi2 = std::numeric_limits<double>::infinity();
        bool ok = true;
        for (int it = 0; it < iterations_; ++it) {
            // (1) Shared shape and means, amplitudes fixed.
            BuildShapeSystem();
            std::vector<double> x = rhs_;
            if (!SolveSpd(a_, x, m_)) {
                ok = it > 0;  // keep the last good fit; a first-round failure is a degenerate design
                break;
            }
            // (2) Mean and amplitude per band, shape fixed: a 2-parameter weighted fit per band.
            double new_chi2 = 0, norm = 0;
            for (std::size_t band = 0; band < nb_; ++band) {
                double sw = 0, ss = 0, sss = 0, sy = 0, ssy = 0;
                for (std::size_t i = start_[band]; i < start_[band + 1]; ++i) {
                    const double *row = &basis_[i * nf_];
                    double v = 0;
                    for (std::size_t r = 0; r < nf_; ++r) v += row[r] * x[nb_ + r];
                    shape_[i] = v;
                    sw += w_[i];
                    ss += w_[i] * v;
                    sss += w_[i] * v * v;
                    sy += w_[i] * y_[i];
                    ssy += w_[i] * v * y_[i];
                }
                const double det = sw * sss - ss * ss;
                if (det > 1e-12 * sw * sss && det > 0) {
                    amp_[band] = (sw * ssy - ss * sy) / det;
                    mu_[band] = (sy - amp_[band] * ss) / sw;
                } else {  // the shape is flat on this band's phases: the band keeps only its mean
                    amp_[band] = 0;
                    mu_[band] = sy / sw;
                }
                for (std::size_t i = start_[band]; i < start_[band + 1]; ++i) {
                    const double r = y_[i] - mu_[band] - amp_[band] * shape_[i];
                    new_chi2 += w_[i] * r * r;
                }
                norm += amp_[band] * amp_[band];
            }
            // The split between amplitudes and shape is free; keep the amplitudes near 1 for conditioning.
            if (norm > 0) {
                const double scale = std::sqrt(norm / static_cast<double>(nb_));
                for (double &v : amp_) v /= scale;
                for (double &v : shape_) v *= scale;
            } else {
                ok = false;
                break;
            }
            const bool converged = chi2 - new_chi2 <= 1e-9 * std::abs(new_chi2);
            chi2 = std::min(chi2, new_chi2);
            if (converged) break;
        }
        if (!ok || !std::isfinite(chi2)) return std::numeric_limits<double>::quiet_NaN();
        if (model) {
            // The last round's amplitudes, means and shape: its chi2 is the returned one (each round
            // lowers chi2, and the loop stops after the round that changed it too little).
            model->assign(nb_, {});
            for (std::size_t band = 0; band < nb_; ++band)
                for (std::size_t i = start_[band]; i < start_[band + 1]; ++i)
                    (*model)[band].push_back(mean_[band] + mu_[band] + amp_[band] * shape_[i]);
        }
        if (shape || shape_cov) {
            // One more linear step at the converged amplitudes, for the coefficients and their covariance
            // (amplitudes held fixed, so the covariance is conditional on them). They are extras: if this
            // system is singular they stay empty and the fit (chi2, model) still stands.
            BuildShapeSystem();
            std::vector<double> x = rhs_;
            if (!SolveSpd(a_, x, m_, /*want_inverse=*/true)) return chi2;
            if (shape) shape->assign(x.begin() + static_cast<std::ptrdiff_t>(nb_), x.end());
            if (shape_cov) {
                shape_cov->assign(nf_ * nf_, 0.0);
                for (std::size_t r = 0; r < nf_; ++r)
                    for (std::size_t q = 0; q < nf_; ++q) (*shape_cov)[r * nf_ + q] = a_[(nb_ + r) * m_ + nb_ + q];
            }
        }
        return chi2;
    }

private:
    //! The linear step's system: shared shape and means with the amplitudes fixed, each band's Fourier
    //! columns scaled by its amplitude (a_, rhs_; means first, then the 2K shape coefficients).
    void BuildShapeSystem() {
        std::fill(a_.begin(), a_.end(), 0.0);
        std::fill(rhs_.begin(), rhs_.end(), 0.0);
        for (std::size_t band = 0; band < nb_; ++band) {
            for (std::size_t i = start_[band]; i < start_[band + 1]; ++i) {
                const double *row = &basis_[i * nf_];
                a_[band * m_ + band] += w_[i];
                rhs_[band] += w_[i] * y_[i];
                for (std::size_t r = 0; r < nf_; ++r) {
                    const double wr = w_[i] * amp_[band] * row[r];
                    a_[(nb_ + r) * m_ + band] += wr;
                    rhs_[nb_ + r] += wr * y_[i];
                    for (std::size_t q = 0; q <= r; ++q) a_[(nb_ + r) * m_ + nb_ + q] += wr * amp_[band] * row[q];
                }
            }
        }
        for (std::size_t r = 0; r < m_; ++r)
            for (std::size_t q = r + 1; q < m_; ++q) a_[r * m_ + q] = a_[q * m_ + r];
    }

    std::size_t nb_, nf_, m_;
    int iterations_;
    double ref_ = 0, t0_ = std::numeric_limits<double>::infinity();
    std::vector<std::size_t> start_;
    std::vector<double> mean_, amp_, mu_, a_, rhs_, basis_, shape_, w_, y_, t_;
};

}  // namespace

std::vector<double> LombScargleScaledShape(std::span<const Series *const> bands, std::span<const double> frequencies,
                                           int nterms, int iterations) {
    std::vector<double> power(frequencies.size(), 0.0);
    ScaledShapeFitter fitter(bands, nterms, iterations);
    const double ref = fitter.ReferenceChi2Sum();
    if (!(ref > 0)) return power;
    for (std::size_t k = 0; k < frequencies.size(); ++k) {
        const double chi2 = fitter.Fit(frequencies[k]);
        if (std::isfinite(chi2)) power[k] = std::clamp(1.0 - chi2 / ref, 0.0, 1.0);
    }
    return power;
}

std::optional<ScaledShapeModel> FitScaledShape(std::span<const Series *const> bands, double frequency, int nterms,
                                               int iterations) {
    ScaledShapeFitter fitter(bands, nterms, iterations);
    if (!(fitter.ReferenceChi2Sum() > 0)) return std::nullopt;
    ScaledShapeModel out;
    out.chi2 = fitter.Fit(frequency, &out.model, &out.shape, &out.shape_cov);
    if (!std::isfinite(out.chi2)) return std::nullopt;
    return out;
}

double FalseAlarmProbability(double z, const Series &s, double fmax) {
    const double n = static_cast<double>(s.size());
    if (n < 4) return 1.0;
    z = std::clamp(z, 0.0, 1.0);
    const double nh = n - 1, nk = n - 3;
    double sw = 0, st = 0, stt = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const double w = 1.0 / (s.err[i] * s.err[i]);
        const double t = s.t[i] - s.t.front();
        sw += w;
        st += w * t;
        stt += w * t * t;
    }
    const double var_t = std::max(0.0, stt / sw - (st / sw) * (st / sw));
    const double teff = std::sqrt(4 * std::numbers::pi * var_t);
    const double w_eff = fmax * teff;
    const double gamma = std::sqrt(2 / nh) * std::exp(std::lgamma(nh / 2) - std::lgamma((nh - 1) / 2));
    const double fap_single = std::pow(1 - z, 0.5 * nk);
    const double tau = gamma * w_eff * std::pow(1 - z, 0.5 * (nk - 1)) * std::sqrt(0.5 * nh * z);
    return std::clamp(-std::expm1(-tau) + fap_single * std::exp(-tau), 0.0, 1.0);
}

}  // namespace rivulet::lightcurve
