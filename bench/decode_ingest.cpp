// Decode and ingest throughput on the real ZTF alerts of ../shared, repeated to >= 20,000 alerts, side by
// side in the same run with Debian's python3-avro decoding the same files. Prints figures and ratios;
// asserts nothing (the machine is shared and noisy).
//
// Usage: decode_ingest [--min-alerts N] [--python-rounds R] [--data DIR]

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/heap_tuning.hpp"
#include "alert/avro_alert_decoder.hpp"
#include "pipeline/ingest.hpp"
#include "store/sqlite_store.hpp"
#include "stream/packet_source.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// Serves the same in-memory packets `rounds` times, so the ingest measures decode+cut+store, not disk.
class RepeatedPackets final : public rivulet::PacketSource {
public:
    RepeatedPackets(const std::vector<rivulet::RawPacket> &packets, size_t rounds) : packets_(packets), rounds_(rounds) {}
    bool Next(rivulet::RawPacket &p) override {
        if (i_ == packets_.size()) {
            i_ = 0;
            ++round_;
        }
        if (round_ >= rounds_) return false;
        p = packets_[i_++];
        return true;
    }

private:
    const std::vector<rivulet::RawPacket> &packets_;
    size_t rounds_, round_ = 0, i_ = 0;
};

}  // namespace

int main(int argc, char **argv) {
    rivulet::KeepLargeBuffersOnTheHeap();  // as the rivulet program does
    size_t min_alerts = 20000, python_rounds = 2;
    fs::path data = fs::path(RIVULET_SOURCE_DIR) / ".." / "shared" / "data" / "ztf-alerts" / "alerts";
    if (const char *env = std::getenv("RIVULET_SHARED_DATA")) data = fs::path(env) / "ztf-alerts" / "alerts";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--min-alerts") min_alerts = std::stoul(argv[i + 1]);
        else if (a == "--python-rounds") python_rounds = std::stoul(argv[i + 1]);
        else if (a == "--data") data = argv[i + 1];
    }
    if (!fs::exists(data)) {
        std::fprintf(stderr, "decode_ingest: no alerts at %s\n", data.c_str());
        return 1;
    }

    // Load every packet once.
    std::vector<rivulet::RawPacket> packets;
    {
        auto src = rivulet::OpenInputs({data});
        rivulet::RawPacket p;
        while (src->Next(p))
            if (!p.error) packets.push_back(std::move(p));
    }
    size_t bytes_per_round = 0;
    for (auto &p : packets) bytes_per_round += p.bytes.size();
    size_t rounds = (min_alerts + packets.size() - 1) / packets.size();
    std::printf("corpus: %zu real ZTF alert packets (%.1f MB), %zu rounds = %zu alerts\n", packets.size(),
                static_cast<double>(bytes_per_round) / 1e6, rounds, rounds * packets.size());

    // 1. Decode only (one thread, like python).
    rivulet::AvroAlertDecoder decoder;
    size_t decoded = 0;
    auto t0 = Clock::now();
    for (size_t r = 0; r < rounds; ++r)
        for (auto &p : packets) decoded += decoder.Decode(p.bytes, p.name).alerts.size();
    double decode_s = Seconds(t0);
    double decode_rate = static_cast<double>(decoded) / decode_s;
    double decode_mbs = static_cast<double>(bytes_per_round * rounds) / 1e6 / decode_s;

    // 2. Python reference on the same files.
    fs::path list = fs::temp_directory_path() / fmt::format("rivulet_bench_{}.txt", ::getpid());
    {
        std::ofstream out(list);
        for (auto &p : packets) out << p.name << "\n";
    }
    fs::path script = fs::path(RIVULET_SOURCE_DIR) / "bench" / "python_avro_decode.py";
    std::string cmd = fmt::format("/usr/bin/python3 '{}' '{}' {}", script.string(), list.string(), python_rounds);
    double py_rate = 0;
    if (FILE *pipe = popen(cmd.c_str(), "r")) {
        char line[256] = {};
        unsigned long long n = 0, b = 0;
        double s = 0;
        if (std::fgets(line, sizeof line, pipe) && std::sscanf(line, "alerts=%llu bytes=%llu seconds=%lf", &n, &b, &s) == 3 && s > 0)
            py_rate = static_cast<double>(n) / s;
        pclose(pipe);
    }
    fs::remove(list);

    // 3. Full ingest (decode → cut → store with cutouts checked and stored), each round into a fresh
    //    store so every alert is really written (a store already holding them would skip them).
    fs::path dir = fs::temp_directory_path() / fmt::format("rivulet_bench_db_{}", ::getpid());
    fs::create_directories(dir);
    size_t ingested = 0, stored = 0;
    double ingest_s = 0;
    for (size_t r = 0; r < rounds; ++r) {
        auto store = rivulet::OpenSqliteStore(dir / fmt::format("r{}.db", r));
        rivulet::Ingest ingest(*store, rivulet::PipelineConfig{});
        RepeatedPackets src(packets, 1);
        auto t = Clock::now();
        auto ledger = ingest.Run(src);
        ingest_s += Seconds(t);
        ingested += ledger.decoded;
        stored += ledger.stored;
    }
    fs::remove_all(dir);
    double ingest_rate = static_cast<double>(ingested) / ingest_s;

    std::printf("\n%-34s %12s %10s %10s\n", "", "alerts/s", "MB/s", "vs python");
    std::printf("%-34s %12.0f %10.1f %9.1fx\n", "rivulet decode (1 thread)", decode_rate, decode_mbs,
                py_rate > 0 ? decode_rate / py_rate : 0.0);
    if (py_rate > 0)
        std::printf("%-34s %12.0f %10.1f %9.1fx\n", "python3-avro decode (reference)", py_rate,
                    py_rate * static_cast<double>(bytes_per_round) / static_cast<double>(packets.size()) / 1e6, 1.0);
    else
        std::printf("python3-avro reference did not run (is python3-avro installed for /usr/bin/python3?)\n");
    std::printf("%-34s %12.0f %10.1f %9.1fx\n", "rivulet ingest (decode+cut+store)", ingest_rate,
                ingest_rate * static_cast<double>(bytes_per_round) / static_cast<double>(packets.size()) / 1e6,
                py_rate > 0 ? ingest_rate / py_rate : 0.0);
    std::printf("\ningest: %zu alerts decoded, %zu stored (the rest cut by the paper's cuts or duplicate candids)\n",
                ingested, stored);
    std::printf("targets: decode >= 30x python3-avro, ingest >= 2,000 alerts/s on 2 cores\n");
    return 0;
}
