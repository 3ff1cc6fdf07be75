// `rivulet dmdt`: the dm-dt image of every light curve (per band) as a NumPy array and a PNG.

#include <cstdio>
#include <memory>

#include "apps/rivulet/commands.hpp"
#include "apps/rivulet/light_curve_input.hpp"
#include "common/error.hpp"
#include "image/png_writer.hpp"
#include "lightcurve/dmdt.hpp"
#include "lightcurve/light_curve_table.hpp"

namespace rivulet::cli {

void AddDmdt(CLI::App &app, int &exit_code) {
    struct Options {
        LightCurveInput in;
        std::filesystem::path out;
        std::vector<double> dm_edges, dt_edges;
        double max_err = 1e300;
        int scale = 8;
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("dmdt", "dm-dt images (Mahabal et al. 2017) as .npy arrays and PNG pictures");
    AddLightCurveInputOptions(*cmd, o->in, "band column (one image per band)");
    cmd->add_option("--dm-edges", o->dm_edges, "dm bin edges (mag), comma-separated")->delimiter(',');
    cmd->add_option("--dt-edges", o->dt_edges, "dt bin edges (days), comma-separated")->delimiter(',');
    cmd->add_option("--max-err", o->max_err, "drop points with a larger error (sentinels such as 99.999)");
    cmd->add_option("--scale", o->scale, "PNG pixels per bin")->capture_default_str();
    cmd->add_option("--out", o->out, "output folder (created)")->required();
    cmd->callback([o, &exit_code] {
        lightcurve::DmdtBins bins;
        if (!o->dm_edges.empty()) bins.dm_edges = o->dm_edges;
        if (!o->dt_edges.empty()) bins.dt_edges = o->dt_edges;
        std::vector<lightcurve::RawObject> raw = ReadLightCurveInput(o->in);
        std::filesystem::create_directories(o->out);
        lightcurve::CleanOptions clean;
        clean.max_err = o->max_err;
        clean.min_points = 2;
        std::size_t written = 0, failed = 0;
        for (const auto &r : raw) {
            for (const auto &b : r.bands) {
                const std::string stem = r.id + (b.band.empty() ? "" : "_" + b.band);
                auto s = lightcurve::CleanSeries(b.t, b.mag, b.err, clean);
                if (!s) {
                    ++failed;
                    std::fprintf(stderr, "rivulet dmdt: %s: %s\n", stem.c_str(), s.error().message.c_str());
                    continue;
                }
                auto img = lightcurve::MakeDmdt(*s, bins);
                if (!img) throw RivuletError(ErrorKind::kInvalidInput, "--dm-edges/--dt-edges: " + img.error().message);
                lightcurve::WriteDmdtNpy(*img, o->out / (stem + ".npy"));
                Image pic;
                pic.width = img->dt_bins;
                pic.height = img->dm_bins;
                for (auto p : img->pixels) pic.pixels.push_back(static_cast<float>(p));
                PngOptions po;
                po.scale = o->scale;
                po.low_percentile = 0;
                po.high_percentile = 100;
                po.asinh_softening = 0;
                WritePng(pic, o->out / (stem + ".png"), po);
                ++written;
            }
        }
        std::printf("dmdt: %zu images written to %s, %zu light curves failed\n", written, o->out.c_str(), failed);
        exit_code = failed ? kExitSomeInputsFailed : kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(63, AddDmdt);

}  // namespace rivulet::cli
