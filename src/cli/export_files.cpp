#include "cli/export_files.hpp"

#include "manifest/env_file.hpp"
#include "manifest/reserved_env.hpp"
#include "util/strings.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <set>

namespace golaunch {

namespace {

std::string milliseconds(Duration duration) {
    return std::to_string(duration.count()) + "ms";
}

// KEY=VALUE pairs of a plan, without golaunch's own marks (GOLAUNCH_*).
std::vector<std::pair<std::string, std::string>> exported_env(const ServicePlan& plan,
                                                              const std::set<std::string>& skip) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& entry : plan.run.env) {
        const auto equals = entry.find('=');
        if (equals == std::string::npos) {
            continue;
        }
        std::string key = entry.substr(0, equals);
        if (starts_with(key, k_reserved_env_prefix) || skip.count(key) != 0) {
            continue;
        }
        out.emplace_back(std::move(key), entry.substr(equals + 1));
    }
    return out;
}

// The keys that come from the env_file and nowhere else (kept in the file, not copied out).
std::set<std::string> env_file_keys(const Manifest& manifest, const ServiceSpec& service) {
    std::set<std::string> keys;
    if (service.env_file.empty()) {
        return keys;
    }
    try {
        for (const auto& [key, value] : load_env_file(manifest.root_dir / service.env_file)) {
            if (service.env.count(key) == 0 && key != "PORT" && !starts_with(key, "PORT_")) {
                keys.insert(key);
            }
        }
    } catch (const std::exception&) {
        // unreadable: its values were not in the plan either
    }
    return keys;
}

// ----------------------------------------------------------------- systemd

// systemd's specifiers (%) and variable expansion ($) are escaped; words with blanks, quotes or
// backslashes are double-quoted with C escapes.
std::string systemd_word(const std::string& word) {
    std::string escaped;
    for (const char c : word) {
        if (c == '%') {
            escaped += "%%";
        } else if (c == '$') {
            escaped += "$$";
        } else {
            escaped += c;
        }
    }
    const bool plain =
        !escaped.empty() && escaped.find_first_of(" \t\n\"'\\;") == std::string::npos;
    if (plain) {
        return escaped;
    }
    std::string quoted = "\"";
    for (const char c : escaped) {
        if (c == '"' || c == '\\') {
            quoted += '\\';
        }
        quoted += c == '\n' ? ' ' : c;
    }
    return quoted + "\"";
}

std::string systemd_assignment(const std::string& key, const std::string& value) {
    std::string text = key + "=" + value;
    std::string escaped;
    for (const char c : text) {
        if (c == '%') {
            escaped += "%%";
        } else if (c == '"' || c == '\\') {
            escaped += '\\';
            escaped += c;
        } else {
            escaped += c == '\n' ? ' ' : c;
        }
    }
    return "\"" + escaped + "\"";
}

const char* systemd_restart(RestartPolicy policy) {
    switch (policy) {
    case RestartPolicy::no:
        return "no";
    case RestartPolicy::always:
        return "always";
    case RestartPolicy::on_failure:
        break;
    }
    return "on-failure";
}

// What neither target can say, shared by both.
void common_unexpressed(const Manifest& manifest, std::vector<std::string>& out) {
    for (const auto& host : manifest.hosts) {
        out.push_back("[hosts] " + host.name + " -> " + host.address +
                      ": a hosts-file entry golaunch fix keeps; add it to the hosts file (or DNS) "
                      "of the machine that runs the services");
    }
    for (const auto& service : manifest.services) {
        if (!service.files.empty()) {
            out.push_back(service.name +
                          ": files = [...] templates are rendered by golaunch run with the ports "
                          "of the run; render them once and ship the result");
        }
        if (service.watch || !service.watch_globs.empty()) {
            out.push_back(service.name + ": watch (rebuild on save) is for development only");
        }
    }
}

std::string comment_block(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) {
        text += "#   " + line + "\n";
    }
    return text;
}

} // namespace

std::string export_name(const std::string& name) {
    std::string out = name;
    for (char& c : out) {
        const auto u = static_cast<unsigned char>(c);
        if (!std::isalnum(u) && c != '_' && c != '.' && c != '-') {
            c = '-';
        }
    }
    return out.empty() ? "golaunch" : out;
}

ExportedFiles export_systemd(const Manifest& manifest,
                             const std::map<std::string, ServicePlan>& plans) {
    ExportedFiles out;
    common_unexpressed(manifest, out.unexpressed);
    const std::string project = export_name(manifest.name);
    const auto unit = [&](const std::string& service) {
        return project + "-" + export_name(service) + ".service";
    };
    std::vector<std::string> units;
    for (const auto& service : manifest.services) {
        const auto& plan = plans.at(service.name);
        std::vector<std::string> notes;
        std::string type = "exec";
        switch (service.ready.kind) {
        case ReadyKind::notify:
            type = "notify";
            break;
        case ReadyKind::exit:
            type = "oneshot";
            break;
        case ReadyKind::http:
        case ReadyKind::log:
        case ReadyKind::exec:
            notes.push_back(service.name + ": ready = " + to_string(service.ready.kind) +
                            ": systemd has no readiness probe, so dependents start once it runs "
                            "(Type=exec); ready = \"notify\" (sd_notify) is the systemd way");
            break;
        case ReadyKind::ports:
            notes.push_back(service.name +
                            ": ready = ports: systemd does not wait for the ports to listen "
                            "(Type=exec: started once it runs)");
            break;
        }
        if (service.health.enabled) {
            notes.push_back(service.name + ": health checks: systemd has none (WatchdogSec= with "
                                           "sd_notify WATCHDOG=1 is the nearest)");
        }
        if (service.max_restarts >= 0 && service.restart != RestartPolicy::no) {
            notes.push_back(service.name +
                            ": max_restarts = " + std::to_string(service.max_restarts) +
                            " with backoff up to " + milliseconds(service.backoff.max) +
                            ": systemd restarts after RestartSec= and stops after "
                            "StartLimitBurst= starts within StartLimitIntervalSec=");
        }
        std::string text = "# " + unit(service.name) + ": generated by `golaunch export systemd` " +
                           "from " + manifest.path.filename().string() + "\n";
        if (plan.build) {
            text += "# Build it first, as golaunch run does: " + shell_join([&] {
                        std::vector<std::string> argv{plan.build->executable.string()};
                        argv.insert(argv.end(), plan.build->args.begin(), plan.build->args.end());
                        return argv;
                    }()) +
                    " (in " + plan.build->cwd.string() + ")\n";
        }
        if (!notes.empty()) {
            text += "# Not expressed here:\n" + comment_block(notes);
        }
        text += "\n[Unit]\nDescription=" + manifest.name + " " + service.name + " (golaunch)\n";
        std::string after = "network.target";
        std::string requires_units;
        for (const auto& dependency : service.depends_on) {
            after += " " + unit(dependency);
            requires_units += (requires_units.empty() ? "" : " ") + unit(dependency);
        }
        text += "After=" + after + "\n";
        if (!requires_units.empty()) {
            text += "Requires=" + requires_units + "\n";
        }
        text += "PartOf=" + project + ".target\n";
        if (service.restart != RestartPolicy::no) {
            text += "StartLimitBurst=" + std::to_string(service.max_restarts + 1) + "\n";
        }
        text += "\n[Service]\nType=" + type + "\n";
        if (type == "oneshot") {
            text += "RemainAfterExit=yes\n";
        }
        text += "WorkingDirectory=" + systemd_word(plan.run.cwd.string()) + "\n";
        std::string exec = systemd_word(plan.run.executable.string());
        for (const auto& arg : plan.run.args) {
            exec += " " + systemd_word(arg);
        }
        text += "ExecStart=" + exec + "\n";
        const auto file_keys = env_file_keys(manifest, service);
        if (!service.env_file.empty()) {
            text +=
                "EnvironmentFile=" +
                systemd_word((manifest.root_dir / service.env_file).lexically_normal().string()) +
                "\n";
        }
        for (const auto& [key, value] : exported_env(plan, file_keys)) {
            text += "Environment=" + systemd_assignment(key, value) + "\n";
        }
        if (type != "oneshot") {
            text += std::string("Restart=") + systemd_restart(service.restart) + "\n";
            text += "RestartSec=" + milliseconds(service.backoff.initial) + "\n";
        }
        text += "TimeoutStartSec=" + milliseconds(service.startup_timeout) + "\n";
        text += "TimeoutStopSec=" + milliseconds(service.stop_grace) + "\n";
        text += "KillMode=control-group\n";
        text += "\n[Install]\nWantedBy=" + project + ".target\n";
        out.files[unit(service.name)] = text;
        units.push_back(unit(service.name));
        out.unexpressed.insert(out.unexpressed.end(), notes.begin(), notes.end());
    }
    std::string target = "# " + project + ".target: generated by `golaunch export systemd`\n";
    if (!out.unexpressed.empty()) {
        target += "# Not expressed in these units:\n" + comment_block(out.unexpressed);
    }
    target += "\n[Unit]\nDescription=" + manifest.name + " (golaunch)\nWants=" + join(units, " ") +
              "\n\n[Install]\nWantedBy=multi-user.target\n";
    out.files[project + ".target"] = target;
    return out;
}

// ----------------------------------------------------------------- compose

namespace {

// A YAML scalar: a JSON string is one, and compose's own $ interpolation is escaped.
std::string yaml_text(const std::string& text, bool escape_dollars = true) {
    std::string value;
    for (const char c : text) {
        value += c;
        if (c == '$' && escape_dollars) {
            value += '$';
        }
    }
    return nlohmann::json(value).dump();
}

bool has_probe(const ServiceSpec& service) {
    return service.ready.kind == ReadyKind::http || service.ready.kind == ReadyKind::exec;
}

bool mentions_loopback(const ServicePlan& plan) {
    const auto loopback = [](const std::string& text) {
        return text.find("127.0.0.1") != std::string::npos ||
               text.find("localhost") != std::string::npos ||
               text.find("[::1]") != std::string::npos;
    };
    return std::any_of(plan.run.args.begin(), plan.run.args.end(), loopback) ||
           std::any_of(plan.run.env.begin(), plan.run.env.end(), loopback);
}

} // namespace

ExportedFiles export_compose(const Manifest& manifest,
                             const std::map<std::string, ServicePlan>& plans) {
    ExportedFiles out;
    common_unexpressed(manifest, out.unexpressed);
    std::string body = "services:\n";
    for (const auto& service : manifest.services) {
        const auto& plan = plans.at(service.name);
        const std::string name = export_name(service.name);
        body += "  " + name + ":\n";
        body += "    image: " + yaml_text(export_name(manifest.name) + "-" + name + ":dev") + "\n";
        if (!service.go_package.empty()) {
            body += "    # Needs a Dockerfile in the context that builds " + service.go_package +
                    " (go build -o /app " + service.go_package + ") into this image.\n";
            body += "    build:\n      context: " + yaml_text(manifest.root_dir.string()) + "\n";
            out.unexpressed.push_back(service.name + ": go = \"" + service.go_package +
                                      "\": the image needs a Dockerfile that builds it");
        } else {
            out.unexpressed.push_back(
                service.name + ": " + (service.shell.empty() ? "cmd" : "shell") +
                " service: pick an image that has " + plan.run.executable.filename().string() +
                " (the local path does not exist in a container)");
        }
        std::vector<std::string> command;
        if (service.go_package.empty()) {
            command.push_back(service.shell.empty() ? plan.run.executable.filename().string()
                                                    : plan.run.executable.string());
        } else {
            command.push_back("/app");
        }
        command.insert(command.end(), plan.run.args.begin(), plan.run.args.end());
        body += "    command:\n";
        for (const auto& word : command) {
            body += "      - " + yaml_text(word) + "\n";
        }
        if (!plan.ports.empty()) {
            body += "    ports:\n";
            for (const auto port : plan.ports) {
                body += "      - " + yaml_text(std::to_string(port) + ":" + std::to_string(port)) +
                        "\n";
            }
        }
        const auto env = exported_env(plan, env_file_keys(manifest, service));
        if (!service.env_file.empty()) {
            body += "    env_file:\n      - " +
                    yaml_text((manifest.root_dir / service.env_file).lexically_normal().string()) +
                    "\n";
        }
        if (!env.empty()) {
            body += "    environment:\n";
            for (const auto& [key, value] : env) {
                body += "      " + yaml_text(key, false) + ": " + yaml_text(value) + "\n";
            }
        }
        if (!service.depends_on.empty()) {
            body += "    depends_on:\n";
            for (const auto& dependency : service.depends_on) {
                const auto* spec = manifest.find_service(dependency);
                const auto condition = service.condition_on(dependency);
                std::string wanted = "service_started";
                if (condition == DependencyCondition::completed) {
                    wanted = "service_completed_successfully";
                } else if (condition == DependencyCondition::ready && spec != nullptr &&
                           has_probe(*spec)) {
                    wanted = "service_healthy";
                } else if (condition == DependencyCondition::ready) {
                    out.unexpressed.push_back(
                        service.name + " waits for " + dependency +
                        " to be ready, which has no probe compose can run: service_started");
                }
                body += "      " + yaml_text(export_name(dependency), false) +
                        ":\n        condition: " + wanted + "\n";
            }
        }
        if (service.ready.kind == ReadyKind::http) {
            body += "    healthcheck:\n      test:\n        - CMD-SHELL\n        - " +
                    yaml_text("curl -fsS " + plan.probe_url + " >/dev/null || exit 1") + "\n";
            out.unexpressed.push_back(service.name +
                                      ": the http readiness check runs curl, which the image "
                                      "needs");
        } else if (service.ready.kind == ReadyKind::exec && plan.probe) {
            body += "    healthcheck:\n      test:\n        - CMD\n        - " +
                    yaml_text(plan.probe->executable.string()) + "\n";
            for (const auto& arg : plan.probe->args) {
                body += "        - " + yaml_text(arg) + "\n";
            }
        }
        if (has_probe(service)) {
            body +=
                "      interval: " +
                milliseconds(service.health.enabled ? service.health.interval : Duration(1000)) +
                "\n      timeout: " + milliseconds(service.ready.timeout) + "\n";
        }
        const char* restart = service.restart == RestartPolicy::always       ? "always"
                              : service.restart == RestartPolicy::on_failure ? "on-failure"
                                                                             : "no";
        body += std::string("    restart: ") + yaml_text(restart) + "\n";
        body += "    stop_grace_period: " + milliseconds(service.stop_grace) + "\n";
        if (mentions_loopback(plan)) {
            out.unexpressed.push_back(
                service.name + " listens on or calls a loopback address (127.0.0.1/localhost): "
                               "in a container that is the container itself; use 0.0.0.0 to "
                               "listen and the service name to call");
        }
        if (!service.dir.empty()) {
            out.unexpressed.push_back(service.name + ": dir = \"" + service.dir +
                                      "\": the working directory comes from the image");
        }
    }
    std::string text = "# Generated by `golaunch export compose` from " +
                       manifest.path.filename().string() + " (project " + manifest.name + ")\n";
    if (!out.unexpressed.empty()) {
        text += "# Not expressed here:\n" + comment_block(out.unexpressed);
    }
    text += body;
    out.files["compose.yaml"] = text;
    return out;
}

} // namespace golaunch
