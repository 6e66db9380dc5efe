#include "platform/admin_commands.hpp"

#include <unistd.h>

namespace golaunch {

std::string elevated(const std::string& command) {
    return "`" + std::string(::geteuid() == 0 ? "" : "sudo ") + command + "`";
}

std::string rerun_elevated_hint(const std::string& command) {
    return "run it as root: sudo " + command;
}

std::string admin_account() {
    return "root";
}

std::string inspect_firewall_instruction(const std::string& check_command) {
    if (::geteuid() == 0) {
        // Already root: what is missing is the library or the kernel's nf_tables.
        return "install nftables: `apt install nftables` (golaunch reads the rules through its "
               "libnftables1)";
    }
    return "reading the packet filter needs root: run `sudo " + check_command + "` to include it";
}

std::string install_go_instruction() {
    return "install Go: " + elevated("apt install golang-go") +
           " (or from https://go.dev/dl/), then make sure `go` is on PATH for golaunch";
}

std::string ephemeral_range_source() {
    return "net.ipv4.ip_local_port_range";
}

std::string reserve_port_instruction(std::uint16_t port) {
    return elevated("sysctl -w net.ipv4.ip_local_reserved_ports=" + std::to_string(port)) +
           " (add it to the existing list, if any)";
}

std::string add_local_address_instruction(const std::string& address) {
    return elevated("ip addr add " + address +
                    (address.find(':') == std::string::npos ? "/32" : "/128") + " dev lo");
}

std::string enable_ipv6_instruction() {
    return elevated("sysctl -w net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.lo.disable_ipv6=0") +
           " (and remove the setting from /etc/sysctl.conf or /etc/sysctl.d/ to keep it)";
}

std::string restore_ipv6_loopback_instruction() {
    return elevated("ip -6 addr add ::1/128 dev lo");
}

} // namespace golaunch
