// Linux: /proc/sys/net/..., /proc/net/if_inet6, getifaddrs, capget.
#include "platform/net_config.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace golaunch {

namespace {

std::optional<std::string> read_proc_file(const char* path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<int> read_proc_int(const char* path) {
    const auto text = read_proc_file(path);
    if (!text) {
        return std::nullopt;
    }
    try {
        return std::stoi(*text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<bool> read_proc_flag(const char* path) {
    const auto value = read_proc_int(path);
    if (!value) {
        return std::nullopt;
    }
    return *value != 0;
}

std::vector<InterfaceAddress> interface_addresses() {
    std::vector<InterfaceAddress> result;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) {
        return result;
    }
    for (const ifaddrs* item = list; item != nullptr; item = item->ifa_next) {
        if (item->ifa_addr == nullptr) {
            continue;
        }
        char text[INET6_ADDRSTRLEN] = {};
        InterfaceAddress address;
        address.interface = item->ifa_name;
        if (item->ifa_addr->sa_family == AF_INET) {
            const auto* in = reinterpret_cast<const sockaddr_in*>(item->ifa_addr);
            ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
            address.family = AddressFamily::ipv4;
        } else if (item->ifa_addr->sa_family == AF_INET6) {
            const auto* in = reinterpret_cast<const sockaddr_in6*>(item->ifa_addr);
            ::inet_ntop(AF_INET6, &in->sin6_addr, text, sizeof text);
            address.family = AddressFamily::ipv6;
        } else {
            continue;
        }
        address.address = text;
        result.push_back(std::move(address));
    }
    ::freeifaddrs(list);
    return result;
}

bool has_net_bind_service() {
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0; // this thread
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (::syscall(SYS_capget, &header, data) != 0) {
        return ::geteuid() == 0;
    }
    return (data[CAP_NET_BIND_SERVICE / 32].effective & (1U << (CAP_NET_BIND_SERVICE % 32))) != 0;
}

} // namespace

NetConfig read_net_config() {
    NetConfig config;
    config.unprivileged_port_start = read_proc_int("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    if (const auto text = read_proc_file("/proc/sys/net/ipv4/ip_local_port_range")) {
        config.local_port_range = parse_port_range(*text);
    }
    if (const auto text = read_proc_file("/proc/sys/net/ipv4/ip_local_reserved_ports")) {
        config.reserved_ports = parse_reserved_ports(*text);
    }
    config.ipv6_disabled_all = read_proc_flag("/proc/sys/net/ipv6/conf/all/disable_ipv6");
    config.ipv6_disabled_lo = read_proc_flag("/proc/sys/net/ipv6/conf/lo/disable_ipv6");
    std::error_code error;
    config.ipv6_supported = std::filesystem::exists("/proc/net/if_inet6", error);
    config.addresses = interface_addresses();
    config.can_bind_privileged = has_net_bind_service();
    config.root = ::geteuid() == 0;
    return config;
}

} // namespace golaunch
