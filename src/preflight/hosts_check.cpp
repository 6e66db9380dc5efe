#include "preflight/hosts_check.hpp"

#include "platform/admin_commands.hpp"
#include "platform/dns_probe.hpp"
#include "platform/hosts_file.hpp"
#include "platform/hosts_path.hpp"
#include "preflight/localhost_check.hpp"
#include "preflight/name_rules.hpp"
#include "preflight/project_command.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>

namespace golaunch {

namespace {

constexpr std::chrono::milliseconds k_slow_resolve{100};
constexpr const char* k_default_address = "127.0.0.1";

struct WantedName {
    HostEntry entry;
    std::string origin; // "[hosts] in app.toml:5:1", "hosts of service api"
};

std::string where_text(const SourceLocation& where) {
    if (where.file.empty()) {
        return "the manifest";
    }
    return where.file + (where.line > 0 ? ":" + std::to_string(where.line) : "") +
           (where.column > 0 ? ":" + std::to_string(where.column) : "");
}

bool selected(const std::vector<std::string>& services, const std::string& name) {
    return services.empty() || std::find(services.begin(), services.end(), name) != services.end();
}

std::vector<WantedName> wanted_names(const Manifest& manifest,
                                     const std::vector<std::string>& services) {
    std::vector<WantedName> wanted;
    std::map<std::string, std::size_t> index; // canonical name -> position in `wanted`
    for (const auto& entry : manifest.hosts) {
        if (index.emplace(canonical_host_name(entry.name), wanted.size()).second) {
            wanted.push_back({entry, "[hosts] at " + where_text(entry.where)});
        }
    }
    for (const auto& service : manifest.services) {
        if (!selected(services, service.name)) {
            continue;
        }
        for (const auto& name : service.hosts) {
            const auto [it, added] = index.emplace(canonical_host_name(name), wanted.size());
            if (added) {
                wanted.push_back(
                    {{name, k_default_address, service.where}, "hosts of service " + service.name});
            } else {
                wanted[it->second].origin += ", hosts of service " + service.name;
            }
        }
    }
    return wanted;
}

// The hosts block markers carry the project name, and a line is compared without its
// surrounding blanks: a name starting or ending with one could never be found again.
bool usable_in_markers(const std::string& project) {
    return !project.empty() && project.front() != ' ' && project.front() != '\t' &&
           project.back() != ' ' && project.back() != '\t';
}

std::string spaces_remedy(const Manifest& manifest, const std::string& command) {
    return "remove the spaces around the project name '" + manifest.name + "' (`name` in " +
           (manifest.path.empty() ? std::string("the manifest") : manifest.path.string()) +
           "): golaunch marks its hosts block with it; then run `" + command + "`";
}

std::string fix_remedy(const HostEntry& entry, const std::string& hosts_label,
                       const Manifest& manifest, const std::string& command) {
    if (!usable_in_markers(manifest.name)) {
        return spaces_remedy(manifest, command);
    }
    const bool system_file = std::filesystem::path(hosts_label) == system_hosts_path();
    const std::string text = "run `" + command + "`: it adds '" + entry.address + " " + entry.name +
                             "' to the '# BEGIN golaunch " + manifest.name + "' block of " +
                             hosts_label;
    const std::string with_rights = elevated(command);
    if (with_rights == "`" + command + "`") {
        return text; // golaunch runs as root: the same command
    }
    return text + " (" + (system_file ? "it needs the rights to edit it: " : "if not permitted: ") +
           with_rights + ")";
}

// golaunch's own block for the project: the 1-based line numbers of its BEGIN and END markers.
struct OwnBlock {
    int begin = 0;
    int end = 0;
};

std::string_view without_blanks(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The markers remedy/hosts_block.cpp writes (that layer is above this one, so they are matched
// here again). An unterminated block is not ours to judge here: fix reports it with its line.
std::vector<OwnBlock> own_blocks(const std::filesystem::path& path, const std::string& project) {
    std::vector<OwnBlock> blocks;
    if (!usable_in_markers(project)) {
        return blocks;
    }
    std::ifstream in(path, std::ios::binary);
    const std::string begin = "# BEGIN golaunch " + project;
    const std::string end = "# END golaunch " + project;
    int number = 0;
    int open = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        const auto text = without_blanks(line);
        if (text == begin) {
            open = number;
        } else if (text == end && open != 0) {
            blocks.push_back({open, number});
            open = 0;
        }
    }
    return blocks;
}

bool in_own_block(const std::vector<OwnBlock>& blocks, int line) {
    return std::any_of(blocks.begin(), blocks.end(), [&](const OwnBlock& block) {
        return line > block.begin && line < block.end;
    });
}

Finding mismatch_finding(const WantedName& wanted, const std::vector<HostsAddress>& found,
                         const std::string& hosts_label, const Manifest& manifest,
                         const std::vector<OwnBlock>& blocks, const std::string& command) {
    const auto& first = found.front();
    Finding finding;
    finding.id = "host-mismatch";
    finding.severity = Severity::error;
    finding.subject = wanted.entry.name;
    finding.fields.host = wanted.entry.name;
    finding.fields.address = wanted.entry.address;
    finding.fields.file = hosts_label;
    finding.fields.line = first.line;
    finding.message = wanted.entry.name + " maps to " + first.address + " at " + hosts_label + ":" +
                      std::to_string(first.line) + ", not to " + wanted.entry.address;
    for (const auto& address : found) {
        finding.evidence.push_back(hosts_label + ":" + std::to_string(address.line) + ": " +
                                   address.address + " " + wanted.entry.name +
                                   (in_own_block(blocks, address.line)
                                        ? " (golaunch's block for " + manifest.name + ")"
                                        : ""));
    }
    finding.evidence.push_back("wanted by " + wanted.origin);
    // Once fix has rewritten the block, the first line outside it decides.
    const auto outside = std::find_if(found.begin(), found.end(), [&](const HostsAddress& at) {
        return !in_own_block(blocks, at.line);
    });
    if (outside == found.end() || same_address(outside->address, wanted.entry.address)) {
        finding.remedy = "run `" + command + "`: it rewrites golaunch's own block for " +
                         manifest.name + " in " + hosts_label + ", where " + wanted.entry.name +
                         " then maps to " + wanted.entry.address;
        finding.fix = "hosts-block";
        return finding;
    }
    finding.remedy = "edit line " + std::to_string(outside->line) + " of " + hosts_label + " to '" +
                     wanted.entry.address + " " + wanted.entry.name +
                     "' (golaunch fix changes only its own block), or change the address in "
                     "the manifest";
    return finding;
}

// Names in golaunch's block that the manifest no longer declares: fix takes them out.
std::vector<Finding> stale_findings(const HostsFile& hosts, const std::vector<OwnBlock>& blocks,
                                    const Manifest& manifest, const std::string& hosts_label,
                                    const std::string& command) {
    std::set<std::string> declared;
    for (const auto& wanted : wanted_names(manifest, {})) {
        declared.insert(canonical_host_name(wanted.entry.name));
    }
    std::vector<Finding> findings;
    std::set<std::string> reported;
    for (const auto& line : hosts.lines()) {
        if (!in_own_block(blocks, line.line)) {
            continue;
        }
        for (const auto& name : line.names) {
            const auto canonical = canonical_host_name(name);
            if (declared.count(canonical) != 0 || !reported.insert(canonical).second) {
                continue;
            }
            Finding finding;
            finding.id = "host-stale";
            finding.severity = Severity::info;
            finding.subject = name;
            finding.fields.host = name;
            finding.fields.address = line.address;
            finding.fields.file = hosts_label;
            finding.fields.line = line.line;
            finding.message = name + " is in golaunch's block for " + manifest.name + " in " +
                              hosts_label + ", but the manifest no longer declares it";
            finding.evidence.push_back(hosts_label + ":" + std::to_string(line.line) + ": " +
                                       line.address + " " + name);
            finding.remedy = "run `" + command + "`: it removes the name from the block";
            finding.fix = "hosts-block";
            findings.push_back(std::move(finding));
        }
    }
    return findings;
}

Finding missing_finding(const WantedName& wanted, const HostsFile& hosts,
                        const std::string& hosts_label, const Manifest& manifest,
                        const std::string& command, const ProbeResult* probe) {
    Finding finding;
    finding.id = "host-missing";
    finding.severity = Severity::warning;
    finding.subject = wanted.entry.name;
    finding.fields.host = wanted.entry.name;
    finding.fields.address = wanted.entry.address;
    finding.fields.file = hosts_label;
    finding.message = wanted.entry.name + " is not in " + hosts_label +
                      ": every lookup asks the DNS servers instead of getting " +
                      wanted.entry.address;
    finding.evidence.push_back("wanted by " + wanted.origin);
    for (const auto* line : hosts.invalid_lines()) {
        for (const auto& name : line->names) {
            if (canonical_host_name(name) == canonical_host_name(wanted.entry.name)) {
                finding.evidence.push_back(hosts_label + ":" + std::to_string(line->line) +
                                           ": names it, but '" + line->address +
                                           "' is not an IP address, so resolvers skip the line");
                break;
            }
        }
    }
    if (probe != nullptr) {
        finding.evidence.push_back("resolution: " + describe(*probe));
    }
    finding.remedy = fix_remedy(wanted.entry, hosts_label, manifest, command);
    finding.fix = usable_in_markers(manifest.name) ? "hosts-block" : "";
    return finding;
}

Finding slow_finding(const WantedName& wanted, const std::string& hosts_label,
                     const Manifest& manifest, const std::string& command,
                     const ProbeResult& probe) {
    Finding finding;
    finding.id = "host-slow-resolve";
    finding.severity = Severity::warning;
    finding.subject = wanted.entry.name;
    finding.fields.host = wanted.entry.name;
    finding.fields.address = wanted.entry.address;
    finding.fields.file = hosts_label;
    const auto ms = std::to_string(probe.elapsed.count()) + " ms";
    finding.message = probe.outcome == ProbeOutcome::timed_out
                          ? "resolving " + wanted.entry.name + " got no answer within " + ms +
                                ": every lookup in the service waits that long, then fails"
                          : "resolving " + wanted.entry.name + " took " + ms + " (" +
                                to_string(probe.outcome) +
                                "): every lookup in the service pays that delay";
    finding.evidence.push_back(describe(probe));
    finding.evidence.insert(finding.evidence.end(), probe.evidence.begin(), probe.evidence.end());
    finding.remedy = fix_remedy(wanted.entry, hosts_label, manifest, command);
    finding.fix = usable_in_markers(manifest.name) ? "hosts-block" : "";
    return finding;
}

// One finding when no nameserver replied to anything at all.
std::optional<Finding> nameserver_finding(const std::vector<ProbeResult>& probes,
                                          const ResolvConf& conf, const CheckContext& ctx) {
    if (probes.empty()) {
        return std::nullopt;
    }
    std::set<std::string> evidence;
    for (const auto& probe : probes) {
        if (probe.any_reply) {
            return std::nullopt;
        }
        evidence.insert(probe.evidence.begin(), probe.evidence.end());
    }
    const auto label = ctx.resolv_conf.string();
    Finding finding;
    finding.id = "nameserver-unreachable";
    finding.severity = Severity::warning;
    finding.subject = label;
    finding.fields.file = label;
    finding.message = "no nameserver " +
                      std::string(conf.default_nameservers
                                      ? "(none in " + label + ": Go then uses 127.0.0.1 and ::1)"
                                      : "in " + label) +
                      " answered within " + std::to_string(ctx.resolve_deadline.count()) +
                      " ms: every name not in the hosts file fails after that delay";
    finding.evidence.assign(evidence.begin(), evidence.end());
    if (!conf.read_error.empty()) {
        finding.evidence.insert(finding.evidence.begin(),
                                "cannot read " + label + ": " + conf.read_error);
    }
    finding.remedy = "check the nameserver lines of " + label +
                     " and the network; the names golaunch needs belong in the hosts file "
                     "(`golaunch fix`)";
    return finding;
}

} // namespace

std::vector<HostEntry> wanted_host_entries(const Manifest& manifest,
                                           const std::vector<std::string>& services) {
    std::vector<HostEntry> entries;
    for (auto& wanted : wanted_names(manifest, services)) {
        entries.push_back(std::move(wanted.entry));
    }
    return entries;
}

std::vector<Finding> check_hosts(const CheckContext& ctx) {
    const auto hosts_path = ctx.hosts_file.empty() ? system_hosts_path() : ctx.hosts_file;
    const auto label = hosts_path.string();
    const auto wanted = wanted_names(ctx.manifest, ctx.services);
    std::vector<Finding> findings;
    for (const auto& name : wanted) {
        auto rules = name_rule_findings(name.entry.name, "wanted by " + name.origin);
        findings.insert(findings.end(), rules.begin(), rules.end());
    }
    std::string error;
    auto hosts = read_hosts_file(hosts_path, &error);
    // Nothing at the path: resolvers read it as empty, and `golaunch fix` creates it.
    std::error_code ignored;
    const bool absent = !hosts && std::filesystem::symlink_status(hosts_path, ignored).type() ==
                                      std::filesystem::file_type::not_found;
    if (absent) {
        hosts = parse_hosts("");
    }
    if (!hosts) {
        Finding finding;
        finding.id = "hosts-file-unreadable";
        finding.severity = Severity::warning;
        finding.subject = label;
        finding.fields.file = label;
        finding.message = "cannot read " + label + ": " + error + "; host names not checked";
        finding.remedy = "check the path (--hosts-file) and its permissions";
        findings.push_back(std::move(finding));
        return findings;
    }
    const std::string command = project_command("fix", ctx.manifest, hosts_path);
    const auto blocks = own_blocks(hosts_path, ctx.manifest.name);
    std::vector<const WantedName*> missing;
    for (const auto& name : wanted) {
        const auto found = hosts->lookup(name.entry.name);
        if (found.empty()) {
            missing.push_back(&name);
        } else if (!same_address(found.front().address, name.entry.address)) {
            findings.push_back(mismatch_finding(name, found, label, ctx.manifest, blocks, command));
        }
    }
    auto stale = stale_findings(*hosts, blocks, ctx.manifest, label, command);
    findings.insert(findings.end(), stale.begin(), stale.end());
    std::vector<ProbeResult> probes;
    const auto conf = read_resolv_conf(ctx.resolv_conf);
    if (ctx.network && !missing.empty()) {
        std::vector<std::string> names;
        for (const auto* name : missing) {
            names.push_back(name->entry.name);
        }
        probes =
            probe_names(names, conf, {ctx.resolve_deadline, ctx.resolve_parallel, ctx.dns_port});
    }
    for (std::size_t i = 0; i < missing.size(); ++i) {
        const ProbeResult* probe = probes.empty() ? nullptr : &probes[i];
        findings.push_back(
            missing_finding(*missing[i], *hosts, label, ctx.manifest, command, probe));
        if (absent) {
            findings.back().evidence.push_back(
                label + " does not exist (resolvers read it as empty)" +
                (findings.back().fix.empty() ? "" : "; `golaunch fix` creates it"));
        }
        if (probe != nullptr &&
            (probe->outcome == ProbeOutcome::timed_out || probe->elapsed > k_slow_resolve)) {
            findings.push_back(slow_finding(*missing[i], label, ctx.manifest, command, *probe));
        }
    }
    if (auto unreachable = nameserver_finding(probes, conf, ctx)) {
        findings.push_back(std::move(*unreachable));
    }
    auto localhost = check_localhost(*hosts, label, ctx.endpoints);
    findings.insert(findings.end(), localhost.begin(), localhost.end());
    return findings;
}

} // namespace golaunch
