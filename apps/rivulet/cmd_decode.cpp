#include <cstdio>
#include <memory>

#include "alert/alert_format.hpp"
#include "alert/avro_alert_decoder.hpp"
#include "apps/rivulet/commands.hpp"
#include "image/cutout_codec.hpp"
#include "stream/packet_source.hpp"

namespace rivulet::cli {

namespace {

CutoutSummaries Summarize(const Alert &alert) {
    CutoutSummaries out;
    for (int k = 0; k < 3; ++k) {
        const auto &c = alert.cutouts[k];
        if (!c) continue;
        CutoutSummary s;
        s.bytes = c->stamp_data.size();
        s.format = CutoutFormatName(DetectCutoutFormat(c->stamp_data));
        auto image = DecodeCutout(c->stamp_data);
        if (image) {
            s.width = image->width;
            s.height = image->height;
        } else {
            s.error = image.error().message;
        }
        out[k] = std::move(s);
    }
    return out;
}

}  // namespace

void AddDecode(CLI::App &app, int &exit_code) {
    struct Options {
        std::vector<std::filesystem::path> inputs;
        std::string format = "jsonl";
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("decode", "Decode alert packets and print one record per alert");
    cmd->add_option("INPUT", opt->inputs, ".avro files, folders, nightly .tar.gz archives")->required();
    cmd->add_option("--format", opt->format, "jsonl or csv")->check(CLI::IsMember({"jsonl", "csv"}));
    cmd->callback([opt, &exit_code] {
        auto source = OpenInputs(opt->inputs);
        AvroAlertDecoder decoder;
        bool csv = opt->format == "csv";
        if (csv) std::printf("%s\n", AlertCsvHeader().c_str());
        size_t failures = 0;
        RawPacket packet;
        while (source->Next(packet)) {
            DecodedPacket d;
            if (packet.error) d.error = packet.error;
            else d = decoder.Decode(packet.bytes, packet.name);
            for (const Alert &a : d.alerts) {
                std::string line = csv ? AlertToCsv(a, Summarize(a)) : AlertToJson(a, Summarize(a), packet.name);
                line.push_back('\n');
                std::fwrite(line.data(), 1, line.size(), stdout);
            }
            if (d.error) {
                ++failures;
                std::fprintf(stderr, "rivulet decode: %s [%s]\n", d.error->message.c_str(), d.error->reason.c_str());
            }
        }
        std::fflush(stdout);
        if (failures) std::fprintf(stderr, "rivulet decode: %zu input(s) failed\n", failures);
        exit_code = failures ? kExitSomeInputsFailed : kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(10, AddDecode);

}  // namespace rivulet::cli
