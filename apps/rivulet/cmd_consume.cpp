// `rivulet consume` (Kafka → store, with annotated output) and `rivulet produce` (files → Kafka).

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>

#include "apps/rivulet/commands.hpp"
#include "apps/rivulet/ingest_summary.hpp"
#include "apps/rivulet/progress_line.hpp"
#include "apps/rivulet/store_access.hpp"
#include "pipeline/consume.hpp"
#include "stream/kafka_producer.hpp"
#include "stream/packet_source.hpp"
#include "version.hpp"

namespace rivulet::cli {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int) { g_stop.store(true); }

}  // namespace

void AddConsume(CLI::App &app, int &exit_code) {
    struct Options {
        ConsumeOptions consume;
        std::vector<std::string> topics, patterns, properties;
        StoreTarget store;
        std::filesystem::path config;
        bool json = false;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("consume", "Consume alert packets from Kafka into a store (consumer group, at-least-once)");
    cmd->add_option("--brokers", opt->consume.kafka.brokers, "bootstrap servers, HOST:PORT[,...]")->required();
    cmd->add_option("--topic", opt->topics, "topic to consume (repeatable)");
    cmd->add_option("--topic-pattern", opt->patterns, "regex of topics, e.g. '^ztf_\\d{8}_programid1$' (repeatable)");
    cmd->add_option("--group", opt->consume.kafka.group, "consumer group id")->required();
    cmd->add_option("-X", opt->properties, "librdkafka property key=value (repeatable), as kcat's -X");
    AddStoreOptions(*cmd, opt->store);
    cmd->add_option("--config", opt->config, "configuration file (TOML)");
    cmd->add_option("--batch", opt->consume.batch_size, "messages per batch (one store transaction)")
        ->check(CLI::Range(size_t{1}, size_t{100000}));
    cmd->add_flag("--exit-at-end", opt->consume.exit_at_end, "stop when every assigned partition reaches its end");
    cmd->add_option("--produce-topic", opt->consume.produce_topic, "publish stored alerts + annotations to this topic");
    cmd->add_option("--dead-letter-topic", opt->consume.dead_letter_topic, "poison messages go to this topic");
    cmd->add_option("--dead-letter-dir", opt->consume.dead_letter_dir,
                    "poison messages go to this folder (default: <db>.dead-letter, or ./rivulet-dead-letter)");
    cmd->add_flag("--json", opt->json, "print the summary as JSON");
    cmd->callback([opt, &exit_code] {
        auto &c = opt->consume;
        c.kafka.topics = opt->topics;
        // librdkafka treats a subscription starting with '^' as a regular expression.
        for (auto p : opt->patterns) c.kafka.topics.push_back(p.empty() || p[0] == '^' ? p : "^" + p);
        if (c.kafka.topics.empty()) throw RivuletError(ErrorKind::kConfig, "consume: give --topic or --topic-pattern");
        for (const auto &p : opt->properties) c.kafka.properties.push_back(ParseKafkaProperty(p));
        if (c.dead_letter_topic.empty() && c.dead_letter_dir.empty())
            c.dead_letter_dir = opt->store.db.empty() ? std::filesystem::path("rivulet-dead-letter")
                                                      : std::filesystem::path(opt->store.db.string() + ".dead-letter");
        c.rivulet_version = RIVULET_VERSION;
        c.stop = &g_stop;
        std::signal(SIGINT, OnStopSignal);
        std::signal(SIGTERM, OnStopSignal);
        PipelineConfig config = opt->config.empty() ? PipelineConfig{} : LoadPipelineConfig(opt->config);
        auto store = OpenStore(opt->store, /*create=*/true);
        ProgressLine progress(0);
        IngestLedger ledger = Consume(*store, config, c).Run([&](const IngestLedger &l) {
            progress.Update(l.bytes, l.decoded, l.stored, l.RejectedTotal(), l.failures.size());
        });
        progress.Finish();
        PrintIngestSummary(ledger, 0, opt->json);
        exit_code = ledger.failures.empty() ? kExitOk : kExitSomeInputsFailed;
    });
}
RIVULET_REGISTER_COMMAND(25, AddConsume);

void AddProduce(CLI::App &app, int &exit_code) {
    struct Options {
        std::vector<std::filesystem::path> inputs;
        std::string brokers, topic;
        std::vector<std::string> properties;
    };
    auto opt = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("produce", "Replay alert packets (files, folders, .tar.gz) into a Kafka topic");
    cmd->add_option("INPUT", opt->inputs, ".avro files, folders, nightly .tar.gz archives")->required();
    cmd->add_option("--brokers", opt->brokers, "bootstrap servers, HOST:PORT[,...]")->required();
    cmd->add_option("--topic", opt->topic, "topic to produce to")->required();
    cmd->add_option("-X", opt->properties, "librdkafka property key=value (repeatable)");
    cmd->callback([opt, &exit_code] {
        KafkaProperties props;
        for (const auto &p : opt->properties) props.push_back(ParseKafkaProperty(p));
        KafkaProducer producer(opt->brokers, props);
        auto source = OpenInputs(opt->inputs);
        RawPacket packet;
        size_t sent = 0, failed = 0;
        while (source->Next(packet)) {
            if (packet.error) {
                ++failed;
                std::fprintf(stderr, "rivulet produce: %s [%s]\n", packet.error->message.c_str(), packet.error->reason.c_str());
                continue;
            }
            producer.Produce(opt->topic, packet.bytes);
            ++sent;
        }
        producer.Flush();
        std::printf("produced %zu packets to %s\n", sent, opt->topic.c_str());
        exit_code = failed ? kExitSomeInputsFailed : kExitOk;
    });
}
RIVULET_REGISTER_COMMAND(26, AddProduce);

}  // namespace rivulet::cli
