// The manifest as plain structs: what app.toml says, validated, not yet interpolated.
#pragma once

#include "util/duration.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace golaunch {

struct SourceLocation {
    std::string file; // as the user named it
    int line = 0;     // 1-based; 0 when unknown
    int column = 0;   // 1-based; 0 when unknown
};

enum class RestartPolicy { no, on_failure, always };
enum class PortConflictPolicy { fail, next_free, stop_stale };

struct Backoff {
    Duration initial{500};
    Duration max{30'000};
};

struct Defaults {
    Duration startup_timeout{30'000};
    RestartPolicy restart = RestartPolicy::on_failure;
    int max_restarts = 5;
    Backoff backoff;
    Duration stop_grace{10'000};
    PortConflictPolicy on_port_conflict = PortConflictPolicy::fail;
};

struct PortSpec {
    std::string name; // key in `ports = { http = 8080 }`
    std::uint16_t number = 0;
    SourceLocation where;
    std::string address; // `http = { port = 8080, address = "127.0.0.1" }`, an IP literal;
                         // "" when not given
};

// How a service's readiness is known (README, "Readiness"). `ports` (the default): every declared
// port listens. The probes (http, log, exec) are tried once the ports listen; `exit`: a one-shot
// is complete when it exits 0; `notify`: it sends READY=1 to NOTIFY_SOCKET (sd_notify, Linux).
enum class ReadyKind { ports, exit, http, log, exec, notify };

struct ReadySpec {
    ReadyKind kind = ReadyKind::ports;
    std::string url;                  // http: "http://127.0.0.1:${port}/health" (may hold ${...})
    std::vector<int> status;          // http: the statuses that pass; empty = any 2xx
    std::string body;                 // http: a regex the body must match ("" = any body)
    std::string pattern;              // log: a regex a line of its stdout or stderr must match
    std::vector<std::string> command; // exec: run until it exits 0 (may hold ${...})
    Duration timeout{1'000};          // http, exec: each attempt
    SourceLocation where;
};

// Health after ready: `health = { http = "...", interval = "5s", timeout = "1s", failures = 3 }`
// (or exec = [...]). `failures` checks in a row that fail make the service unhealthy: it is
// stopped and restarted by its policy.
struct HealthSpec {
    bool enabled = false;
    ReadyKind kind = ReadyKind::http; // http or exec
    std::string url;                  // http (may hold ${...})
    std::vector<int> status;          // http: empty = any 2xx
    std::string body;                 // http: a regex ("" = any body)
    std::vector<std::string> command; // exec (may hold ${...})
    Duration interval{5'000};
    Duration timeout{1'000};
    int failures = 3;
    SourceLocation where;
};

// `depends_on = { db = "ready", migrate = "completed", cache = "started" }`; the array form
// means "ready" for each.
enum class DependencyCondition { started, ready, completed };

const char* to_string(ReadyKind kind);
const char* to_string(DependencyCondition condition);

// `files = [{ from = "prometheus.yml.in", to = ".golaunch/prometheus.yml" }]`: a template
// rendered with the ports of the run (manifest/file_templates.hpp).
struct FileTemplate {
    std::string from; // the template, relative to the manifest dir
    std::string to;   // the generated file, relative to the manifest dir and inside it
    SourceLocation from_where;
    SourceLocation to_where;
};

struct ServiceSpec {
    std::string name;
    SourceLocation where; // the [services.NAME] table

    std::string go_package;                 // `go = "./cmd/api"`, relative to the manifest dir
    SourceLocation go_where;                // the `go` value
    std::vector<std::string> cmd;           // `cmd = ["postgres", "-D", "./data"]`
    std::string shell;                      // `shell = "..."`, run by /bin/sh -c
    std::vector<std::string> args;          // appended to the built binary / cmd; may hold ${...}
    std::map<std::string, std::string> env; // may hold ${...}
    std::string env_file;                   // relative to the manifest dir
    SourceLocation env_file_where;          // the `env_file` key
    std::string dir;             // working directory, relative to the manifest dir ("" = it)
    SourceLocation dir_where;    // the `dir` value
    std::vector<PortSpec> ports; // declaration order; the first one is $PORT
    std::vector<std::string> hosts;
    std::vector<std::string> depends_on;
    std::map<std::string, DependencyCondition> conditions; // by dependency; absent = ready
    ReadySpec ready;
    HealthSpec health;
    std::vector<FileTemplate> files; // `files`, in manifest order
    // `watch = true` (or `run --watch`): rebuild and restart on a change of its Go sources;
    // `watch = ["assets/**", ...]`: also these globs (relative to the manifest dir).
    bool watch = false;
    std::vector<std::string> watch_globs;
    SourceLocation watch_where;
    Duration watch_debounce{100};  // quiet this long after the last change, then rebuild
    bool watch_dependents = false; // after a rebuild, also restart every service needing it
    // `go build` of a go service: flags before -o (`["-tags", "dev"]`, `["-race"]`,
    // `["-gcflags=all=-N -l"]` for Delve) and variables on top of its environment.
    std::vector<std::string> build_flags;
    std::map<std::string, std::string> build_env;
    SourceLocation build_where; // the first of build_flags / build_env / watch_*

    Duration startup_timeout{30'000};
    RestartPolicy restart = RestartPolicy::on_failure;
    int max_restarts = 5;
    Backoff backoff;
    Duration stop_grace{10'000};
    PortConflictPolicy on_port_conflict = PortConflictPolicy::fail;

    DependencyCondition condition_on(const std::string& dependency) const {
        const auto found = conditions.find(dependency);
        return found == conditions.end() ? DependencyCondition::ready : found->second;
    }

    const PortSpec* find_port(const std::string& port_name) const {
        for (const auto& port : ports) {
            if (port.name == port_name) {
                return &port;
            }
        }
        return nullptr;
    }
};

struct HostEntry {
    std::string name;
    std::string address;
    SourceLocation where;
};

// The most services one manifest may declare (README, Manifest): more is refused with a located
// error, before any per-service work.
constexpr std::size_t k_max_services = 10'000;

struct Manifest {
    std::filesystem::path path;     // as given
    std::filesystem::path root_dir; // absolute directory of the manifest
    int version = 1;
    std::string name; // project name; defaults to the directory name
    Defaults defaults;
    std::vector<HostEntry> hosts;      // [hosts]
    std::vector<ServiceSpec> services; // file order

    const ServiceSpec* find_service(const std::string& service_name) const {
        for (const auto& service : services) {
            if (service.name == service_name) {
                return &service;
            }
        }
        return nullptr;
    }
};

// Ports chosen for this run: service -> port name -> number. Starts as the declared numbers;
// the port preflight may move some (on_port_conflict = "next-free").
using PortAssignments = std::map<std::string, std::map<std::string, std::uint16_t>>;

PortAssignments declared_ports(const Manifest& manifest);

} // namespace golaunch
