#include "preflight/windows_firewall_check.hpp"

#include "platform/socket_table.hpp"
#include "preflight/endpoints.hpp"
#include "preflight/port_rules_check.hpp"
#include "preflight/wildcard_bind_check.hpp"

#include <algorithm>
#include <filesystem>

namespace golaunch {

namespace {

constexpr const char* k_admin_terminal = "in a terminal opened with \"Run as administrator\"";

bool inbound(const WindowsFirewallRule& rule, const char* action) {
    return rule.active && rule.inbound && rule.action == action;
}

// The rule applies to this service's connections: it names the exe, or names no program and
// covers the port. (A rule for another program never matches this one.)
bool applies(const WindowsFirewallRule& rule, const std::string& program, std::uint16_t port) {
    if (!rule.program.empty()) {
        return names_program(rule, program) && covers_tcp_port(rule, port);
    }
    return covers_tcp_port(rule, port);
}

std::string windows_path(std::filesystem::path path) {
    std::string text = path.lexically_normal().string();
    std::replace(text.begin(), text.end(), '/', '\\');
    return text;
}

} // namespace

std::string windows_service_program(const Manifest& manifest, const ServiceSpec& service) {
    const auto dir = manifest.root_dir / service.dir;
    if (!service.go_package.empty()) {
        return windows_path(manifest.root_dir / ".golaunch" / "bin" / (service.name + ".exe"));
    }
    if (!service.shell.empty() || service.cmd.empty()) {
        return {};
    }
    std::filesystem::path program(service.cmd.front());
    if (program.string().find_first_of("/\\:") != std::string::npos) {
        return windows_path(program.is_absolute() ? program : dir / program);
    }
    if (!program.has_extension()) {
        program += ".exe";
    }
    for (const auto& base : {dir, manifest.root_dir}) {
        std::error_code error;
        if (std::filesystem::is_regular_file(base / program, error)) {
            return windows_path(base / program);
        }
    }
    return {}; // on PATH: found at launch; not named here
}

void check_windows_firewall(const CheckContext& context, const DeclaredEndpoint& endpoint,
                            const NetConfig& config, std::vector<Finding>& findings) {
    const ServiceSpec* service = context.manifest.find_service(endpoint.service);
    const std::string program =
        config.windows_rules && config.windows_firewall_rules && service != nullptr
            ? windows_service_program(context.manifest, *service)
            : "";
    if (program.empty()) {
        check_wildcard_bind(endpoint, config, findings);
        return;
    }
    // Loopback traffic is exempt from the firewall: only a listener on every interface is
    // affected by its rules.
    if (endpoint.address.empty() || !is_wildcard_address(endpoint.address)) {
        return;
    }
    const auto& rules = *config.windows_firewall_rules;
    const std::string where = format_endpoint(endpoint.address, endpoint.port);
    for (const auto& rule : rules) {
        if (!inbound(rule, "Block") || !applies(rule, program, endpoint.port)) {
            continue;
        }
        auto finding = endpoint_finding("firewall-blocks-program", Severity::warning, endpoint);
        finding.message =
            endpoint.service + " listens on " + where + ", but Windows Defender Firewall rule \"" +
            rule.name + "\" blocks inbound connections to " +
            (rule.program.empty() ? "port " + std::to_string(endpoint.port) : program) +
            ": other machines cannot reach it (loopback is exempt)";
        finding.evidence = {"rule " + rule.id + ": " + rule.text, "service exe: " + program};
        finding.remedy = "if other machines must reach it, disable the rule: `netsh advfirewall "
                         "firewall set rule name=\"" +
                         rule.name + "\" new enable=no` " + k_admin_terminal +
                         " (golaunch never changes the firewall); otherwise bind 127.0.0.1";
        findings.push_back(std::move(finding));
    }
    const bool allowed = std::any_of(rules.begin(), rules.end(), [&](const auto& rule) {
        return inbound(rule, "Allow") && applies(rule, program, endpoint.port);
    });
    if (allowed) {
        return;
    }
    auto finding = endpoint_finding("firewall-no-rule", Severity::warning, endpoint);
    finding.message = endpoint.service + " listens on " + where +
                      ", every network interface, and no Windows Defender Firewall rule allows " +
                      program +
                      ": its first run asks to allow it, or, where notifications are off, other "
                      "machines are silently blocked";
    finding.evidence = {std::to_string(rules.size()) + " firewall rules read, none an active "
                                                       "inbound allow rule for this exe or port",
                        "golaunch starts it from this same path every run, so one rule lasts"};
    const std::string project = context.manifest.name.empty() ? "project" : context.manifest.name;
    finding.remedy = "allow it once: `netsh advfirewall firewall add rule name=\"golaunch " +
                     project + " " + endpoint.service + "\" dir=in action=allow program=\"" +
                     program + "\" enable=yes profile=private` " + k_admin_terminal +
                     " (golaunch never runs it); or bind 127.0.0.1, which needs no rule";
    findings.push_back(std::move(finding));
}

} // namespace golaunch
