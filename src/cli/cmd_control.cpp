#include "cli/cmd_control.hpp"

#include "cli/control_client.hpp"
#include "cli/manifest_args.hpp"
#include "supervise/reporter.hpp"
#include "util/color.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <set>

namespace golaunch {

namespace {

struct Project {
    ManifestPathArgs args;
    ControlClient client;
};

Project project_of(const ControlCommandOptions& options) {
    auto args = split_manifest_args(options.positionals);
    const auto root = std::filesystem::absolute(args.manifest).parent_path();
    return {std::move(args), ControlClient(root)};
}

nlohmann::json parse_body(const std::string& body) {
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_discarded()) {
        throw Error("the running golaunch answered something that is not JSON: " + body);
    }
    return parsed;
}

// An error answer (4xx) as golaunch's error: an unknown service is a usage error (exit 2).
[[noreturn]] void throw_answer(unsigned status, const std::string& body) {
    const auto parsed = nlohmann::json::parse(body, nullptr, false);
    const std::string message = !parsed.is_discarded() && parsed.contains("error")
                                    ? parsed["error"].get<std::string>()
                                    : "the running golaunch answered " + std::to_string(status);
    throw Error(message, status == 404 ? ExitCode::usage : ExitCode::service_failed,
                status == 404 ? "`golaunch ps` lists the services of the run" : "");
}

nlohmann::json fetch_services(const ControlClient& client) {
    const auto response = client.request("GET", "/services");
    if (response.status != 200) {
        throw_answer(response.status, response.body);
    }
    return parse_body(response.body);
}

std::vector<std::string> names_of(const nlohmann::json& services) {
    std::vector<std::string> names;
    for (const auto& service : services["services"]) {
        names.push_back(service["name"].get<std::string>());
    }
    return names;
}

void require_known(const std::vector<std::string>& wanted, const nlohmann::json& services) {
    const auto names = names_of(services);
    for (const auto& name : wanted) {
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            const auto close = closest_match(name, names);
            throw usage_error(
                "no service " + name +
                    " in the running golaunch (its services: " + join(names, ", ") + ")",
                close.empty() ? "`golaunch ps` lists them" : "did you mean " + close + "?");
        }
    }
}

std::string ports_text(const nlohmann::json& ports) {
    std::vector<std::string> parts;
    for (const auto& [name, number] : ports.items()) {
        parts.push_back(name + "=" + std::to_string(number.get<int>()));
    }
    return parts.empty() ? "-" : join(parts, ",");
}

} // namespace

int run_ps(const ControlCommandOptions& options) {
    const auto project = project_of(options);
    const auto services = fetch_services(project.client);
    if (options.json) {
        std::cout << services.dump(2) << "\n";
        return 0;
    }
    std::vector<std::vector<std::string>> rows{
        {"NAME", "STATE", "PID", "PORTS", "UP", "RESTARTS", "HEALTH"}};
    for (const auto& service : services["services"]) {
        const bool up = service["ready_for_ms"].is_number();
        rows.push_back(
            {service["name"].get<std::string>(), service["state"].get<std::string>(),
             service["pid"].is_null() ? "-" : std::to_string(service["pid"].get<long long>()),
             ports_text(service["ports"]),
             up ? format_duration(Duration(service["ready_for_ms"].get<long long>())) : "-",
             std::to_string(service["restarts"].get<int>()),
             service["health"].is_null() ? "-" : service["health"].get<std::string>()});
    }
    std::cout << render_columns(rows);
    return 0;
}

int run_service_command(const std::string& verb, const ControlCommandOptions& options) {
    const auto project = project_of(options);
    const auto& wanted = project.args.services;
    if (wanted.empty()) {
        throw usage_error("name the services to " + verb,
                          "golaunch " + verb + " [app.toml] SERVICE... (`golaunch ps` lists them)");
    }
    require_known(wanted, fetch_services(project.client));
    // Opened before the request, so that no event it causes is missed.
    std::optional<ControlStream> events;
    if (!options.no_wait) {
        events.emplace(project.client.stream("/events"));
    }
    std::set<std::string> waiting;
    for (const auto& name : wanted) {
        const auto response = project.client.request(
            "POST", "/services/" + url_encode(name) + "/" + verb +
                        (options.with_dependents ? "?with_dependents=1" : ""));
        if (response.status != 200) {
            throw_answer(response.status, response.body);
        }
        const auto answer = parse_body(response.body); // outlives the loop below
        for (const auto& change : answer["services"]) {
            const auto service = change["name"].get<std::string>();
            const auto before = change["before"].get<std::string>();
            const auto after = change["state"].get<std::string>();
            std::cout << verb << " " << service << ": " << before
                      << (after == before ? " (unchanged)" : " -> " + after) << "\n";
            const bool done =
                verb == "stop" ? after == "stopped" || after == before : after == "ready";
            if (!done) {
                waiting.insert(service);
            }
        }
    }
    std::cout.flush();
    int code = 0;
    std::string line;
    while (events && !waiting.empty() && events->read_line(line)) {
        const auto event = nlohmann::json::parse(line, nullptr, false);
        if (event.is_discarded() || !event.contains("event")) {
            continue;
        }
        const auto name = event["event"].get<std::string>();
        const auto service = event.value("service", "");
        if (name == "stopping" && service.empty()) {
            throw Error("the run is stopping (" + event.value("reason", "") + ") before " +
                        join({waiting.begin(), waiting.end()}, ", ") + " got there");
        }
        if (waiting.count(service) == 0) {
            continue;
        }
        if ((name == "ready" && verb != "stop") ||
            (name == "stopped_on_request" && verb == "stop")) {
            std::cout << service << ": " << (name == "ready" ? "ready" : "stopped")
                      << (event.contains("pid") ? " (pid " + event["pid"].dump() + ")" : "") << "\n"
                      << std::flush;
            waiting.erase(service);
        } else if (name == "gave_up" || name == "abandoned") {
            std::cout << service << ": " << (name == "gave_up" ? "gave up" : "abandoned") << ": "
                      << event.value("reason", event.value("dependency", "")) << "\n"
                      << std::flush;
            waiting.erase(service);
            code = static_cast<int>(ExitCode::service_failed);
        }
    }
    if (!waiting.empty() && events) {
        throw Error("the run ended before " + join({waiting.begin(), waiting.end()}, ", ") +
                    " got there");
    }
    return code;
}

int run_logs(const ControlCommandOptions& options) {
    const auto project = project_of(options);
    const auto services = fetch_services(project.client);
    require_known(project.args.services, services);
    std::string target = "/logs?n=" + std::to_string(std::max(0, options.lines));
    for (const auto& name : project.args.services) {
        target += "&service=" + url_encode(name);
    }
    if (options.follow) {
        target += "&follow=1";
    }
    auto stream = project.client.stream(target);
    if (stream.status() != 200) {
        throw_answer(stream.status(), stream.rest());
    }
    std::optional<Reporter> reporter;
    if (!options.json) {
        reporter.emplace(OutputMode::text, should_use_color(stdout), false, false);
        reporter->set_services(names_of(services));
    }
    std::string line;
    while (stream.read_line(line)) {
        if (options.json) {
            std::cout << line << "\n" << std::flush;
            continue;
        }
        const auto entry = nlohmann::json::parse(line, nullptr, false);
        if (entry.is_discarded()) {
            continue;
        }
        reporter->service_line(entry.value("service", "?"), entry.value("stream", "stdout"),
                               entry.value("line", ""));
    }
    return 0;
}

} // namespace golaunch
