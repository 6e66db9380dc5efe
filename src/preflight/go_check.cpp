#include "preflight/go_check.hpp"

#include "platform/admin_commands.hpp"
#include "platform/command_output.hpp"
#include "preflight/project_command.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

extern char** environ; // NOLINT: POSIX

namespace golaunch {

namespace {

std::string variable(const GoEnvironment& environment, const std::string& key) {
    const auto found = environment.variables.find(key);
    return found == environment.variables.end() ? "" : found->second;
}

std::vector<std::string> env_list(const GoEnvironment& environment) {
    std::vector<std::string> list;
    for (const auto& [key, value] : environment.variables) {
        list.push_back(key + "=" + value);
    }
    return list;
}

// The value of "netdns=..." in a GODEBUG value, or "".
std::string netdns_setting(const std::string& godebug) {
    for (const auto& item : split(godebug, ',')) {
        const std::string entry(trim(item));
        if (entry.rfind("netdns=", 0) == 0) {
            return entry.substr(7);
        }
    }
    return "";
}

std::string netdns_meaning(const std::string& value) {
    std::string text;
    if (value.find("cgo") != std::string::npos) {
        text = "the C library resolver (getaddrinfo through /etc/nsswitch.conf: mdns, "
               "systemd-resolved, LDAP...), if the binary was built with cgo; otherwise the "
               "pure-Go resolver all the same";
    } else if (value.find("go") != std::string::npos) {
        text = "the pure-Go resolver: it reads /etc/hosts and /etc/resolv.conf itself and "
               "ignores other nsswitch sources (mdns, systemd-resolved, LDAP)";
    } else {
        text = "Go's default choice";
    }
    if (value.find_first_of("0123456789") != std::string::npos) {
        text += "; the digit makes every lookup print its decision to stderr";
    }
    return text;
}

// "netgo" / "netcgo" among the -tags of a GOFLAGS value, or "".
std::string net_build_tag(const std::string& goflags) {
    for (const std::string tag : {"netcgo", "netgo"}) {
        if (goflags.find("tags") != std::string::npos && goflags.find(tag) != std::string::npos) {
            return tag;
        }
    }
    return "";
}

Finding info(const char* id, std::string message) {
    Finding finding;
    finding.id = id;
    finding.severity = Severity::info;
    finding.subject = "go";
    finding.message = std::move(message);
    return finding;
}

void check_netdns(const std::vector<const ServiceSpec*>& services, const GoEnvironment& environment,
                  std::vector<Finding>& findings) {
    const std::string global = netdns_setting(variable(environment, "GODEBUG"));
    if (!global.empty()) {
        auto finding = info("godebug-netdns", "GODEBUG netdns=" + global +
                                                  " (golaunch's environment) makes every Go "
                                                  "service use " +
                                                  netdns_meaning(global));
        finding.evidence = {"GODEBUG=" + variable(environment, "GODEBUG")};
        findings.push_back(std::move(finding));
    }
    for (const auto* service : services) {
        const auto godebug = service->env.find("GODEBUG");
        const std::string own =
            godebug == service->env.end() ? "" : netdns_setting(godebug->second);
        if (!own.empty()) {
            auto finding =
                info("godebug-netdns", "GODEBUG netdns=" + own + " in [services." + service->name +
                                           "] env makes it use " + netdns_meaning(own));
            finding.subject = "go " + service->name;
            finding.fields.service = service->name;
            finding.evidence = {"GODEBUG=" + godebug->second};
            findings.push_back(std::move(finding));
        }
    }
    const std::string tag = net_build_tag(variable(environment, "GOFLAGS"));
    if (!tag.empty()) {
        auto finding = info("godebug-netdns", "GOFLAGS builds with the '" + tag +
                                                  "' tag: the binaries always use " +
                                                  netdns_meaning(tag == "netgo" ? "go" : "cgo"));
        finding.evidence = {"GOFLAGS=" + variable(environment, "GOFLAGS")};
        findings.push_back(std::move(finding));
    }
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void check_resolver(const CheckContext& context, const GoEnvironment& environment,
                    const std::string& go_cgo, std::vector<Finding>& findings) {
    std::string cgo = variable(environment, "CGO_ENABLED");
    const std::string cgo_source = cgo.empty() ? "go env CGO_ENABLED" : "CGO_ENABLED";
    if (cgo.empty()) {
        cgo = go_cgo;
    }
    const std::string netdns = netdns_setting(variable(environment, "GODEBUG"));
    const bool pure_go = cgo == "0" || netdns.rfind("go", 0) == 0 ||
                         net_build_tag(variable(environment, "GOFLAGS")) == "netgo";
    const auto sources = nsswitch_hosts_sources(read_text(environment.nsswitch_conf));
    std::vector<std::string> extra;
    for (const auto& source : sources) {
        if (source != "files" && source != "dns") {
            extra.push_back(source);
        }
    }
    Finding finding = info("go-resolver", "");
    finding.evidence = {cgo_source + " = " + (cgo.empty() ? "unknown" : cgo),
                        environment.nsswitch_conf.string() + " hosts: " +
                            (sources.empty() ? "(no hosts line)" : join(sources, " "))};
    if (pure_go && !extra.empty()) {
        finding.severity = Severity::warning;
        finding.message = "Go services will use the pure-Go resolver (cgo off), which reads "
                          "/etc/hosts and DNS only: names that other programs get from " +
                          join(extra, ", ") + " will not resolve in them";
        // `golaunch fix` adds the names of [hosts] only: offered with the arguments that fix
        // this project's hosts file, as the hosts findings print it.
        finding.remedy =
            "put the names in the hosts file" +
            (context.manifest.hosts.empty()
                 ? std::string()
                 : " (for [hosts]: `" +
                       project_command("fix", context.manifest, context.hosts_file) + "`)") +
            ", or build with CGO_ENABLED=1 and GODEBUG=netdns=cgo";
    } else if (pure_go) {
        finding.message = "Go services will use the pure-Go resolver (cgo off): /etc/hosts and "
                          "DNS from resolv.conf, as nsswitch.conf asks";
    } else if (!extra.empty()) {
        finding.message = "with cgo on, Go services hand lookups to the C library because "
                          "nsswitch.conf lists " +
                          join(extra, ", ") +
                          ": each lookup takes a thread, and hosts-file names still win first "
                          "only if 'files' comes first";
    } else {
        finding.message = "Go services will use the pure-Go resolver (nsswitch.conf has only "
                          "files and dns): /etc/hosts first, then DNS";
    }
    findings.push_back(std::move(finding));
}

} // namespace

GoEnvironment GoEnvironment::from_this_process() {
    GoEnvironment environment;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string text(*entry);
        const auto equals = text.find('=');
        if (equals != std::string::npos && equals > 0) {
            environment.variables.emplace(text.substr(0, equals), text.substr(equals + 1));
        }
    }
    return environment;
}

std::vector<std::string> nsswitch_hosts_sources(const std::string& text) {
    for (const auto& raw : split(text, '\n')) {
        std::string line(raw.substr(0, raw.find('#')));
        const std::string_view content = trim(line);
        if (content.rfind("hosts:", 0) != 0) {
            continue;
        }
        std::vector<std::string> sources;
        std::istringstream words{std::string(content.substr(6))};
        std::string word;
        bool in_action = false;
        while (words >> word) {
            if (word.front() == '[') {
                in_action = true;
            }
            if (!in_action) {
                sources.push_back(word);
            }
            if (word.back() == ']') {
                in_action = false;
            }
        }
        return sources;
    }
    return {};
}

std::vector<Finding> check_go_toolchain(const CheckContext& context) {
    return check_go_toolchain(context, GoEnvironment::from_this_process());
}

std::vector<Finding> check_go_toolchain(const CheckContext& context,
                                        const GoEnvironment& environment) {
    std::vector<const ServiceSpec*> go_services;
    for (const auto& service : context.manifest.services) {
        const bool selected =
            context.services.empty() || std::find(context.services.begin(), context.services.end(),
                                                  service.name) != context.services.end();
        if (selected && !service.go_package.empty()) {
            go_services.push_back(&service);
        }
    }
    if (go_services.empty()) {
        return {};
    }
    std::vector<Finding> findings;
    const std::string path = variable(environment, "PATH");
    const std::string go = find_in_path("go", path);
    std::string go_cgo;
    if (go.empty()) {
        Finding finding;
        finding.id = "go-missing";
        finding.severity = Severity::error;
        finding.subject = "go";
        finding.message = "`go` is not on PATH, and " + go_services.front()->name + " (go = \"" +
                          go_services.front()->go_package + "\") must be built";
        finding.evidence = {"PATH=" + path};
        finding.remedy = install_go_instruction();
        finding.fields.service = go_services.front()->name;
        findings.push_back(std::move(finding));
    } else {
        const auto output = run_command({go, "env", "GOVERSION", "CGO_ENABLED"},
                                        environment.timeout, env_list(environment));
        const auto lines = split(output.out, '\n');
        Finding finding = info("go-version", "");
        finding.evidence = {"go: " + go};
        if (output.timed_out || output.exit_code != 0 || lines.size() < 2) {
            finding.severity = Severity::warning;
            finding.message =
                "`go env GOVERSION` " +
                (output.timed_out ? std::string("did not answer in time")
                                  : "failed (exit " + std::to_string(output.exit_code) + ")");
            finding.evidence.push_back(std::string(trim(output.err)));
        } else {
            finding.message = "Go " + lines[0] + " at " + go;
            go_cgo = lines[1];
        }
        findings.push_back(std::move(finding));
    }
    check_netdns(go_services, environment, findings);
    check_resolver(context, environment, go_cgo, findings);
    return findings;
}

} // namespace golaunch
