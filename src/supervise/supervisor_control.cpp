// What `golaunch ps|stop|restart|start|logs` ask of this run through its control socket
// (control_server.hpp), answered from the event loop. Requests become events of the services'
// machines (StopRequested, RestartRequested, StartRequested), fed in dependency order: a stop
// stops dependents first, a restart or start feeds dependencies first, so that a dependent
// started again waits for what it needs to be ready. Dependents keep running unless
// --with-dependents asks otherwise.
#include "supervise/supervisor_impl.hpp"

#include "instance/private_dir.hpp"
#include "supervise/launch_platform.hpp"
#include "util/strings.hpp"
#include "util/time_text.hpp"

#include <algorithm>
#include <set>

namespace golaunch {

void Supervisor::Impl::open_control() {
    auto control = std::make_unique<ControlServer>(m_io, *this, m_logs);
    const auto dir = m_manifest.root_dir / ".golaunch";
    try {
        ensure_private_dir(dir);
        control->open_socket(dir / "control.sock");
    } catch (const std::exception& error) {
        m_reporter.warn("", "control-unavailable",
                        std::string("no control socket (`golaunch ps`, `restart`, `logs` will not "
                                    "reach this run): ") +
                            error.what(),
                        {{"reason", error.what()}});
    }
    std::string url;
    if (m_options.dashboard_port) {
        try {
            url = control->open_dashboard(*m_options.dashboard_port);
        } catch (const std::exception& error) {
            m_reporter.warn("", "dashboard-unavailable",
                            std::string("no dashboard: ") + error.what(),
                            {{"reason", error.what()}});
        }
    }
    if (control->path().empty() && url.empty()) {
        return; // no door open: nothing to feed
    }
    m_control = std::move(control);
    m_reporter.set_event_tap([this](const nlohmann::json& event) {
        if (m_control) {
            m_control->publish_event(event);
        }
    });
    if (!url.empty()) {
        m_reporter.event("dashboard", "", {{"url", url}}, "dashboard: " + url);
    }
}

bool Supervisor::Impl::has_service(const std::string& name) const {
    return m_services.count(name) != 0;
}

nlohmann::json Supervisor::Impl::services() {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& name : m_order) {
        const Service& entry = service(name);
        nlohmann::json ports = nlohmann::json::object();
        if (const auto found = m_ports.find(name); found != m_ports.end()) {
            for (const auto& [port_name, number] : found->second) {
                ports[port_name] = number;
            }
        }
        const bool alive = running(entry) || (entry.tree.alive() && !entry.tree.empty());
        nlohmann::json health = nullptr;
        if (entry.spec->health.enabled) {
            health = entry.health_failures == 0
                         ? std::string("ok")
                         : "failing (" + std::to_string(entry.health_failures) + " in a row)";
        }
        list.push_back(
            {{"name", name},
             {"state", to_string(entry.state())},
             {"pid", alive ? nlohmann::json(entry.tree.id()) : nlohmann::json(nullptr)},
             {"ports", ports},
             {"ready_at", entry.ready_at ? nlohmann::json(iso8601_utc(*entry.ready_at, true))
                                         : nlohmann::json(nullptr)},
             {"ready_for_ms",
              entry.ready_at && entry.state() == State::ready
                  ? nlohmann::json(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now() - *entry.ready_at)
                                       .count())
                  : nlohmann::json(nullptr)},
             {"restarts", entry.machine.restarts().restarts()},
             {"health", health},
             {"daemonized", entry.machine.daemonized()},
             {"depends_on", entry.spec->depends_on}});
    }
    return {{"manifest", m_manifest.path.string()},
            {"golaunch_pid", current_process_id()},
            {"stopping", m_stopping},
            {"services", list}};
}

// Every service of this run that needs `name`, directly or through others.
std::vector<std::string> Supervisor::Impl::dependents_of(const std::string& name) const {
    std::set<std::string> found{name};
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& other : m_order) {
            const auto& deps = m_services.at(other)->spec->depends_on;
            if (found.count(other) == 0 &&
                std::any_of(deps.begin(), deps.end(),
                            [&](const auto& d) { return found.count(d) != 0; })) {
                found.insert(other);
                changed = true;
            }
        }
    }
    found.erase(name);
    return {found.begin(), found.end()};
}

// Everything `name` needs, directly or through others (within this run).
std::vector<std::string> Supervisor::Impl::dependencies_of(const std::string& name) const {
    std::set<std::string> found;
    std::vector<std::string> todo{name};
    while (!todo.empty()) {
        const std::string next = todo.back();
        todo.pop_back();
        for (const auto& dep : m_services.at(next)->spec->depends_on) {
            if (m_services.count(dep) != 0 && found.insert(dep).second) {
                todo.push_back(dep);
            }
        }
    }
    return {found.begin(), found.end()};
}

ControlReply Supervisor::Impl::command(const std::string& verb, const std::string& name,
                                       bool with_dependents) {
    if (!has_service(name)) {
        return {404,
                {{"error", "no service " + name +
                               " in this run (its services: " + join(m_order, ", ") + ")"}}};
    }
    if (m_stopping) {
        return {409, {{"error", "golaunch is stopping"}}};
    }
    std::set<std::string> targets{name};
    if (with_dependents) {
        const auto dependents = dependents_of(name);
        targets.insert(dependents.begin(), dependents.end());
    }
    if (verb == "start") {
        const auto needed = dependencies_of(name);
        targets.insert(needed.begin(), needed.end());
    }
    std::vector<std::string> ordered;
    std::copy_if(m_order.begin(), m_order.end(), std::back_inserter(ordered),
                 [&](const std::string& n) { return targets.count(n) != 0; });
    if (verb == "stop") {
        std::reverse(ordered.begin(), ordered.end()); // dependents first
    }
    m_reporter.event(
        "control", name,
        {{"command", verb}, {"with_dependents", with_dependents}, {"services", ordered}},
        verb + " requested through the control socket" +
            (ordered.size() > 1 ? " (" + join(ordered, ", ") + ")" : ""));
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& target : ordered) {
        Service& entry = service(target);
        const std::string before = to_string(entry.state());
        if (verb == "stop") {
            feed(entry, service_event::StopRequested{});
        } else if (verb == "restart") {
            feed(entry, service_event::RestartRequested{});
        } else {
            feed(entry, service_event::StartRequested{});
        }
        changes.push_back(
            {{"name", target}, {"before", before}, {"state", to_string(entry.state())}});
    }
    start_ready_services();
    return {200, {{"command", verb}, {"services", changes}}};
}

void Supervisor::Impl::report_stopped(Service& entry) {
    const std::string& name = entry.spec->name;
    forget_dead_tree(entry);
    m_reporter.event("stopped_on_request", name, nlohmann::json::object(),
                     "stopped; `golaunch start " + name + "` starts it again");
    tell_waiting_dependents(entry, "stopped on request");
}

} // namespace golaunch
