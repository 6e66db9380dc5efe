#include "cli/export_files.hpp"

#include "manifest/env_file.hpp"
#include "manifest/reserved_env.hpp"
#include "supervise/probe_runner.hpp"
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

// The inside of a double-quoted systemd string: quotes and backslashes escaped, control
// characters as C escapes (\n, \t, \xHH: systemd.syntax unescapes them in ExecStart= and
// Environment=), and % (a specifier) doubled.
std::string systemd_quoted_body(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '%') {
            out += "%%";
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            static constexpr char digits[] = "0123456789abcdef";
            out += "\\x";
            out += digits[byte >> 4];
            out += digits[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

// One word of ExecStart=: variable expansion ($) escaped as $$, then plain when it has no
// blank, quote, backslash, semicolon or control character, double-quoted otherwise.
std::string systemd_word(const std::string& word) {
    std::string escaped;
    for (const char c : word) {
        escaped += c == '$' ? std::string("$$") : std::string(1, c);
    }
    const bool plain = !escaped.empty() && std::none_of(escaped.begin(), escaped.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ' ' || c == '"' ||
               c == '\'' || c == '\\' || c == ';';
    });
    if (plain) {
        std::string out;
        for (const char c : escaped) {
            out += c == '%' ? std::string("%%") : std::string(1, c);
        }
        return out;
    }
    return "\"" + systemd_quoted_body(escaped) + "\"";
}

// Environment="KEY=VALUE": the value is not expanded by systemd, so $ stays as it is.
std::string systemd_assignment(const std::string& key, const std::string& value) {
    return "\"" + systemd_quoted_body(key + "=" + value) + "\"";
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

// What a container (compose) or pod (Kubernetes) changes for a service run here: loopback
// addresses (`inside` says what loopback means there) and the working directory.
void container_unexpressed(const ServiceSpec& service, const ServicePlan& plan,
                           const std::string& inside, std::vector<std::string>& out) {
    if (mentions_loopback(plan)) {
        out.push_back(service.name +
                      " listens on or calls a loopback address "
                      "(127.0.0.1/localhost): " +
                      inside + "; listen on 0.0.0.0 and call other services by name");
    }
    if (!service.dir.empty()) {
        out.push_back(service.name + ": dir = \"" + service.dir +
                      "\": the working directory comes from the image");
    }
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
        container_unexpressed(service, plan, "in a container that is the container itself",
                              out.unexpressed);
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

// ----------------------------------------------------------------- kubernetes

namespace {

using Object = nlohmann::ordered_json;

// A YAML key: plain when it is one of ours ([A-Za-z0-9_./-]), else a JSON string.
std::string yaml_key(const std::string& key) {
    const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' ||
               c == '/' || c == '-';
    });
    return plain ? key : nlohmann::json(key).dump();
}

bool is_collection(const Object& value) {
    return (value.is_object() || value.is_array()) && !value.empty();
}

std::string yaml_scalar(const Object& value) {
    if (value.is_object()) {
        return "{}";
    }
    if (value.is_array()) {
        return "[]";
    }
    return value.dump(); // strings as JSON strings, which YAML reads as they are
}

// Block-style YAML of an object or array, each line indented by `indent` spaces.
void emit_yaml(const Object& value, std::size_t indent, std::string& out) {
    const std::string pad(indent, ' ');
    if (value.is_object()) {
        for (const auto& [key, item] : value.items()) {
            out += pad + yaml_key(key) + ":";
            if (is_collection(item)) {
                out += "\n";
                emit_yaml(item, indent + 2, out);
            } else {
                out += " " + yaml_scalar(item) + "\n";
            }
        }
        return;
    }
    for (const auto& item : value) {
        if (!is_collection(item)) {
            out += pad + "- " + yaml_scalar(item) + "\n";
            continue;
        }
        // "- " takes the place of the first line's indent: the item's lines sit 2 deeper.
        std::string nested;
        emit_yaml(item, indent + 2, nested);
        out += pad + "- " + nested.substr(indent + 2);
    }
}

// Kubernetes expands $(VAR) in command, args and env values; $$( keeps it literal.
std::string kubernetes_text(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        out += text[i];
        if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '(') {
            out += '$';
        }
    }
    return out;
}

int whole_seconds(Duration duration) {
    return std::max(1, static_cast<int>((duration.count() + 999) / 1000));
}

// A probe's action (httpGet, exec or tcpSocket); null when there is none to give.
Object probe_action(const std::string& url, const std::optional<LaunchSpec>& command,
                    std::string& why_not) {
    if (!url.empty()) {
        const auto target = parse_http_url(url);
        if (!target) {
            why_not = "the url " + url + " is not http://HOST:PORT/PATH";
            return nullptr;
        }
        return Object{
            {"httpGet", Object{{"path", target->target}, {"port", std::stoi(target->port)}}}};
    }
    if (command) {
        Object words = Object::array({kubernetes_text(command->executable.string())});
        for (const auto& arg : command->args) {
            words.push_back(kubernetes_text(arg));
        }
        return Object{{"exec", Object{{"command", words}}}};
    }
    return nullptr;
}

// A container port's or Service port's name: an IANA service name (at most 15 characters of
// [a-z0-9-], a letter among them), else "port-N".
std::string kubernetes_port_name(const std::string& name, std::size_t index) {
    std::string out = kubernetes_name(name).substr(0, 15);
    while (!out.empty() && out.back() == '-') {
        out.pop_back();
    }
    const bool letter = std::any_of(out.begin(), out.end(), [](char c) { return c >= 'a'; });
    return letter && out.find("--") == std::string::npos ? out
                                                         : "port-" + std::to_string(index + 1);
}

} // namespace

std::string kubernetes_name(const std::string& name) {
    std::string out;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        out += std::isalnum(u) != 0 ? static_cast<char>(std::tolower(u)) : '-';
    }
    out = out.substr(0, 63);
    const auto first = out.find_first_not_of('-');
    if (first == std::string::npos) {
        return "service";
    }
    return out.substr(first, out.find_last_not_of('-') - first + 1);
}

ExportedFiles export_kubernetes(const Manifest& manifest,
                                const std::map<std::string, ServicePlan>& plans) {
    ExportedFiles out;
    common_unexpressed(manifest, out.unexpressed);
    const std::string project = kubernetes_name(manifest.name);
    std::set<std::string> taken;
    std::string body;
    for (const auto& service : manifest.services) {
        const auto& plan = plans.at(service.name);
        std::string name = kubernetes_name(service.name);
        for (int n = 2; !taken.insert(name).second; ++n) {
            name = kubernetes_name(service.name).substr(0, 60) + "-" + std::to_string(n);
        }
        if (name != service.name) {
            out.unexpressed.push_back(service.name + ": named " + name +
                                      " (Kubernetes names are lower-case DNS labels)");
        }
        const Object labels{{"app.kubernetes.io/name", name},
                            {"app.kubernetes.io/part-of", project}};
        Object container{{"name", name},
                         {"image", project + "-" + name + ":dev"},
                         {"imagePullPolicy", "IfNotPresent"}};
        std::vector<std::string> words;
        if (!service.go_package.empty()) {
            words.emplace_back("/app");
            out.unexpressed.push_back(service.name + ": go = \"" + service.go_package +
                                      "\": build an image " + project + "-" + name +
                                      ":dev whose /app is go build -o /app " + service.go_package);
        } else {
            words.push_back(service.shell.empty() ? plan.run.executable.filename().string()
                                                  : plan.run.executable.string());
            out.unexpressed.push_back(service.name + ": " +
                                      (service.shell.empty() ? "cmd" : "shell") +
                                      " service: the image " + project + "-" + name +
                                      ":dev is a placeholder for one that has " +
                                      plan.run.executable.filename().string());
        }
        container["command"] = Object::array({kubernetes_text(words.front())});
        if (!plan.run.args.empty()) {
            Object args = Object::array();
            for (const auto& arg : plan.run.args) {
                args.push_back(kubernetes_text(arg));
            }
            container["args"] = args;
        }
        const auto env = exported_env(plan, env_file_keys(manifest, service));
        if (!env.empty()) {
            Object variables = Object::array();
            for (const auto& [key, value] : env) {
                variables.push_back(Object{{"name", key}, {"value", kubernetes_text(value)}});
            }
            container["env"] = variables;
        }
        if (!service.env_file.empty()) {
            container["envFrom"] =
                Object::array({Object{{"configMapRef", Object{{"name", name + "-env"}}}}});
            out.unexpressed.push_back(
                service.name + ": env_file = \"" + service.env_file +
                "\": create its ConfigMap first: kubectl create configmap " + name +
                "-env --from-env-file=" +
                (manifest.root_dir / service.env_file).lexically_normal().string());
        }
        Object service_ports = Object::array();
        if (!plan.ports.empty()) {
            Object container_ports = Object::array();
            std::set<std::string> port_names;
            for (std::size_t i = 0; i < plan.ports.size(); ++i) {
                auto port_name =
                    kubernetes_port_name(i < service.ports.size() ? service.ports[i].name : "", i);
                if (!port_names.insert(port_name).second) {
                    port_name = "port-" + std::to_string(i + 1);
                }
                container_ports.push_back(Object{
                    {"name", port_name}, {"containerPort", plan.ports[i]}, {"protocol", "TCP"}});
                service_ports.push_back(Object{{"name", port_name},
                                               {"port", plan.ports[i]},
                                               {"targetPort", plan.ports[i]},
                                               {"protocol", "TCP"}});
            }
            container["ports"] = container_ports;
        }
        std::string why_not;
        Object ready = nullptr;
        switch (service.ready.kind) {
        case ReadyKind::http:
        case ReadyKind::exec:
            ready = probe_action(plan.probe_url, plan.probe, why_not);
            break;
        case ReadyKind::ports:
            if (!plan.ports.empty()) {
                ready = Object{{"tcpSocket", Object{{"port", plan.ports.front()}}}};
            }
            break;
        case ReadyKind::log:
        case ReadyKind::notify:
            why_not = "Kubernetes has no probe for it";
            break;
        case ReadyKind::exit:
            break;
        }
        if (!why_not.empty()) {
            out.unexpressed.push_back(service.name + ": ready = " + to_string(service.ready.kind) +
                                      ": " + why_not + " (no readinessProbe: ready once it runs)");
        } else if (!ready.is_null()) {
            ready["periodSeconds"] = 1;
            ready["timeoutSeconds"] = whole_seconds(service.ready.timeout);
            ready["failureThreshold"] = 3;
            container["readinessProbe"] = ready;
        }
        if (service.health.enabled) {
            std::string health_why_not;
            Object live = probe_action(plan.health_url, plan.health, health_why_not);
            if (live.is_null()) {
                out.unexpressed.push_back(service.name + ": health: " + health_why_not);
            } else {
                live["periodSeconds"] = whole_seconds(service.health.interval);
                live["timeoutSeconds"] = whole_seconds(service.health.timeout);
                live["failureThreshold"] = std::max(1, service.health.failures);
                container["livenessProbe"] = live;
            }
        }
        if (!service.depends_on.empty()) {
            out.unexpressed.push_back(service.name + ": depends_on = [" +
                                      join(service.depends_on, ", ") +
                                      "]: Kubernetes starts every object at once; the service "
                                      "must retry its dependencies (or wait in an "
                                      "initContainer)");
        }
        container_unexpressed(service, plan,
                              "in a pod that is the pod itself, and probes come from the node",
                              out.unexpressed);
        Object pod{{"containers", Object::array({container})},
                   {"terminationGracePeriodSeconds", whole_seconds(service.stop_grace)}};
        Object object;
        if (service.ready.kind == ReadyKind::exit) {
            pod["restartPolicy"] = "Never";
            const int retries =
                service.restart == RestartPolicy::no ? 0 : std::max(0, service.max_restarts);
            object =
                Object{{"apiVersion", "batch/v1"},
                       {"kind", "Job"},
                       {"metadata", Object{{"name", name}, {"labels", labels}}},
                       {"spec", Object{{"backoffLimit", retries},
                                       {"template", Object{{"metadata", Object{{"labels", labels}}},
                                                           {"spec", pod}}}}}};
        } else {
            if (service.restart != RestartPolicy::always) {
                out.unexpressed.push_back(
                    service.name + ": restart = \"" +
                    (service.restart == RestartPolicy::no ? "no" : "on-failure") +
                    "\": a Deployment restarts its container whenever it exits");
            }
            object = Object{
                {"apiVersion", "apps/v1"},
                {"kind", "Deployment"},
                {"metadata", Object{{"name", name}, {"labels", labels}}},
                {"spec", Object{{"replicas", 1},
                                {"selector",
                                 Object{{"matchLabels", Object{{"app.kubernetes.io/name", name}}}}},
                                {"template", Object{{"metadata", Object{{"labels", labels}}},
                                                    {"spec", pod}}}}}};
        }
        body += "---\n";
        emit_yaml(object, 0, body);
        if (!service_ports.empty()) {
            const Object kube_service{
                {"apiVersion", "v1"},
                {"kind", "Service"},
                {"metadata", Object{{"name", name}, {"labels", labels}}},
                {"spec", Object{{"selector", Object{{"app.kubernetes.io/name", name}}},
                                {"ports", service_ports}}}};
            body += "---\n";
            emit_yaml(kube_service, 0, body);
        }
    }
    std::string text = "# Generated by `golaunch export kubernetes` from " +
                       manifest.path.filename().string() + " (project " + manifest.name +
                       "): kubectl apply -f kubernetes.yaml\n";
    if (!out.unexpressed.empty()) {
        text += "# Not expressed here:\n" + comment_block(out.unexpressed);
    }
    out.files["kubernetes.yaml"] = text + body;
    return out;
}

} // namespace golaunch
