// Windows: GetAdaptersAddresses for the addresses; netsh for the dynamic (ephemeral) port range
// and the excluded port ranges (parsed by numbers only: its text is localized); the portproxy
// rules from the registry. Windows has no privileged ports.
#include "platform/net_config.hpp"

#include "platform/command_output.hpp"
#include "util/wide_text.hpp"

#include <winsock2.h>

#include <ws2tcpip.h>

#include <windows.h>

#include <iphlpapi.h>

#include <future>

#undef interface // <objbase.h> defines it as `struct`; InterfaceAddress has a member so named

namespace golaunch {

namespace {

constexpr std::chrono::milliseconds k_netsh_timeout{10'000};

std::string address_text(const SOCKADDR* address) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address->sa_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(address);
        ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    } else if (address->sa_family == AF_INET6) {
        const auto* in = reinterpret_cast<const sockaddr_in6*>(address);
        ::inet_ntop(AF_INET6, &in->sin6_addr, text, sizeof text);
    }
    return text;
}

void read_adapters(NetConfig& config) {
    std::vector<char> buffer(32768);
    ULONG size = static_cast<ULONG>(buffer.size());
    const ULONG flags = GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER;
    ULONG result = ERROR_BUFFER_OVERFLOW;
    for (int attempt = 0; attempt < 4 && result == ERROR_BUFFER_OVERFLOW; ++attempt) {
        buffer.resize(size);
        result =
            ::GetAdaptersAddresses(AF_UNSPEC, flags, nullptr,
                                   reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()), &size);
    }
    if (result != NO_ERROR) {
        config.unread.push_back("interface addresses: GetAdaptersAddresses failed: " +
                                win32_error_text(result));
        return;
    }
    for (auto* adapter = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()); adapter;
         adapter = adapter->Next) {
        const std::string name = from_wide(adapter->FriendlyName);
        if (adapter->IfType == IF_TYPE_SOFTWARE_LOOPBACK) {
            config.loopback_interface = name;
        }
        for (auto* unicast = adapter->FirstUnicastAddress; unicast; unicast = unicast->Next) {
            const SOCKADDR* address = unicast->Address.lpSockaddr;
            InterfaceAddress local;
            local.interface = name;
            local.family =
                address->sa_family == AF_INET6 ? AddressFamily::ipv6 : AddressFamily::ipv4;
            local.address = address_text(address);
            if (!local.address.empty()) {
                config.ipv6_supported |= local.family == AddressFamily::ipv6;
                config.addresses.push_back(std::move(local));
            }
        }
    }
}

// netsh's stdout, or nullopt with the reason added to config.unread.
std::optional<std::string> netsh(const std::vector<std::string>& args, NetConfig& config) {
    std::vector<std::string> argv{"netsh"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto output = run_command(argv, k_netsh_timeout);
    std::string command = "netsh";
    for (const auto& arg : args) {
        command += " " + arg;
    }
    if (!output.started) {
        config.unread.push_back(command + ": " + output.error);
    } else if (output.timed_out) {
        config.unread.push_back(command + ": no answer within 10 s");
    } else if (output.exit_code != 0) {
        config.unread.push_back(command + ": exit code " + std::to_string(output.exit_code));
    } else {
        return output.out;
    }
    return std::nullopt;
}

} // namespace

NetConfig read_net_config() {
    NetConfig config;
    config.windows_rules = true;
    config.can_bind_privileged = true; // no privileged ports on Windows
    config.loopback_interface = "Loopback Pseudo-Interface 1";
    // The three netsh runs and the registry read go in parallel: netsh takes ~0.1 s each.
    NetConfig dynamic_out;
    NetConfig v4_out;
    NetConfig v6_out;
    auto dynamic = std::async(std::launch::async, [&] {
        return netsh({"interface", "ipv4", "show", "dynamicport", "tcp"}, dynamic_out);
    });
    auto v4 = std::async(std::launch::async, [&] {
        return netsh({"interface", "ipv4", "show", "excludedportrange", "protocol=tcp"}, v4_out);
    });
    auto v6 = std::async(std::launch::async, [&] {
        return netsh({"interface", "ipv6", "show", "excludedportrange", "protocol=tcp"}, v6_out);
    });
    read_adapters(config);
    config.port_proxies = read_portproxy_rules();
    auto firewall = read_windows_firewall_rules();
    if (firewall.unread.empty()) {
        config.windows_firewall_rules = std::move(firewall.rules);
    } else {
        config.unread.insert(config.unread.end(), firewall.unread.begin(), firewall.unread.end());
    }
    if (const auto text = dynamic.get()) {
        config.local_port_range = parse_dynamic_port_range(*text);
        if (!config.local_port_range) {
            config.unread.push_back("netsh interface ipv4 show dynamicport tcp: no start port "
                                    "and number of ports in its output");
        }
    }
    if (const auto text = v4.get()) {
        config.excluded_ranges = parse_excluded_port_ranges(*text, AddressFamily::ipv4);
    }
    if (const auto text = v6.get()) {
        auto ranges = parse_excluded_port_ranges(*text, AddressFamily::ipv6);
        config.excluded_ranges.insert(config.excluded_ranges.end(), ranges.begin(), ranges.end());
    }
    for (auto* part : {&dynamic_out, &v4_out, &v6_out}) {
        config.unread.insert(config.unread.end(), part->unread.begin(), part->unread.end());
    }
    return config;
}

} // namespace golaunch
