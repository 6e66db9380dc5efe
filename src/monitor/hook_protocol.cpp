#include "monitor/hook_protocol.hpp"

#include <chrono>
#include <cstdio>

namespace golaunch {

namespace {

std::u16string widen(const std::string& ascii) {
    return std::u16string(ascii.begin(), ascii.end());
}

std::string hex_group(unsigned value) {
    char text[8];
    std::snprintf(text, sizeof text, "%x", value);
    return text;
}

std::string format_ipv4(const std::uint8_t* address) {
    return std::to_string(address[0]) + "." + std::to_string(address[1]) + "." +
           std::to_string(address[2]) + "." + std::to_string(address[3]);
}

// RFC 5952: the longest run (>= 2) of zero groups becomes "::", the first one on a tie.
std::string format_ipv6(const std::uint8_t* address) {
    unsigned groups[8];
    for (int i = 0; i < 8; ++i) {
        groups[i] = static_cast<unsigned>(address[2 * i] << 8 | address[2 * i + 1]);
    }
    const bool mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 &&
                        groups[4] == 0 && groups[5] == 0xffff;
    if (mapped) {
        return "::ffff:" + format_ipv4(address + 12);
    }
    int best_start = -1;
    int best_length = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && groups[j] == 0) {
            ++j;
        }
        if (j - i > best_length) {
            best_start = i;
            best_length = j - i;
        }
        i = j == i ? i + 1 : j;
    }
    std::string text;
    for (int i = 0; i < 8; ++i) {
        if (i == best_start) {
            text += "::";
            i += best_length - 1;
            continue;
        }
        if (!text.empty() && text.back() != ':') {
            text += ':';
        }
        text += hex_group(groups[i]);
    }
    return text;
}

} // namespace

std::u16string hook_control_name(std::uint32_t pid) {
    return widen("Local\\golaunch-hook-" + std::to_string(pid));
}

std::u16string hook_pipe_name(std::uint32_t golaunch_pid, std::uint32_t service_pid,
                              std::uint64_t nonce) {
    char text[24];
    std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(nonce));
    return widen("\\\\.\\pipe\\golaunch-" + std::to_string(golaunch_pid) + "-" +
                 std::to_string(service_pid) + "-" + text);
}

std::string format_hook_address(std::uint8_t family, const std::uint8_t* address) {
    if (family == 4) {
        return format_ipv4(address);
    }
    if (family == 6) {
        return format_ipv6(address);
    }
    return "?";
}

bool is_exit_record(const HookRecord& record, std::uint32_t pid) {
    return record.magic == k_hook_record_magic &&
           record.call == static_cast<std::uint8_t>(HookCall::exit) && record.pid == pid;
}

bool to_bind_event(const HookRecord& record, BindEvent& event) {
    if (record.magic != k_hook_record_magic || record.call > 1) {
        return false;
    }
    event = BindEvent{};
    event.call = record.call == 0 ? BindCall::bind : BindCall::listen;
    event.pid = static_cast<pid_t>(record.pid);
    event.tid = static_cast<pid_t>(record.tid);
    event.family = record.family == 6 ? AddressFamily::ipv6 : AddressFamily::ipv4;
    event.protocol = record.socket_type == 2 ? Protocol::udp : Protocol::tcp;
    event.address = format_hook_address(record.family, record.address);
    event.port = record.port;
    // A failure without a code (should not happen) must still read as a failure: -1.
    event.error = record.result == 0 ? 0 : record.error != 0 ? record.error : -1;
    event.wsa = true;
    // FILETIME counts 100 ns from 1601-01-01; the Unix epoch is 11644473600 s later.
    constexpr std::int64_t k_epoch_offset = 116444736000000000LL;
    const auto since_unix = static_cast<std::int64_t>(record.filetime) - k_epoch_offset;
    event.time = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::duration<std::int64_t, std::ratio<1, 10000000>>(since_unix)));
    event.steady = std::chrono::steady_clock::now();
    return true;
}

} // namespace golaunch
