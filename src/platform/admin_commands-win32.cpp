#include "platform/admin_commands.hpp"

namespace golaunch {

namespace {

const char* k_admin_terminal = "a terminal opened with \"Run as administrator\"";

} // namespace

std::string elevated(const std::string& command) {
    return "`" + command + "` in " + k_admin_terminal;
}

std::string rerun_elevated_hint(const std::string& command) {
    return std::string("run it from ") + k_admin_terminal + ": " + command;
}

std::string admin_account() {
    return "an Administrator";
}

std::string inspect_firewall_instruction(const std::string& check_command) {
    return "run " + elevated(check_command) + " to read Windows Defender Firewall's rules";
}

std::string install_go_instruction() {
    return "install Go: `winget install GoLang.Go` (or from https://go.dev/dl/), then open a new "
           "terminal so that `go` is on PATH for golaunch";
}

std::string ephemeral_range_source() {
    return "netsh int ipv4 show dynamicport tcp";
}

std::string reserve_port_instruction(std::uint16_t port) {
    return elevated("netsh int ipv4 add excludedportrange protocol=tcp startport=" +
                    std::to_string(port) + " numberofports=1");
}

std::string add_local_address_instruction(const std::string& address) {
    return "add it to a network adapter: " +
           elevated(std::string("netsh interface ") +
                    (address.find(':') == std::string::npos ? "ipv4" : "ipv6") +
                    " add address \"ADAPTER\" " + address);
}

std::string enable_ipv6_instruction() {
    return "remove the DisabledComponents setting: " +
           elevated("reg delete HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip6\\Parameters "
                    "/v DisabledComponents /f") +
           ", then restart Windows";
}

std::string restore_ipv6_loopback_instruction() {
    return enable_ipv6_instruction();
}

} // namespace golaunch
