#include "sim/alert_simulator.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <exception>
#include <numbers>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>

#include "common/error.hpp"
#include "image/cutout_codec.hpp"
#include "sim/avro_alert_writer.hpp"
#include "sim/cutout_renderer.hpp"
#include "sim/embedded_schema.hpp"
#include "sim/sim_random.hpp"

namespace rivulet {

namespace {

constexpr double kZtfEpochJd = 2457754.5;  // 2017-01-01 00:00 UT: ZTF night ids count from here
constexpr double kPixelScale = 1.012;      // arcsec per pixel
constexpr int kQuadrantWidth = 3072, kQuadrantHeight = 3080;
constexpr int kStampSide = 63;
constexpr double kMissing = -999.0;        // ZTF's "no such counterpart" value in catalogue fields

// Real ZTF primary-grid fields (ids and approximate centres taken from public alerts).
struct FieldInfo {
    int id;
    double ra, dec;
};
constexpr FieldInfo kFields[] = {
    {248, 26.9, -27.0},  {252, 56.1, -26.5},  {262, 128.0, -27.7}, {282, 271.9, -21.4}, {296, 19.6, -19.3},
    {306, 90.4, -14.4},  {331, 265.9, -17.8}, {346, 15.1, -12.2},  {354, 71.7, -10.2},  {384, 284.2, -6.9},
    {416, 146.0, -3.4},  {444, 342.2, -0.6},  {453, 46.0, 8.1},    {475, 197.6, 7.4},   {537, 268.1, 8.2},
    {550, 0.8, 16.1},    {574, 176.4, 16.9},  {582, 234.1, 16.6},  {651, 21.6, 31.6},   {658, 75.2, 35.4},
    {671, 184.5, 32.6},  {698, 39.5, 39.2},   {726, 275.2, 38.3},  {737, 16.0, 45.0},   {743, 68.6, 49.1},
    {781, 97.1, 56.1},   {789, 179.6, 52.0},  {794, 233.0, 57.0},  {821, 212.8, 59.8},  {836, 56.0, 71.6},
    {846, 228.0, 66.4},  {864, 247.2, 75.7},
};

float F(double x) { return static_cast<float>(x); }

struct Exposure {
    double jd = 0;
    int fid = 1, programid = 1, nid = 0;
    double fwhm = 2.0, maglim = 20.5, zp = 26.0, sky = 200, sigpix = 8;
    bool tonight = false;
    double dx = 0, dy = 0;  // pointing offset of this visit, pixels
};

struct FieldPlan {
    FieldInfo info;
    std::vector<Exposure> exposures;  // sorted by jd
    double jdstartref = 0, jdendref = 0;
    int nframesref = 15;
    std::array<double, 3> ref_fwhm{};
};

// Per readout channel of one exposure: ZTF calibrates each quadrant separately.
struct Quadrant {
    double maglim, zp, zpunc, zprms, clrcoeff, clrcounc, zpclrcov, zpmed, clrmed, clrrms, sky, sigpix, fwhm,
        adpct1, adpct2;
    int nmatches;
    int64_t pid;
};

Quadrant QuadrantOf(const Exposure &e, int rcid, uint64_t seed) {
    SimRandom r(seed ^ 0x51ab, static_cast<uint64_t>(std::llround(e.jd * 1e6)) * 64 + static_cast<uint64_t>(rcid));
    Quadrant q;
    q.maglim = e.maglim + r.Normal(0, 0.08);
    q.zp = e.zp + r.Normal(0, 0.03);
    q.zpunc = std::exp(r.Uniform(std::log(5e-6), std::log(3e-4)));
    q.zprms = r.Uniform(0.025, 0.08);
    q.clrcoeff = (e.fid == 1 ? -0.05 : e.fid == 2 ? 0.09 : -0.02) + r.Normal(0, 0.03);
    q.clrcounc = std::exp(r.Uniform(std::log(1e-5), std::log(3e-4)));
    q.zpclrcov = -std::exp(r.Uniform(std::log(3e-6), std::log(2e-4)));
    q.zpmed = q.zp + r.Normal(0, 0.03);
    q.clrmed = r.Uniform(0.5, 0.8);
    q.clrrms = r.Uniform(0.2, 0.34);
    q.sky = e.sky * r.Uniform(0.9, 1.1);
    q.sigpix = e.sigpix * r.Uniform(0.9, 1.1);
    q.fwhm = e.fwhm * r.Uniform(0.95, 1.08);
    q.adpct1 = r.Uniform(0.04, 0.12);
    q.adpct2 = q.adpct1 + r.Uniform(0.0, 0.03);
    q.nmatches = r.Int(80, 1500);
    const double frac = e.jd - kZtfEpochJd - e.nid;
    q.pid = int64_t{e.nid} * 1000000000 + static_cast<int64_t>(std::floor(frac * 1e5)) * 10000 + rcid * 100 + 15;
    return q;
}

// Calendar date of a JD (Fliegel & Van Flandern), for ZTF file names.
void CalendarDate(double jd, int &year, int &month, int &day) {
    const long l0 = static_cast<long>(std::floor(jd + 0.5)) + 68569;
    const long n = 4 * l0 / 146097;
    long l = l0 - (146097 * n + 3) / 4;
    const long i = 4000 * (l + 1) / 1461001;
    l = l - 1461 * i / 4 + 31;
    const long j = 80 * l / 2447;
    day = static_cast<int>(l - 2447 * j / 80);
    l = j / 11;
    month = static_cast<int>(j + 2 - 12 * l);
    year = static_cast<int>(100 * (n - 49) + i + l);
}

std::string DiffImageName(const Exposure &e, int field, int rcid, bool archive_path) {
    int y, m, d;
    CalendarDate(e.jd, y, m, d);
    const double frac = e.jd - std::floor(e.jd - 0.5) - 0.5;  // fraction of the UT day
    const long f6 = static_cast<long>(std::floor(frac * 1e6));
    const char band = e.fid == 1 ? 'g' : e.fid == 2 ? 'r' : 'i';
    char name[160];
    std::snprintf(name, sizeof name, "ztf_%04d%02d%02d%06ld_%06d_z%c_c%02d_o_q%d_scimrefdiffimg.fits", y, m, d, f6,
                  field, band, rcid / 4 + 1, rcid % 4 + 1);
    if (!archive_path) return name;
    char path[240];
    std::snprintf(path, sizeof path, "/ztf/archive/sci/%04d/%02d%02d/%06ld/%s.fz", y, m, d, f6, name);
    return path;
}

// Sky position of a quadrant pixel: 4x4 CCDs, each 2x2 quadrants, with gaps, centred on the field.
void PixelToSky(const FieldInfo &field, int rcid, double x, double y, double &ra, double &dec) {
    constexpr double kGap = 400;  // pixels between CCDs
    const int ccd = rcid / 4, quad = rcid % 4;
    const int ccd_col = 3 - ccd % 4, ccd_row = ccd / 4;
    const int q_col = (quad == 0 || quad == 3) ? 1 : 0, q_row = quad < 2 ? 1 : 0;
    const double width = 4 * 2 * kQuadrantWidth + 3 * kGap, height = 4 * 2 * kQuadrantHeight + 3 * kGap;
    const double fx = ccd_col * (2 * kQuadrantWidth + kGap) + q_col * kQuadrantWidth + x - width / 2;
    const double fy = ccd_row * (2 * kQuadrantHeight + kGap) + q_row * kQuadrantHeight + y - height / 2;
    dec = field.dec + fy * kPixelScale / 3600.0;
    ra = field.ra - fx * kPixelScale / 3600.0 / std::cos(dec * std::numbers::pi / 180);
    ra = std::fmod(ra + 360.0, 360.0);
}

// PS1 object id: declination zone, RA and position within the zone, as PS1 builds it.
int64_t Ps1ObjectId(double ra, double dec) {
    const double z = (dec + 90.0) * 120.0;
    const int64_t zone = static_cast<int64_t>(std::floor(z));
    return zone * 10000000000000LL + static_cast<int64_t>(std::floor(ra * 1e6)) * 10000 +
           static_cast<int64_t>(std::floor((z - zone) * 1e4));
}

// What is near the object in the reference sky, from the catalogues ZTF cross-matches.
struct Counterpart {
    double dx = 0, dy = 0;         // pixels from the object
    std::array<double, 3> mag{};   // g r i
    double extent = 0;             // 0: point source
    double sgscore = 0.99;
};

struct Epoch {
    int exposure = 0;
    bool detected = false;
    bool alert = false;          // tonight, and produces a packet
    double flux_ujy = 0;         // measured difference flux (also the forced photometry value)
    double sigma_ujy = 1;
    Candidate cand;              // complete for detections; ZTF's upper-limit subset otherwise
};

struct SimObject {
    SimObjectKind kind = SimObjectKind::kVariableStar;
    BogusKind bogus = BogusKind::kNone;
    int field = 0;  // index into the night's fields
    int rcid = 0;
    double x = 0, y = 0, ra = 0, dec = 0;
    LightCurveModel lc;
    std::string objectId;
    bool has_fp = false;
    int ndethist_before = 0, ncovhist_before = 0;
    double jdstarthist_before = 0;  // 0: first detected in the simulated window
    std::vector<Counterpart> near;  // [0] is the nearest reference source
    std::array<Counterpart, 3> ps1{};
    std::array<bool, 3> has_ps1{};
    int nmtchps = 0;
    double neargaia = kMissing, maggaia = kMissing, neargaiabright = kMissing, maggaiabright = kMissing;
    double artefact_flux_dn = 0, angle = 0;
    int nan_pixels = 0;
    std::vector<Epoch> epochs;  // in jd order
};

struct AlertJob {
    size_t object, epoch;
};

struct NightPlan {
    SimulationOptions options;
    std::vector<FieldPlan> fields;
    std::vector<SimObject> objects;
    std::vector<AlertJob> jobs;  // sorted by (jd, candid)
};

void Check(bool ok, const std::string &message) {
    if (!ok) throw RivuletError(ErrorKind::kConfig, "simulate: " + message);
}

// Fields up at midnight: RA near the anti-Sun, declination reachable from Palomar.
std::vector<FieldInfo> ChooseFields(const SimulationOptions &o, SimRandom &rng) {
    const double sun_lon = std::fmod(280.46 + 0.9856474 * (o.night_jd - 2451545.0), 360.0);
    const double midnight_ra = std::fmod(sun_lon + 180.0 + 360.0, 360.0);
    std::vector<std::pair<double, FieldInfo>> ranked;
    for (const FieldInfo &f : kFields) {
        const double dra = std::abs(std::fmod(f.ra - midnight_ra + 540.0, 360.0) - 180.0);
        ranked.push_back({dra + rng.Uniform(0, 25), f});
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    const int n = o.n_fields > 0 ? o.n_fields : std::clamp(static_cast<int>(o.n_alerts / 300) + 2, 3, 8);
    std::vector<FieldInfo> out;
    for (int i = 0; i < n && i < static_cast<int>(ranked.size()); ++i) out.push_back(ranked[static_cast<size_t>(i)].second);
    return out;
}

Exposure MakeExposure(double jd, int fid, int programid, bool tonight, double seeing, double depth, SimRandom &rng) {
    Exposure e;
    e.jd = jd;
    e.fid = fid;
    e.programid = programid;
    e.nid = NightId(jd);
    e.fwhm = std::clamp(seeing * rng.Uniform(0.9, 1.15), 1.2, 6.5);
    const double base = fid == 1 ? 20.6 : fid == 2 ? 20.4 : 19.9;
    e.maglim = base + depth + rng.Normal(0, 0.1) - 1.2 * std::log(e.fwhm / 2.0);
    e.zp = (fid == 1 ? 26.3 : fid == 2 ? 26.15 : 25.7) + rng.Normal(0, 0.07) + std::min(0.0, depth * 0.5);
    e.sky = (fid == 1 ? 150 : fid == 2 ? 210 : 320) * rng.Uniform(0.8, 1.6);
    e.sigpix = std::sqrt(e.sky / 2.4) * rng.Uniform(0.9, 1.1);
    e.tonight = tonight;
    e.dx = rng.Normal(0, 2.0);
    e.dy = rng.Normal(0, 2.0);
    return e;
}

// ZTF's schedule for one field: tonight's visits (alternating g and r, sometimes i for the partnership)
// and the history window before it, with weather and moon making some nights short or missing.
FieldPlan PlanField(const FieldInfo &info, const SimulationOptions &o, int tonight_visits, SimRandom &rng) {
    FieldPlan p;
    p.info = info;
    for (int night = -o.history_days - 1; night <= 0; ++night) {
        const bool tonight = night == 0;
        // ZTF's public survey revisits a field every ~2-3 nights in g and r; weather takes some nights.
        if (!tonight && !rng.Chance(0.4)) continue;
        const double seeing = std::exp(rng.Normal(std::log(2.2), 0.25));
        const double depth = rng.Normal(0, 0.3);
        const int visits = tonight ? tonight_visits : rng.Int(1, 2);
        double jd = o.night_jd + night + rng.Uniform(0.0, 0.12);
        int fid = rng.Chance(0.5) ? 1 : 2;
        for (int v = 0; v < visits; ++v) {
            int programid = 1;
            int f = fid;
            if (rng.Chance(0.08)) f = 3, programid = 2;
            p.exposures.push_back(MakeExposure(jd, f, programid, tonight, seeing, depth, rng));
            jd += rng.Uniform(0.02, 0.06);
            fid = fid == 1 ? 2 : 1;
        }
    }
    std::sort(p.exposures.begin(), p.exposures.end(), [](const Exposure &a, const Exposure &b) { return a.jd < b.jd; });
    p.jdstartref = 2458200.5 + rng.Uniform(0, 250);
    p.jdendref = p.jdstartref + rng.Uniform(20, 120);
    p.nframesref = rng.Chance(0.8) ? 15 : rng.Int(16, 40);
    p.ref_fwhm = {rng.Uniform(1.6, 2.1), rng.Uniform(1.5, 2.0), rng.Uniform(1.5, 2.0)};
    return p;
}

std::string MakeObjectId(double first_jd, SimRandom &rng, std::unordered_set<std::string> &used) {
    int y, m, d;
    CalendarDate(first_jd, y, m, d);
    for (;;) {
        char id[16];
        std::snprintf(id, sizeof id, "ZTF%02d", y % 100);
        std::string s = id;
        // ZTF names advance alphabetically through a year; the first letter tracks the season.
        s += static_cast<char>('a' + std::clamp((m - 1) * 2 + (d > 15), 0, 25) / 2);
        for (int i = 0; i < 6; ++i) s += static_cast<char>('a' + rng.Below(26));
        if (used.insert(s).second) return s;
    }
}

Counterpart FieldStar(SimRandom &rng, double rmin, double rmax) {
    Counterpart c;
    const double r = rng.Uniform(rmin, rmax), a = rng.Uniform(0, 2 * std::numbers::pi);
    c.dx = r * std::cos(a);
    c.dy = r * std::sin(a);
    const double rmag = rng.Uniform(17.0, 21.5), gr = rng.Uniform(0.2, 1.2);
    c.mag = {rmag + gr, rmag, rmag - 0.4 * gr};
    c.sgscore = rng.Chance(0.7) ? rng.Uniform(0.9, 1.0) : rng.Uniform(0.0, 0.5);
    c.extent = c.sgscore < 0.5 ? rng.Uniform(0.8, 2.0) : 0.0;
    return c;
}

void DrawEnvironment(SimObject &ob, SimRandom &rng) {
    std::vector<Counterpart> &near = ob.near;
    switch (ob.kind) {
        case SimObjectKind::kVariableStar: {
            Counterpart star;
            star.mag = ob.lc.mean_mag;
            star.sgscore = rng.Uniform(0.97, 1.0);
            near.push_back(star);
            break;
        }
        case SimObjectKind::kAgn: {
            Counterpart nucleus;
            nucleus.mag = ob.lc.mean_mag;
            nucleus.extent = rng.Uniform(1.0, 2.5);  // the host around the nucleus
            nucleus.sgscore = rng.Uniform(0.2, 0.8);
            near.push_back(nucleus);
            break;
        }
        case SimObjectKind::kTransient:
            if (rng.Chance(0.85)) {  // a host galaxy, offset from the supernova
                Counterpart host;
                const double r = std::exp(rng.Normal(std::log(1.5), 0.6)), a = rng.Uniform(0, 2 * std::numbers::pi);
                host.dx = r * std::cos(a);
                host.dy = r * std::sin(a);
                const double rmag = rng.Uniform(17.5, 21.5);
                host.mag = {rmag + 0.7, rmag, rmag - 0.35};
                host.extent = rng.Uniform(1.2, 4.0);
                host.sgscore = rng.Uniform(0.0, 0.25);
                near.push_back(host);
            }
            break;
        case SimObjectKind::kBogus:
            if (ob.bogus == BogusKind::kDipole || ob.bogus == BogusKind::kGhost) {
                Counterpart star;  // the bright star whose subtraction failed, or whose reflection this is
                const double rmag = rng.Uniform(12.0, 15.5);
                star.mag = {rmag + 0.6, rmag, rmag - 0.25};
                star.sgscore = rng.Uniform(0.98, 1.0);
                if (ob.bogus == BogusKind::kGhost) star.dx = rng.Uniform(25, 30) * (rng.Chance(0.5) ? 1 : -1);
                else star.dx = rng.Normal(0, 0.3), star.dy = rng.Normal(0, 0.3);
                near.push_back(star);
            }
            break;
    }
    const int n_field = rng.Int(1, 5);
    for (int i = 0; i < n_field; ++i) near.push_back(FieldStar(rng, near.empty() ? 3.0 : 6.0, 30.0));
    std::sort(near.begin(), near.end(), [](const Counterpart &a, const Counterpart &b) {
        return std::hypot(a.dx, a.dy) < std::hypot(b.dx, b.dy);
    });

    // PS1: the nearest three catalogued sources within 30"; faint bands sometimes missing.
    for (size_t i = 0; i < 3 && i < near.size(); ++i) {
        if (std::hypot(near[i].dx, near[i].dy) * kPixelScale > 30.0) break;
        ob.ps1[i] = near[i];
        ob.has_ps1[i] = true;
    }
    ob.nmtchps = rng.Int(static_cast<int>(near.size()), static_cast<int>(near.size()) + 15);
    // Gaia sees stars and compact nuclei, not faint galaxies.
    for (const Counterpart &c : near)
        if (c.sgscore > 0.5 && c.mag[1] < 20.8) {
            ob.neargaia = std::hypot(c.dx, c.dy) * kPixelScale + std::abs(rng.Normal(0, 0.05));
            ob.maggaia = c.mag[1] + 0.1 + rng.Normal(0, 0.05);
            break;
        }
    if (ob.neargaia == kMissing && rng.Chance(0.7)) {
        ob.neargaia = rng.Uniform(8, 60);
        ob.maggaia = rng.Uniform(15, 20.5);
    }
    if (rng.Chance(0.3) || ob.bogus == BogusKind::kGhost) {
        ob.neargaiabright = ob.bogus == BogusKind::kGhost ? std::abs(near[0].dx) * kPixelScale : rng.Uniform(15, 90);
        ob.maggaiabright = rng.Uniform(10.5, 14.0);
    }
}

// Fields shared by detections and upper limits: the exposure and its calibration.
template <class Record>
void FillExposureFields(Record &c, const Exposure &e, const Quadrant &q, const FieldPlan &fp, int rcid, bool archive_name) {
    c.jd = e.jd;
    c.fid = e.fid;
    c.pid = q.pid;
    c.diffmaglim = F(q.maglim);
    c.pdiffimfilename = DiffImageName(e, fp.info.id, rcid, archive_name);
    c.programpi = std::string("Kulkarni");
    c.programid = e.programid;
    c.nid = e.nid;
    c.rcid = rcid;
    c.field = fp.info.id;
    c.magzpsci = F(q.zp);
    c.magzpsciunc = F(q.zpunc);
    c.magzpscirms = F(q.zprms);
    c.clrcoeff = F(q.clrcoeff);
    c.clrcounc = F(q.clrcounc);
    c.rbversion = std::string("t17_f5_c3");
}

// The measured detection: candidate fields a ZTF difference-image detection of this object would carry.
void FillDetection(Candidate &c, const SimObject &ob, const FieldPlan &fp, const Exposure &e, const Quadrant &q,
                   double flux, double sigma, SimRandom &rng) {
    const double snr = std::abs(flux) / sigma;
    const bool bogus = ob.kind == SimObjectKind::kBogus;
    const double x = std::clamp(ob.x + e.dx + rng.Normal(0, 0.5 * q.fwhm / snr), 0.5, kQuadrantWidth - 0.5);
    const double y = std::clamp(ob.y + e.dy + rng.Normal(0, 0.5 * q.fwhm / snr), 0.5, kQuadrantHeight - 0.5);
    const double pos_err = 0.3 / snr * q.fwhm / 3600.0;
    c.isdiffpos = std::string(flux > 0 ? "t" : "f");
    c.xpos = F(x);
    c.ypos = F(y);
    c.ra = ob.ra + rng.Normal(0, pos_err) / std::cos(ob.dec * std::numbers::pi / 180);
    c.dec = ob.dec + rng.Normal(0, pos_err);
    const double magpsf = FluxToMag(std::abs(flux));
    // Calibration and PSF-model errors put a floor of ~0.01 mag under the photon noise.
    const double sigmapsf = std::hypot(1.0857 / snr, 0.012);
    c.magpsf = F(magpsf);
    c.sigmapsf = F(sigmapsf);
    c.chipsf = F(0.8 + std::abs(rng.Normal(0, 0.6)) + std::pow(snr / 40.0, 2));
    double magdiff = rng.Normal(0.03, 0.06 + 0.8 * sigmapsf);
    double fwhm = q.fwhm * rng.Uniform(0.9, 1.2);
    double elong = 1.0 + std::abs(rng.Normal(0, 0.12));
    int nneg = std::clamp(static_cast<int>(std::lround(std::abs(rng.Normal(0, 3.0)))), 0, 13);
    int nbad = 0;
    double rb = std::clamp(1.0 - std::abs(rng.Normal(0, 0.22)) - 0.8 / snr, 0.05, 0.99);
    double drb = std::clamp(1.0 - std::exp(rng.Normal(std::log(2e-3), 1.8)), 0.0, 1.0);
    double chipsf_scale = 1.0, classtar = rng.Uniform(0.85, 0.99), sumrat = rng.Chance(0.8) ? 1.0 : rng.Uniform(0.7, 1.0);
    double dsnrms = snr * rng.Uniform(0.5, 2.0), ssnrms = dsnrms + std::abs(rng.Normal(20, 40));
    if (bogus) {
        switch (ob.bogus) {
            case BogusKind::kDipole:
                magdiff = rng.Chance(0.7) ? rng.Uniform(0.45, 1.6) : rng.Uniform(-1.4, -0.8);
                elong = rng.Uniform(1.3, 2.6);
                nneg = rng.Int(10, 25);
                chipsf_scale = rng.Uniform(10, 400);
                dsnrms = rng.Uniform(300, 8000);
                ssnrms = dsnrms * rng.Uniform(1.2, 3.0);
                break;
            case BogusKind::kCosmicRay:
                fwhm = rng.Uniform(0.5, 1.3);
                elong = rng.Chance(0.5) ? rng.Uniform(1.5, 4.0) : rng.Uniform(1.0, 1.2);
                magdiff = rng.Uniform(-0.2, 0.3);
                classtar = rng.Uniform(0.2, 0.7);
                break;
            case BogusKind::kHotPixel:
                fwhm = rng.Uniform(0.5, 1.0);
                nbad = rng.Int(1, 4);
                magdiff = rng.Uniform(0.3, 1.2);
                break;
            case BogusKind::kChipEdge:
                fwhm = rng.Uniform(4.0, 9.0);
                elong = rng.Uniform(1.4, 3.0);
                nbad = rng.Int(1, 8);
                magdiff = rng.Uniform(-1.5, -0.5);
                break;
            case BogusKind::kGhost:
                fwhm = rng.Uniform(6.0, 15.0);
                elong = rng.Uniform(1.1, 1.6);
                magdiff = rng.Uniform(-2.0, -0.8);
                classtar = rng.Uniform(0.0, 0.2);
                break;
            case BogusKind::kNone: break;
        }
        rb = std::clamp(rng.Chance(0.08) ? rng.Uniform(0.3, 0.6) : std::exp(rng.Normal(std::log(0.1), 0.6)), 0.0, 0.99);
        drb = std::clamp(std::exp(rng.Normal(std::log(0.005), 2.0)), 1e-7, 1.0);
    }
    c.chipsf = F(*c.chipsf * chipsf_scale);
    const double magap = magpsf + magdiff;
    c.magap = F(magap);
    c.sigmagap = F(std::max(0.001, sigmapsf * rng.Uniform(0.9, 1.6) * std::pow(10.0, 0.2 * magdiff)));
    c.magapbig = F(magap + rng.Normal(-0.02, 0.04));
    c.sigmagapbig = F(*c.sigmagap * rng.Uniform(1.1, 1.5));
    c.magdiff = F(magdiff);
    c.fwhm = F(fwhm);
    c.elong = F(elong);
    const double bimage = std::max(0.25, 0.36 * fwhm * rng.Uniform(0.85, 1.05));
    c.aimage = F(bimage * elong);
    c.bimage = F(bimage);
    c.aimagerat = F(bimage * elong / fwhm);
    c.bimagerat = F(bimage / fwhm);
    c.nneg = nneg;
    c.nbad = nbad;
    c.rb = F(rb);
    c.drb = F(drb);
    c.classtar = F(classtar);
    c.sumrat = F(sumrat);
    c.sky = F(rng.Normal(0, bogus ? 2.0 : 0.6));
    c.mindtoedge = F(std::min({x, y, kQuadrantWidth - x, kQuadrantHeight - y}));
    c.magfromlim = F(q.maglim - magpsf);
    c.seeratio = F(std::min(2.0, q.fwhm / fp.ref_fwhm[static_cast<size_t>(e.fid - 1)]));
    c.scorr = std::max(snr * rng.Uniform(0.95, 1.35), 5.0 + rng.Uniform(0.0, 0.3));  // ZTF keeps scorr >= 5
    c.dsnrms = F(dsnrms);
    c.ssnrms = F(ssnrms);
    c.dsdiff = F(dsnrms - ssnrms);

    // The nearest source in the reference image's PSF catalogue.
    const size_t fi = static_cast<size_t>(e.fid - 1);
    if (!ob.near.empty()) {
        const Counterpart &n = ob.near[0];
        const double dist = std::hypot(n.dx - (x - ob.x - e.dx), n.dy - (y - ob.y - e.dy));
        c.distnr = F(dist);
        c.magnr = F(n.mag[fi] + rng.Normal(0, 0.01));
        c.sigmagnr = F(std::clamp(0.008 + 0.06 * std::pow(10.0, 0.4 * (n.mag[fi] - 20.5)), 0.008, 0.36));
        c.chinr = F(n.extent > 0 ? rng.Uniform(1.5, 8.0) : rng.Uniform(0.25, 1.5));
        c.sharpnr = F(n.extent > 0 ? rng.Uniform(0.1, 0.8) : rng.Normal(0, 0.04));
        c.ranr = ob.ra - n.dx * kPixelScale / 3600.0 / std::cos(ob.dec * std::numbers::pi / 180);
        c.decnr = ob.dec + n.dy * kPixelScale / 3600.0;
    }
    // ZTF fills ssdistnr/ssmagnr with -999 and ssnamenr with the string "null" when no asteroid is near.
    c.ssdistnr = F(kMissing);
    c.ssmagnr = F(kMissing);
    c.ssnamenr = std::string("null");
    c.tblid = 0;  // assigned once all detections of the quadrant are known
}

// Catalogue and history fields that only the alert's own candidate carries.
void FillAlertOnlyFields(Candidate &c, const SimObject &ob, const FieldPlan &fp, const Exposure &e, const Quadrant &q,
                         int ndethist, int ncovhist, double jdstarthist) {
    auto ps1 = [&](size_t i, std::optional<int64_t> &id, std::optional<float> &g, std::optional<float> &r,
                   std::optional<float> &iband, std::optional<float> &z, std::optional<float> &sg,
                   std::optional<float> &dist) {
        if (!ob.has_ps1[i]) {
            id = static_cast<int64_t>(kMissing);
            g = r = iband = z = sg = dist = F(kMissing);
            return;
        }
        const Counterpart &p = ob.ps1[i];
        const double ra = ob.ra - p.dx * kPixelScale / 3600.0 / std::cos(ob.dec * std::numbers::pi / 180);
        const double dec = ob.dec + p.dy * kPixelScale / 3600.0;
        id = Ps1ObjectId(ra, dec);
        g = F(p.mag[0] > 22.5 ? kMissing : p.mag[0]);
        r = F(p.mag[1]);
        iband = F(p.mag[2]);
        z = F(p.mag[2] - 0.15);
        sg = F(p.sgscore);
        dist = F(std::max(0.01, std::hypot(p.dx, p.dy) * kPixelScale));
    };
    ps1(0, c.objectidps1, c.sgmag1, c.srmag1, c.simag1, c.szmag1, c.sgscore1, c.distpsnr1);
    ps1(1, c.objectidps2, c.sgmag2, c.srmag2, c.simag2, c.szmag2, c.sgscore2, c.distpsnr2);
    ps1(2, c.objectidps3, c.sgmag3, c.srmag3, c.simag3, c.szmag3, c.sgscore3, c.distpsnr3);
    c.nmtchps = ob.nmtchps;
    c.ndethist = ndethist;
    c.ncovhist = ncovhist;
    c.jdstarthist = jdstarthist;
    c.jdendhist = e.jd;
    c.tooflag = 0;
    c.rfid = int64_t{fp.info.id} * 1000000 + 120000 + e.fid * 100 + c.rcid.value_or(0);
    c.jdstartref = fp.jdstartref;
    c.jdendref = fp.jdendref;
    c.nframesref = fp.nframesref;
    c.nmatches = q.nmatches;
    c.zpclrcov = F(q.zpclrcov);
    c.zpmed = F(q.zpmed);
    c.clrmed = F(q.clrmed);
    c.clrrms = F(q.clrrms);
    c.neargaia = F(ob.neargaia);
    c.maggaia = F(ob.maggaia);
    c.neargaiabright = F(ob.neargaiabright);
    c.maggaiabright = F(ob.maggaiabright);
    c.exptime = F(30.0);
    c.drbversion = std::string("d6_m7");
}

// Copies every field the two records share by name and type (PrvCandidate is a subset of Candidate).
template <class To, class From>
void CopyShared(const From &from, To &to) {
    static const std::vector<int> map = [] {
        std::vector<int> m;
        for (const auto &spec : To::Fields()) m.push_back(FindField(From::Fields(), spec.name));
        return m;
    }();
    auto to_fields = To::Fields();
    auto from_fields = From::Fields();
    for (size_t i = 0; i < to_fields.size(); ++i) {
        if (map[i] < 0) continue;
        std::visit(
            [&](auto to_member, auto from_member) {
                if constexpr (std::is_same_v<std::remove_cvref_t<decltype(to.*to_member)>,
                                             std::remove_cvref_t<decltype(from.*from_member)>>)
                    to.*to_member = from.*from_member;
            },
            to_fields[i].member, from_fields[static_cast<size_t>(map[i])].member);
    }
}

BogusKind DrawBogusKind(SimRandom &rng) {
    const double u = rng.Uniform();
    if (u < 0.35) return BogusKind::kDipole;
    if (u < 0.60) return BogusKind::kCosmicRay;
    if (u < 0.75) return BogusKind::kHotPixel;
    if (u < 0.88) return BogusKind::kChipEdge;
    return BogusKind::kGhost;
}

SimObjectKind DrawRealKind(SimRandom &rng) {
    const double u = rng.Uniform();
    if (u < 0.45) return SimObjectKind::kVariableStar;
    if (u < 0.80) return SimObjectKind::kTransient;
    return SimObjectKind::kAgn;
}

// Measures every visit of the object's field in the window; returns the number of detections tonight.
int ObserveObject(SimObject &ob, const FieldPlan &fp, const SimulationOptions &o, SimRandom &rng) {
    ob.epochs.clear();
    int tonight = 0;
    for (size_t k = 0; k < fp.exposures.size(); ++k) {
        const Exposure &e = fp.exposures[k];
        if (e.jd < o.night_jd - o.history_days - 1) continue;
        const Quadrant q = QuadrantOf(e, ob.rcid, o.seed);
        Epoch ep;
        ep.exposure = static_cast<int>(k);
        ep.sigma_ujy = MagToFlux(q.maglim) / 5.0;
        if (ob.kind == SimObjectKind::kBogus) {
            // An artefact exists in one exposure only: tonight's first visit of its field.
            ep.flux_ujy = ep.sigma_ujy * rng.Normal();
            if (e.tonight && tonight == 0) {
                const double mag = ob.bogus == BogusKind::kDipole ? rng.Uniform(15.5, 19.0) : rng.Uniform(17.0, q.maglim - 0.3);
                ep.flux_ujy = MagToFlux(mag) * (ob.bogus == BogusKind::kDipole && rng.Chance(0.5) ? -1 : 1);
                ep.detected = true;
            }
        } else {
            ep.flux_ujy = ob.lc.DifferenceFlux(e.jd, e.fid) + ep.sigma_ujy * rng.Normal();
            // ZTF issues a detection at 5 sigma; a few are lost to masking and the pipeline's own vetting.
            ep.detected = std::abs(ep.flux_ujy) >= 5.0 * ep.sigma_ujy && rng.Chance(0.97);
        }
        FillExposureFields(ep.cand, e, q, fp, ob.rcid, !e.tonight);
        if (ep.detected) {
            FillDetection(ep.cand, ob, fp, e, q, ep.flux_ujy, ep.sigma_ujy, rng);
            if (e.tonight) ++tonight;
        }
        ob.epochs.push_back(std::move(ep));
    }
    return tonight;
}

NightPlan PlanNight(const SimulationOptions &o) {
    Check(o.n_alerts > 0, "n_alerts must be positive");
    Check(o.bogus_fraction >= 0 && o.bogus_fraction <= 1, "bogus_fraction must be in [0, 1]");
    Check(o.fp_hists_fraction >= 0 && o.fp_hists_fraction <= 1, "fp_hists_fraction must be in [0, 1]");
    Check(o.history_days >= 0 && o.history_days <= 365, "history_days must be in [0, 365]");
    Check(o.night_jd > 2400000 && o.night_jd < 2500000, "night_jd is not a plausible Julian date");
    Check(o.n_fields >= 0 && o.n_fields <= 32, "n_fields must be in [0, 32]");

    NightPlan plan;
    plan.options = o;
    SimRandom rng(o.seed, 1);
    const size_t n_bogus = static_cast<size_t>(std::llround(o.bogus_fraction * static_cast<double>(o.n_alerts)));
    const size_t n_real = o.n_alerts - n_bogus;
    // Real objects yield ~0.6 alerts per visit tonight; choose visits to meet the requested object count.
    int visits = 3;
    if (o.n_objects > n_bogus) {
        const double per_object = static_cast<double>(n_real) / static_cast<double>(o.n_objects - n_bogus);
        visits = std::clamp(static_cast<int>(std::lround(per_object / 0.6)), 1, 8);
    } else if (o.n_objects > 0) {
        visits = 1;
    }
    for (const FieldInfo &f : ChooseFields(o, rng)) plan.fields.push_back(PlanField(f, o, visits + rng.Int(0, 1), rng));

    std::unordered_set<std::string> used_ids;
    size_t real_alerts = 0, bogus_alerts = 0;
    while (real_alerts < n_real || bogus_alerts < n_bogus) {
        SimObject ob;
        const bool bogus = bogus_alerts < n_bogus && (real_alerts >= n_real || rng.Chance(o.bogus_fraction));
        ob.field = static_cast<int>(rng.Below(plan.fields.size()));
        const FieldPlan &fp = plan.fields[static_cast<size_t>(ob.field)];
        ob.rcid = rng.Int(0, 63);
        ob.x = rng.Uniform(1.0, kQuadrantWidth - 1.0);
        ob.y = rng.Uniform(1.0, kQuadrantHeight - 1.0);
        if (bogus) {
            ob.kind = SimObjectKind::kBogus;
            ob.bogus = DrawBogusKind(rng);
            if (ob.bogus == BogusKind::kChipEdge) {  // within a few pixels of a quadrant edge
                const double d = rng.Uniform(1.0, 20.0);
                switch (rng.Int(0, 3)) {
                    case 0: ob.x = d; break;
                    case 1: ob.x = kQuadrantWidth - d; break;
                    case 2: ob.y = d; break;
                    default: ob.y = kQuadrantHeight - d; break;
                }
            }
        } else {
            ob.kind = DrawRealKind(rng);
        }
        PixelToSky(fp.info, ob.rcid, ob.x, ob.y, ob.ra, ob.dec);
        int tonight = 0;
        for (int attempt = 0; attempt < 40 && tonight == 0; ++attempt) {
            // Redraw until the object is seen tonight: alerts exist only for detections.
            if (!bogus) ob.lc = LightCurveModel::Draw(attempt < 30 ? ob.kind : SimObjectKind::kVariableStar, o.night_jd, rng);
            ob.kind = bogus ? SimObjectKind::kBogus : ob.lc.kind;
            tonight = ObserveObject(ob, fp, o, rng);
        }
        if (tonight == 0) continue;
        DrawEnvironment(ob, rng);
        ob.angle = rng.Uniform(0, 2 * std::numbers::pi);
        ob.nan_pixels = rng.Chance(0.03) ? rng.Int(1, 25) : 0;
        ob.has_fp = !bogus && rng.Chance(o.fp_hists_fraction);
        // Long-lived sources were detected and covered before the simulated window.
        double first = 0;
        for (const Epoch &ep : ob.epochs)
            if (ep.detected) { first = fp.exposures[static_cast<size_t>(ep.exposure)].jd; break; }
        if (ob.kind == SimObjectKind::kVariableStar || ob.kind == SimObjectKind::kAgn) {
            ob.jdstarthist_before = rng.Uniform(2458200.5, std::max(2458201.0, o.night_jd - 60));
            ob.ncovhist_before = rng.Int(20, 1500);
            ob.ndethist_before = static_cast<int>(ob.ncovhist_before * rng.Uniform(0.1, 0.8));
            first = ob.jdstarthist_before;
        } else {
            ob.ncovhist_before = rng.Int(10, 800);
        }
        ob.objectId = MakeObjectId(first, rng, used_ids);

        // Re-fill the detections now that the environment (nearest sources) is known.
        SimRandom fill(o.seed ^ 0xf111, plan.objects.size());
        for (Epoch &ep : ob.epochs) {
            if (!ep.detected) continue;
            const Exposure &e = fp.exposures[static_cast<size_t>(ep.exposure)];
            FillDetection(ep.cand, ob, fp, e, QuadrantOf(e, ob.rcid, o.seed), ep.flux_ujy, ep.sigma_ujy, fill);
        }
        size_t &count = bogus ? bogus_alerts : real_alerts;
        const size_t target = bogus ? n_bogus : n_real;
        for (size_t k = 0; k < ob.epochs.size(); ++k) {
            Epoch &ep = ob.epochs[k];
            if (ep.detected && fp.exposures[static_cast<size_t>(ep.exposure)].tonight && count < target) {
                ep.alert = true;
                plan.jobs.push_back({plan.objects.size(), k});
                ++count;
            }
        }
        plan.objects.push_back(std::move(ob));
    }

    // tblid: running number of the detection within its readout channel's difference image.
    std::map<int64_t, int> next_tblid;
    for (SimObject &ob : plan.objects)
        for (Epoch &ep : ob.epochs)
            if (ep.detected) {
                ep.cand.tblid = next_tblid[*ep.cand.pid]++;
                ep.cand.candid = *ep.cand.pid * 1000000 + 15000 + *ep.cand.tblid;
            }
    auto candid_of = [&](const AlertJob &j) { return *plan.objects[j.object].epochs[j.epoch].cand.candid; };
    auto jd_of = [&](const AlertJob &j) { return *plan.objects[j.object].epochs[j.epoch].cand.jd; };
    std::sort(plan.jobs.begin(), plan.jobs.end(), [&](const AlertJob &a, const AlertJob &b) {
        return std::pair(jd_of(a), candid_of(a)) < std::pair(jd_of(b), candid_of(b));
    });
    return plan;
}

FpHist MakeFpHist(const SimObject &ob, const FieldPlan &fp, const Epoch &ep, const SimulationOptions &o) {
    const Exposure &e = fp.exposures[static_cast<size_t>(ep.exposure)];
    const Quadrant q = QuadrantOf(e, ob.rcid, o.seed);
    FpHist h;
    h.field = fp.info.id;
    h.rcid = ob.rcid;
    h.fid = e.fid;
    h.pid = q.pid;
    h.rfid = int64_t{fp.info.id} * 1000000 + 120000 + e.fid * 100 + ob.rcid;
    h.sciinpseeing = F(q.fwhm);
    h.scibckgnd = F(q.sky);
    h.scisigpix = F(q.sigpix);
    h.magzpsci = F(q.zp);
    h.magzpsciunc = F(q.zpunc);
    h.magzpscirms = F(q.zprms);
    h.clrcoeff = F(q.clrcoeff);
    h.clrcounc = F(q.clrcounc);
    h.exptime = F(30.0);
    h.adpctdif1 = F(q.adpct1);
    h.adpctdif2 = F(q.adpct2);
    h.diffmaglim = F(q.maglim);
    h.programid = e.programid;
    h.jd = e.jd;
    const double dn_per_ujy = std::pow(10.0, 0.4 * (q.zp - 23.9));
    h.forcediffimflux = F(ep.flux_ujy * dn_per_ujy);
    h.forcediffimfluxunc = F(ep.sigma_ujy * dn_per_ujy);
    h.procstatus = std::string("0");
    if (!ob.near.empty()) {
        const Counterpart &n = ob.near[0];
        const size_t fi = static_cast<size_t>(e.fid - 1);
        h.distnr = F(std::hypot(n.dx, n.dy));
        h.magnr = F(n.mag[fi]);
        h.sigmagnr = F(std::clamp(0.008 + 0.06 * std::pow(10.0, 0.4 * (n.mag[fi] - 20.5)), 0.008, 0.36));
        h.chinr = F(n.extent > 0 ? 3.0 : 0.6);
        h.sharpnr = F(n.extent > 0 ? 0.3 : 0.0);
        h.ranr = ob.ra - n.dx * kPixelScale / 3600.0 / std::cos(ob.dec * std::numbers::pi / 180);
        h.decnr = ob.dec + n.dy * kPixelScale / 3600.0;
    } else {
        h.ranr = ob.ra;  // required by the schema; ZTF gives the object position when nothing is near
        h.decnr = ob.dec;
    }
    return h;
}

std::vector<uint8_t> EncodeStamp(const Image &img) {
    const std::vector<uint8_t> fits = EncodeFitsFloat(img);
    return GzipCompress(fits);
}

SimulatedAlert BuildAlert(const NightPlan &plan, const AlertJob &job) {
    const SimulationOptions &o = plan.options;
    const SimObject &ob = plan.objects[job.object];
    const FieldPlan &fp = plan.fields[static_cast<size_t>(ob.field)];
    const Epoch &ep = ob.epochs[job.epoch];
    const Exposure &e = fp.exposures[static_cast<size_t>(ep.exposure)];
    const Quadrant q = QuadrantOf(e, ob.rcid, o.seed);

    SimulatedAlert out;
    out.kind = ob.kind;
    out.bogus = ob.bogus;
    Alert &a = out.alert;
    a.objectId = ob.objectId;
    a.candid = *ep.cand.candid;
    a.schemavsn = std::string(kSimSchemaVersion);
    a.publisher = std::string("rivulet-sim");
    a.writer_schema_version = std::string(kSimSchemaVersion);
    a.has_fp_hists_field = true;
    a.candidate = ep.cand;

    // History: every visit of the last history_days before this one; detections as ZTF sent them,
    // the rest as upper limits (null candid and magpsf).
    std::vector<PrvCandidate> prv;
    std::vector<FpHist> fp_hist;
    int ndet = ob.ndethist_before, ncov = ob.ncovhist_before;
    double jdstart = ob.jdstarthist_before;
    for (size_t k = 0; k <= job.epoch; ++k) {
        const Epoch &h = ob.epochs[k];
        const double jd = *h.cand.jd;
        ++ncov;
        if (h.detected) {
            ++ndet;
            if (jdstart == 0) jdstart = jd;
        }
        if (k == job.epoch || jd < e.jd - o.history_days) continue;
        PrvCandidate p;
        CopyShared(h.cand, p);
        if (h.detected) {
            p.ssdistnr.reset();  // ZTF does not repeat the asteroid match in the history
            p.ssmagnr.reset();
            p.ssnamenr.reset();
        }
        prv.push_back(std::move(p));
        if (ob.has_fp) fp_hist.push_back(MakeFpHist(ob, fp, h, o));
    }
    a.prv_candidates = std::move(prv);
    if (ob.has_fp) a.fp_hists = std::move(fp_hist);
    FillAlertOnlyFields(a.candidate, ob, fp, e, q, ndet, ncov, jdstart);
    FieldMask all;
    for (size_t i = 0; i < Candidate::Fields().size(); ++i) all.set(i);
    a.candidate.present = all;

    // Cutouts: the stamp is clipped where it would run off the readout channel, as ZTF's are.
    SimRandom rng(o.seed ^ 0xc0ffee, static_cast<uint64_t>(a.candid));
    StampScene s;
    const double x = *a.candidate.xpos, y = *a.candidate.ypos;
    const int cx = static_cast<int>(std::floor(x)), cy = static_cast<int>(std::floor(y));
    const int x_lo = std::max(0, cx - kStampSide / 2), x_hi = std::min(kQuadrantWidth - 1, cx + kStampSide / 2);
    const int y_lo = std::max(0, cy - kStampSide / 2), y_hi = std::min(kQuadrantHeight - 1, cy + kStampSide / 2);
    s.width = x_hi - x_lo + 1;
    s.height = y_hi - y_lo + 1;
    s.x0 = x - x_lo;
    s.y0 = y - y_lo;
    s.fwhm_sci = *a.candidate.fwhm > 0 && ob.kind != SimObjectKind::kBogus ? *a.candidate.fwhm : q.fwhm;
    s.fwhm_ref = fp.ref_fwhm[static_cast<size_t>(e.fid - 1)];
    s.sky_sci = q.sky;
    s.sigma_sci = q.sigpix;
    s.ref_scale = rng.Uniform(0.5, 2.0);
    s.sky_ref = q.sky * s.ref_scale * 0.8;
    s.sigma_ref = q.sigpix * s.ref_scale / std::sqrt(fp.nframesref);
    const double dn_per_ujy = std::pow(10.0, 0.4 * (q.zp - 23.9));
    for (const Counterpart &c : ob.near)
        s.sources.push_back({c.dx, c.dy, MagToFlux(c.mag[static_cast<size_t>(e.fid - 1)]) * dn_per_ujy, c.extent});
    s.difference_flux_dn = ep.flux_ujy * dn_per_ujy;
    s.artefact = ob.bogus;
    s.artefact_flux_dn = std::abs(ep.flux_ujy) * dn_per_ujy * (ob.bogus == BogusKind::kDipole ? 3.0 : 1.0);
    s.angle = ob.angle;
    s.nan_pixels = ob.nan_pixels;
    const StampTriplet t = RenderStamps(s, rng);
    const std::string c = "candid" + std::to_string(a.candid);
    const std::string p = "_pid" + std::to_string(*a.candidate.pid);
    a.cutouts[0] = Cutout{c + p + "_targ_sci.fits.gz", EncodeStamp(t.science)};
    a.cutouts[1] = Cutout{c + "_ref.fits.gz", EncodeStamp(t.reference)};
    a.cutouts[2] = Cutout{c + p + "_targ_scimref.fits.gz", EncodeStamp(t.difference)};
    return out;
}

// Builds alerts [begin, end) of the plan on several threads; each alert's randomness depends only on
// (seed, candid), so the result does not depend on the thread count.
template <class Sink>
void BuildRange(const NightPlan &plan, size_t begin, size_t end, unsigned threads, Sink &&sink) {
    std::vector<SimulatedAlert> built(end - begin);
    const unsigned n = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(end - begin)));
    std::vector<std::thread> pool;
    std::exception_ptr failure;
    std::mutex failure_mutex;
    for (unsigned t = 0; t < n; ++t)
        pool.emplace_back([&, t] {
            try {
                for (size_t i = begin + t; i < end; i += n) built[i - begin] = BuildAlert(plan, plan.jobs[i]);
            } catch (...) {
                std::lock_guard lock(failure_mutex);
                if (!failure) failure = std::current_exception();
            }
        });
    for (std::thread &th : pool) th.join();
    if (failure) std::rethrow_exception(failure);
    for (SimulatedAlert &a : built) sink(std::move(a));
}

unsigned ThreadCount(const SimulationOptions &o) {
    return o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
}

// Encodes on the building threads too: one AvroAlertWriter per thread.
struct EncodedAlert {
    SimulatedAlert alert;
    std::vector<uint8_t> bytes;
};

template <class Sink>
void EncodeNight(const NightPlan &plan, unsigned threads, Sink &&sink) {
    constexpr size_t kBatch = 512;  // bounds memory: a batch of packets is ~40 MB
    const size_t total = plan.jobs.size();
    const unsigned n = std::max(1u, threads);
    std::vector<std::unique_ptr<AvroAlertWriter>> writers;
    for (unsigned t = 0; t < n; ++t) writers.push_back(std::make_unique<AvroAlertWriter>(ZtfAlertSchemaJson()));
    for (size_t begin = 0; begin < total; begin += kBatch) {
        const size_t end = std::min(total, begin + kBatch);
        std::vector<EncodedAlert> batch(end - begin);
        std::vector<std::thread> pool;
        std::exception_ptr failure;
        std::mutex failure_mutex;
        const unsigned used = std::max(1u, std::min<unsigned>(n, static_cast<unsigned>(end - begin)));
        for (unsigned t = 0; t < used; ++t)
            pool.emplace_back([&, t] {
                try {
                    for (size_t i = begin + t; i < end; i += used) {
                        EncodedAlert &out = batch[i - begin];
                        out.alert = BuildAlert(plan, plan.jobs[i]);
                        out.bytes = writers[t]->Encode(out.alert.alert, plan.options.seed ^ static_cast<uint64_t>(out.alert.alert.candid));
                    }
                } catch (...) {
                    std::lock_guard lock(failure_mutex);
                    if (!failure) failure = std::current_exception();
                }
            });
        for (std::thread &th : pool) th.join();
        if (failure) std::rethrow_exception(failure);
        for (EncodedAlert &a : batch) sink(a);
    }
}

void Count(SimulationSummary &summary, const SimulatedAlert &a) {
    ++summary.n_alerts;
    ++summary.alerts_by_kind[static_cast<size_t>(a.kind)];
}

[[noreturn]] void IoFail(const std::filesystem::path &path, const std::string &why) {
    throw RivuletError(ErrorKind::kIo, "simulate: cannot write " + path.string() + ": " + why);
}

}  // namespace

double NightStartJd(int nid) { return kZtfEpochJd + nid + 0.15; }

int NightId(double jd) { return static_cast<int>(std::floor(jd - kZtfEpochJd)); }

std::vector<SimulatedAlert> SimulateNight(const SimulationOptions &options) {
    const NightPlan plan = PlanNight(options);
    std::vector<SimulatedAlert> out;
    out.reserve(plan.jobs.size());
    BuildRange(plan, 0, plan.jobs.size(), ThreadCount(options), [&](SimulatedAlert &&a) { out.push_back(std::move(a)); });
    return out;
}

SimulationSummary WriteSimulatedNight(const SimulationOptions &options, const std::filesystem::path &out_dir) {
    const NightPlan plan = PlanNight(options);
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) IoFail(out_dir, ec.message());
    SimulationSummary summary;
    summary.n_objects = plan.objects.size();
    const std::filesystem::path truth_path = out_dir / "truth.csv";
    std::ofstream truth(truth_path);
    if (!truth) IoFail(truth_path, "cannot open");
    truth << "candid,objectId,kind,bogus_kind\n";
    EncodeNight(plan, ThreadCount(options), [&](const EncodedAlert &a) {
        const std::filesystem::path path = out_dir / (std::to_string(a.alert.alert.candid) + ".avro");
        std::ofstream f(path, std::ios::binary);
        f.write(reinterpret_cast<const char *>(a.bytes.data()), static_cast<std::streamsize>(a.bytes.size()));
        if (!f) IoFail(path, "write failed");
        truth << a.alert.alert.candid << ',' << a.alert.alert.objectId << ',' << SimObjectKindName(a.alert.kind) << ','
              << BogusKindName(a.alert.bogus) << '\n';
        summary.files.push_back(path);
        Count(summary, a.alert);
    });
    if (!truth.flush()) IoFail(truth_path, "write failed");
    return summary;
}

SimulationSummary WriteSimulatedNightArchive(const SimulationOptions &options, const std::filesystem::path &tar_gz) {
    const NightPlan plan = PlanNight(options);
    SimulationSummary summary;
    summary.n_objects = plan.objects.size();
    std::unique_ptr<archive, int (*)(archive *)> ar(archive_write_new(), archive_write_free);
    if (!ar || archive_write_set_format_pax_restricted(ar.get()) != ARCHIVE_OK ||
        archive_write_add_filter_gzip(ar.get()) != ARCHIVE_OK ||
        archive_write_open_filename(ar.get(), tar_gz.c_str()) != ARCHIVE_OK)
        IoFail(tar_gz, ar ? archive_error_string(ar.get()) ? archive_error_string(ar.get()) : "libarchive" : "libarchive");
    // Fixed member times keep archives reproducible for a seed.
    const time_t mtime = static_cast<time_t>((options.night_jd - 2440587.5) * 86400.0);
    EncodeNight(plan, ThreadCount(options), [&](const EncodedAlert &a) {
        std::unique_ptr<archive_entry, void (*)(archive_entry *)> entry(archive_entry_new(), archive_entry_free);
        const std::string name = std::to_string(a.alert.alert.candid) + ".avro";
        archive_entry_set_pathname(entry.get(), name.c_str());
        archive_entry_set_size(entry.get(), static_cast<la_int64_t>(a.bytes.size()));
        archive_entry_set_filetype(entry.get(), AE_IFREG);
        archive_entry_set_perm(entry.get(), 0644);
        archive_entry_set_mtime(entry.get(), mtime, 0);
        if (archive_write_header(ar.get(), entry.get()) != ARCHIVE_OK ||
            archive_write_data(ar.get(), a.bytes.data(), a.bytes.size()) != static_cast<la_ssize_t>(a.bytes.size()))
            IoFail(tar_gz, archive_error_string(ar.get()));
        Count(summary, a.alert);
    });
    if (archive_write_close(ar.get()) != ARCHIVE_OK) IoFail(tar_gz, archive_error_string(ar.get()));
    summary.files.push_back(tar_gz);
    return summary;
}

}  // namespace rivulet
