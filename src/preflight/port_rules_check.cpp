#include "preflight/port_rules_check.hpp"

#include "instance/state_file.hpp"
#include "platform/admin_commands.hpp"
#include "platform/file_capabilities.hpp"
#include "platform/port_owners.hpp"
#include "preflight/endpoints.hpp"
#include "preflight/ipv6_check.hpp"
#include "preflight/port_exclusion_check.hpp"
#include "preflight/privileged_port_advice.hpp"
#include "preflight/windows_firewall_check.hpp"

#include <map>
#include <set>

namespace golaunch {

namespace {

std::string port_text(std::uint16_t port) {
    return std::to_string(port);
}

std::string where_text(const DeclaredEndpoint& endpoint) {
    return endpoint.address.empty() ? ":" + port_text(endpoint.port)
                                    : format_endpoint(endpoint.address, endpoint.port);
}

void check_privileged(const CheckContext& context, const DeclaredEndpoint& endpoint,
                      const NetConfig& config, std::vector<Finding>& findings) {
    if (!config.unprivileged_port_start || endpoint.port >= *config.unprivileged_port_start ||
        config.can_bind_privileged) {
        return;
    }
    PrivilegedBind bind;
    if (const auto* service = context.manifest.find_service(endpoint.service)) {
        bind = privileged_bind_of(context.manifest, *service);
        if (bind.kind == LaunchKind::cmd && grants_net_bind_service(bind.launched)) {
            return; // setcap'd: golaunch starts it without the bind monitor, and it may bind
        }
    }
    bind.port = endpoint.port;
    bind.unprivileged_port_start = *config.unprivileged_port_start;
    bind.root = config.root;
    const std::string start = std::to_string(*config.unprivileged_port_start);
    auto finding = endpoint_finding("privileged-port", Severity::error, endpoint);
    finding.message = endpoint.service + "." + endpoint.port_name + " wants port " +
                      port_text(endpoint.port) + ", below " + start +
                      " (net.ipv4.ip_unprivileged_port_start), and this user lacks "
                      "CAP_NET_BIND_SERVICE: the bind will fail with EACCES";
    finding.evidence = {"net.ipv4.ip_unprivileged_port_start = " + start,
                        "CAP_NET_BIND_SERVICE not in the effective capability set"};
    finding.remedy = privileged_port_remedy(bind);
    findings.push_back(std::move(finding));
}

Finding ephemeral_finding(const DeclaredEndpoint& endpoint, const NetConfig& config) {
    const PortRange& range = *config.local_port_range;
    auto finding = endpoint_finding("ephemeral-range", Severity::warning, endpoint);
    finding.message = "port " + port_text(endpoint.port) + " is inside the ephemeral range " +
                      range_text(range) + " (" + ephemeral_range_source() +
                      "): any outgoing connection may take "
                      "it at random, and the service then fails to start with "
                      "\"address already in use\"";
    finding.evidence = {ephemeral_range_source() + ": " + port_text(range.first) + " " +
                        port_text(range.last)};
    finding.remedy = "pick a port below " + port_text(range.first) +
                     "; or reserve it: " + reserve_port_instruction(endpoint.port);
    return finding;
}

Finding windows_ephemeral_finding(const DeclaredEndpoint& endpoint, const NetConfig& config) {
    const PortRange& range = *config.local_port_range;
    auto finding = endpoint_finding("ephemeral-range", Severity::warning, endpoint);
    finding.message = "port " + port_text(endpoint.port) + " is inside the dynamic port range " +
                      range_text(range) +
                      ": any outgoing connection may take it at random (the service then fails "
                      "with WSAEADDRINUSE 10048), and winnat/Hyper-V reserve their excluded "
                      "ranges from it";
    finding.evidence = {"netsh interface ipv4 show dynamicport tcp: start port " +
                        port_text(range.first) + ", " +
                        std::to_string(range.last - range.first + 1) + " ports"};
    finding.remedy = "pick a port below " + port_text(range.first) +
                     "; or, as Administrator, move the range to the Windows default: `netsh int "
                     "ipv4 set dynamic tcp start=49152 num=16384`";
    return finding;
}

void check_ranges(const DeclaredEndpoint& endpoint, const NetConfig& config,
                  std::vector<Finding>& findings) {
    const PortRange* reserved = nullptr;
    for (const auto& range : config.reserved_ports) {
        if (range.contains(endpoint.port)) {
            reserved = &range;
        }
    }
    if (reserved != nullptr) {
        auto finding = endpoint_finding("reserved-port", Severity::info, endpoint);
        finding.message = "port " + port_text(endpoint.port) +
                          " is in net.ipv4.ip_local_reserved_ports (" + range_text(*reserved) +
                          "): the kernel never hands it to outgoing connections, so it stays "
                          "free for " +
                          endpoint.service;
        finding.evidence = {"net.ipv4.ip_local_reserved_ports includes " + range_text(*reserved)};
        findings.push_back(std::move(finding));
        return; // reserved ports are exempt from the ephemeral range
    }
    if (config.local_port_range && config.local_port_range->contains(endpoint.port)) {
        findings.push_back(config.windows_rules ? windows_ephemeral_finding(endpoint, config)
                                                : ephemeral_finding(endpoint, config));
    }
}

std::string interface_list(const NetConfig& config) {
    std::string text;
    for (const auto& local : config.addresses) {
        text += (text.empty() ? "" : ", ") + local.interface + " " + local.address;
    }
    return text.empty() ? "none" : text;
}

void check_local_address(const DeclaredEndpoint& endpoint, const NetConfig& config,
                         std::vector<Finding>& findings) {
    const std::string address = canonical_ip(endpoint.address);
    if (address.empty() || config.is_local_address(address) ||
        ipv6_unavailable_for(config, address)) {
        return; // names are the hosts check's; unavailable IPv6 is the IPv6 check's
    }
    auto finding = endpoint_finding("address-not-local", Severity::error, endpoint);
    finding.message = endpoint.service + "." + endpoint.port_name + " binds " +
                      where_text(endpoint) +
                      ", but no interface of this machine has that address: the bind will fail "
                      "with EADDRNOTAVAIL";
    finding.evidence = {"local addresses: " + interface_list(config)};
    finding.remedy = "bind 127.0.0.1 (this machine only) or 0.0.0.0 (every interface), or add "
                     "the address: " +
                     add_local_address_instruction(address);
    findings.push_back(std::move(finding));
}

// As port-in-use names it, without the state file: "foreign", "running-golaunch" (its
// golaunch runs), "stale-unknown" (marked by a golaunch that is gone).
std::string holder_kind_text(const ProcessInfo& owner) {
    if (owner.golaunch_pid <= 0) {
        return to_string(HolderKind::foreign);
    }
    return to_string(started_by_golaunch(owner) ? HolderKind::live_golaunch
                                                : HolderKind::stale_unknown);
}

bool same_address(const std::string& a, const std::string& b) {
    const std::string left = canonical_ip(a);
    return !left.empty() && left == canonical_ip(b);
}

void check_shadowing(const DeclaredEndpoint& endpoint, const SocketTable& table,
                     std::vector<Finding>& findings) {
    if (canonical_ip(endpoint.address).empty()) {
        return; // unknown or a name: port-in-use already names every listener
    }
    std::vector<std::string> evidence;
    std::set<pid_t> pids;
    std::vector<FindingHolder> named;
    for (const auto& user : find_port_users(table, endpoint.port, true)) {
        if (user.socket.protocol != Protocol::tcp || user.socket.state != SocketState::listen ||
            same_address(user.socket.local_address, endpoint.address)) {
            continue;
        }
        std::string line =
            "tcp listen " + format_endpoint(user.socket.local_address, user.socket.local_port);
        if (user.owners.empty()) {
            line += " owner not visible";
        }
        for (const auto& owner : user.owners) {
            line += " " + describe_owner(owner);
            if (pids.insert(owner.pid).second) {
                named.push_back({owner.pid, owner.exe.empty() ? owner.name : owner.exe, owner.user,
                                 user.socket.local_address, holder_kind_text(owner),
                                 owner.golaunch_pid});
            }
        }
        evidence.push_back(std::move(line));
    }
    if (evidence.empty()) {
        return;
    }
    std::string holders;
    for (const pid_t pid : pids) {
        holders += (holders.empty() ? "pid " : ", pid ") + std::to_string(pid);
    }
    auto finding = endpoint_finding("port-shadowed", Severity::warning, endpoint);
    finding.message = "another process" + (holders.empty() ? "" : " (" + holders + ")") +
                      " already listens on port " + port_text(endpoint.port) +
                      " on a different address than " + where_text(endpoint) +
                      ": depending on the address a client picks (localhost may be ::1 or "
                      "127.0.0.1) it reaches that process instead; on Linux an overlapping "
                      "wildcard bind fails with EADDRINUSE, on Windows both binds succeed";
    finding.evidence = std::move(evidence);
    finding.fields.holders = std::move(named);
    finding.remedy = "stop the other listener, or give " + endpoint.service + "." +
                     endpoint.port_name + " another port";
    findings.push_back(std::move(finding));
}

bool can_coexist(const DeclaredEndpoint& a, const DeclaredEndpoint& b) {
    const std::string left = canonical_ip(a.address);
    const std::string right = canonical_ip(b.address);
    return !left.empty() && !right.empty() && left != right && !is_wildcard_address(left) &&
           !is_wildcard_address(right);
}

void check_duplicates(const std::vector<DeclaredEndpoint>& endpoints,
                      std::vector<Finding>& findings) {
    std::map<std::uint16_t, std::vector<const DeclaredEndpoint*>> by_port;
    for (const auto& endpoint : endpoints) {
        if (endpoint.port != 0) {
            by_port[endpoint.port].push_back(&endpoint);
        }
    }
    for (const auto& [port, users] : by_port) {
        for (std::size_t i = 1; i < users.size(); ++i) {
            const DeclaredEndpoint& first = *users.front();
            const DeclaredEndpoint& later = *users[i];
            if (can_coexist(first, later)) {
                continue;
            }
            auto finding = endpoint_finding("port-declared-twice", Severity::error, later);
            finding.message = "port " + port_text(port) + " is used twice in this run: by " +
                              first.service + "." + first.port_name + " and by " + later.service +
                              "." + later.port_name + "; the second bind will fail";
            finding.evidence = {first.service + "." + first.port_name + " " + where_text(first),
                                later.service + "." + later.port_name + " " + where_text(later)};
            finding.remedy = "give each a different port (check .golaunch/ports.toml and "
                             "command-line overrides, which can move a port onto another)";
            findings.push_back(std::move(finding));
        }
    }
}

} // namespace

std::string endpoint_subject(const DeclaredEndpoint& endpoint) {
    return endpoint.service + "." + endpoint.port_name + " :" + port_text(endpoint.port);
}

Finding endpoint_finding(const char* id, Severity severity, const DeclaredEndpoint& endpoint) {
    Finding finding;
    finding.id = id;
    finding.severity = severity;
    finding.subject = endpoint_subject(endpoint);
    finding.fields = endpoint_fields(endpoint);
    return finding;
}

std::vector<Finding> check_port_rules(const CheckContext& context) {
    return check_port_rules(context, read_net_config());
}

std::vector<Finding> check_port_rules(const CheckContext& context, const NetConfig& config) {
    std::vector<Finding> findings;
    for (const auto& endpoint : context.endpoints) {
        if (endpoint.port == 0) {
            continue;
        }
        check_privileged(context, endpoint, config, findings);
        check_ranges(endpoint, config, findings);
        check_local_address(endpoint, config, findings);
        check_shadowing(endpoint, context.table, findings);
        check_port_exclusions(endpoint, config, findings);
        check_windows_firewall(context, endpoint, config, findings);
    }
    check_duplicates(context.endpoints, findings);
    return findings;
}

} // namespace golaunch
