// The Windows hook's wire record and names, checked portably: the DLL and golaunch must agree on
// them, and a record becomes the same BindEvent the Linux backends give (with a WSA error).
#include "monitor/hook_protocol.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace golaunch {
namespace {

HookRecord record_for(std::uint8_t family, std::initializer_list<std::uint8_t> address) {
    HookRecord record{};
    record.magic = k_hook_record_magic;
    record.call = static_cast<std::uint8_t>(HookCall::bind);
    record.family = family;
    record.socket_type = 1;
    record.pid = 4242;
    record.tid = 77;
    std::size_t i = 0;
    for (const auto byte : address) {
        record.address[i++] = byte;
    }
    record.port = 8080;
    // 2024-01-01T00:00:00Z as FILETIME.
    record.filetime = 116444736000000000ULL + 1704067200ULL * 10000000ULL;
    return record;
}

TEST(HookProtocol, NamesMatchWhatTheDllBuilds) {
    EXPECT_EQ(hook_control_name(1234), u"Local\\golaunch-hook-1234");
    EXPECT_EQ(hook_pipe_name(10, 20, 0xabcdef), u"\\\\.\\pipe\\golaunch-10-20-abcdef");
}

TEST(HookProtocol, FormatsAddresses) {
    const std::uint8_t v4[16] = {127, 0, 0, 1};
    EXPECT_EQ(format_hook_address(4, v4), "127.0.0.1");
    std::uint8_t v6[16] = {};
    EXPECT_EQ(format_hook_address(6, v6), "::");
    v6[15] = 1;
    EXPECT_EQ(format_hook_address(6, v6), "::1");
    const std::uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    EXPECT_EQ(format_hook_address(6, mapped), "::ffff:127.0.0.1");
    // 2001:db8:0:0:1:0:0:1 -> the first longest zero run is compressed
    const std::uint8_t doc[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(format_hook_address(6, doc), "2001:db8::1:0:0:1");
    // a single zero group is not compressed
    const std::uint8_t one[16] = {0xfe, 0x80, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6};
    EXPECT_EQ(format_hook_address(6, one), "fe80:0:1:2:3:4:5:6");
    EXPECT_EQ(format_hook_address(0, v4), "?");
}

TEST(HookProtocol, RecordBecomesBindEvent) {
    auto record = record_for(4, {127, 0, 0, 1});
    record.result = -1;
    record.error = 10048;
    BindEvent event;
    ASSERT_TRUE(to_bind_event(record, event));
    EXPECT_EQ(event.call, BindCall::bind);
    EXPECT_EQ(event.pid, 4242);
    EXPECT_EQ(event.tid, 77);
    EXPECT_EQ(event.address, "127.0.0.1");
    EXPECT_EQ(event.port, 8080);
    EXPECT_EQ(event.protocol, Protocol::tcp);
    EXPECT_EQ(event.error, 10048);
    EXPECT_TRUE(event.wsa);
    EXPECT_EQ(
        std::chrono::duration_cast<std::chrono::seconds>(event.time.time_since_epoch()).count(),
        1704067200);
    EXPECT_EQ(describe(event),
              "bind 127.0.0.1:8080 failed: WSAEADDRINUSE (Address already in use)");

    record.result = 0;
    record.error = 0;
    record.call = static_cast<std::uint8_t>(HookCall::listen);
    record.socket_type = 2;
    ASSERT_TRUE(to_bind_event(record, event));
    EXPECT_EQ(event.call, BindCall::listen);
    EXPECT_EQ(event.protocol, Protocol::udp);
    EXPECT_EQ(event.error, 0);

    record.result = -1; // a failure without a code still reads as a failure
    ASSERT_TRUE(to_bind_event(record, event));
    EXPECT_NE(event.error, 0);
}

TEST(HookProtocol, RejectsGarbage) {
    auto record = record_for(4, {127, 0, 0, 1});
    BindEvent event;
    record.magic = 0;
    EXPECT_FALSE(to_bind_event(record, event));
    record.magic = k_hook_record_magic;
    record.call = 7;
    EXPECT_FALSE(to_bind_event(record, event));
}

// The record a process sends as it ends: not a bind event, and only for its own pid.
TEST(HookProtocol, AnExitRecordEndsOnlyItsOwnPid) {
    auto record = record_for(4, {127, 0, 0, 1});
    record.call = static_cast<std::uint8_t>(HookCall::exit);
    BindEvent event;
    EXPECT_FALSE(to_bind_event(record, event));
    EXPECT_TRUE(is_exit_record(record, record.pid));
    EXPECT_FALSE(is_exit_record(record, record.pid + 1));
    record.call = static_cast<std::uint8_t>(HookCall::listen);
    EXPECT_FALSE(is_exit_record(record, record.pid));
    record.call = static_cast<std::uint8_t>(HookCall::exit);
    record.magic = 0;
    EXPECT_FALSE(is_exit_record(record, record.pid));
}

TEST(HookProtocol, WsaErrorNames) {
    EXPECT_EQ(errno_name(10013), "WSAEACCES");
    EXPECT_EQ(errno_name(10049), "WSAEADDRNOTAVAIL");
    EXPECT_EQ(errno_name(10099), "WSA error 10099");
    EXPECT_EQ(wsa_error_text(10048), "Address already in use");
}

} // namespace
} // namespace golaunch
