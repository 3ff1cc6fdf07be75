// DecodePackets (the consume loop's parallel decode) gives the batch that AddPacket on every packet in order
// followed by CheckCutouts gives, whatever the thread count and however long its last worker is held back.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "pipeline/alert_batch.hpp"
#include "sim/alert_simulator.hpp"
#include "sim/avro_alert_writer.hpp"
#include "sim/embedded_schema.hpp"

namespace rivulet {
namespace {

// 150 packets (5 blocks of 32): simulated alerts, one that is not Avro, one whose science stamp is cut short.
std::vector<RawPacket> MixedPackets() {
    SimulationOptions o;
    o.n_alerts = 148;
    o.threads = 1;
    auto night = SimulateNight(o);
    auto &stamp = night[70].alert.cutouts[static_cast<int>(CutoutKind::kScience)]->stamp_data;
    stamp.resize(stamp.size() / 2);
    AvroAlertWriter writer(ZtfAlertSchemaJson());
    std::vector<RawPacket> packets;
    for (auto &s : night)
        packets.push_back(RawPacket{std::to_string(s.alert.candid) + ".avro", writer.Encode(s.alert, 1), std::nullopt});
    packets.insert(packets.begin() + 40, RawPacket{"garbage.avro", std::vector<uint8_t>(100, 0x42), std::nullopt});
    return packets;
}

AlertBatch Serial(const std::vector<RawPacket> &packets) {
    AvroAlertDecoder decoder;
    AlertBatch batch;
    for (size_t i = 0; i < packets.size(); ++i) AddPacket(decoder, packets[i], i, batch);
    CheckCutouts(batch, 1);
    return batch;
}

AlertBatch Parallel(const std::vector<RawPacket> &packets, size_t threads, const std::shared_future<void> &after) {
    std::vector<AvroAlertDecoder> decoders(threads);
    return DecodePackets(
        packets.size(), [&](size_t i) { return PacketView{packets[i].name, packets[i].bytes}; }, decoders, after);
}

void ExpectSame(const AlertBatch &want, const AlertBatch &got) {
    EXPECT_EQ(got.packets, want.packets);
    EXPECT_EQ(got.decoded, want.decoded);
    EXPECT_EQ(got.failed, want.failed);
    EXPECT_EQ(got.packet_of, want.packet_of);
    ASSERT_EQ(got.alerts.size(), want.alerts.size());
    for (size_t i = 0; i < want.alerts.size(); ++i) EXPECT_EQ(got.alerts[i].candid, want.alerts[i].candid);
    ASSERT_EQ(got.failures.size(), want.failures.size());
    for (size_t i = 0; i < want.failures.size(); ++i) {
        EXPECT_EQ(got.failures[i].packet, want.failures[i].packet);
        EXPECT_EQ(got.failures[i].error.reason, want.failures[i].error.reason);
    }
}

TEST(DecodePackets, SameBatchAsSerialDecodeOnAnyThreadCount) {
    const auto packets = MixedPackets();
    const AlertBatch want = Serial(packets);
    ASSERT_EQ(want.failures.size(), 2u);  // the garbage packet and the short stamp
    EXPECT_EQ(want.alerts.size(), 147u);
    for (size_t threads : {1u, 2u, 3u, 8u}) {
        SCOPED_TRACE(threads);
        ExpectSame(want, Parallel(packets, threads, {}));
    }
}

// The last worker waits for the write in flight; the others do the work meanwhile, and once it is ready it
// joins in. The result is the same either way.
TEST(DecodePackets, LastWorkerJoinsWhenTheWriteIsDone) {
    const auto packets = MixedPackets();
    const AlertBatch want = Serial(packets);
    std::promise<void> write_done;
    std::shared_future<void> writing = write_done.get_future().share();
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        write_done.set_value();
    });
    ExpectSame(want, Parallel(packets, 2, writing));
    writer.join();
    // A write that failed is the caller's to report; the decode does not throw it.
    std::promise<void> failed;
    failed.set_exception(std::make_exception_ptr(std::runtime_error("disk full")));
    ExpectSame(want, Parallel(packets, 2, failed.get_future().share()));
}

// A write that never ends cannot hold the decode: the held-back worker gives up once no block is left.
TEST(DecodePackets, ReturnsWithoutWaitingForAWriteThatNeverEnds) {
    const auto packets = MixedPackets();
    const AlertBatch want = Serial(packets);
    std::promise<void> never;
    std::shared_future<void> writing = never.get_future().share();
    auto decoded = std::async(std::launch::async, [&] { return Parallel(packets, 2, writing); });
    const auto status = decoded.wait_for(std::chrono::seconds(60));
    never.set_value();  // lets a decode that did wait finish, so the test fails instead of hanging
    EXPECT_EQ(status, std::future_status::ready) << "the decode waited for the write";
    ExpectSame(want, decoded.get());
}

}  // namespace
}  // namespace rivulet
