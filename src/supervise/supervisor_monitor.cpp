// The supervisor's side of the bind monitor: picking the backend, a session per launch, and
// turning each bind()/listen() into an event, a diagnosis, a warning or readiness.
#include "supervise/supervisor_impl.hpp"

#include "supervise/bind_diagnosis.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace golaunch {

namespace {

long long unix_us(std::chrono::system_clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

} // namespace

void Supervisor::Impl::choose_monitor() {
    std::string warning;
    m_monitor = create_bind_monitor(m_options.monitor, warning);
    if (!warning.empty()) {
        m_reporter.warn("", "monitor-fallback", warning);
    }
    m_monitor_kind = m_monitor                               ? m_monitor->kind()
                     : m_options.monitor == MonitorKind::off ? MonitorKind::off
                                                             : MonitorKind::poll;
    const std::string description =
        m_monitor ? m_monitor->description()
        : m_monitor_kind == MonitorKind::off
            ? "off: readiness polls the socket table, bind failures are not seen"
            : "polling the socket table every " + std::to_string(m_options.poll_interval.count()) +
                  "ms while services start (successes only; failures inferred)";
    m_reporter.event("monitor", "",
                     {{"kind", to_string(m_monitor_kind)}, {"description", description}});
    if (m_monitor) {
        m_reporter.debug("", "bind monitor: " + description);
    } else {
        m_reporter.info("", "bind monitor: " + description);
    }
}

// A session for this launch, or nullptr (then readiness polls). Sets the launcher's hook.
void Supervisor::Impl::prepare_monitoring(Service& entry) {
    entry.readiness.reset();
    entry.next_session.reset();
    entry.plan.run.child_hook = nullptr;
    if (!m_monitor) {
        return;
    }
    std::string why_not;
    auto session = m_monitor->prepare(
        entry.plan.run.executable.string(),
        [this, &entry, generation = entry.generation](const BindEvent& event) {
            // From the monitor's thread: hand it to the event loop.
            asio::post(m_io, [this, &entry, generation, event] {
                on_bind_event(entry, generation, event);
            });
        },
        why_not);
    if (!session) {
        m_reporter.warn(entry.spec->name, "not-monitored",
                        "not monitored: " + why_not +
                            "; readiness falls back to polling the socket table",
                        {{"reason", why_not}});
        return;
    }
    std::vector<DeclaredEndpoint> watched;
    std::copy_if(
        m_endpoints.begin(), m_endpoints.end(), std::back_inserter(watched),
        [&](const DeclaredEndpoint& endpoint) { return endpoint.service == entry.spec->name; });
    entry.readiness = monitored_readiness(std::move(watched));
    entry.plan.run.child_hook = session->child_hook();
    entry.next_session = std::move(session);
}

// After the launch: the new session replaces the previous run's (whose processes are gone).
bool Supervisor::Impl::attach_monitoring(Service& entry) {
    entry.plan.run.child_hook = nullptr;
    if (!entry.next_session) {
        entry.readiness.reset();
        return false;
    }
    try {
        entry.next_session->attach(entry.tree.id());
        entry.session = std::move(entry.next_session);
        return true;
    } catch (const Error& error) {
        m_reporter.warn(entry.spec->name, "not-monitored",
                        std::string(error.what()) +
                            "; readiness falls back to polling the socket table",
                        {{"reason", error.what()}});
        entry.next_session.reset();
        entry.readiness.reset();
        return false;
    }
}

void Supervisor::Impl::on_bind_event(Service& entry, int generation, const BindEvent& event) {
    if (generation != entry.generation || m_drained) {
        return;
    }
    const std::string& name = entry.spec->name;
    ++entry.bind_calls;
    nlohmann::json fields{{"call", to_string(event.call)},
                          {"pid", event.pid},
                          {"tid", event.tid},
                          {"protocol", to_string(event.protocol)},
                          {"address", event.address},
                          {"port", event.port},
                          {"errno", errno_name(event.error)},
                          {"error", event.error},
                          {"time_unix_us", unix_us(event.time)}};
    if (event.error != 0) {
        const auto diagnosis = diagnose_bind_failure(event, system_socket_table());
        entry.last_bind_failure = describe(event);
        fields["diagnosis"] = diagnosis.facts;
        fields["remedy"] = diagnosis.remedy;
        m_reporter.event("bind", name, fields);
        std::string text = diagnosis.message + " (pid " + std::to_string(event.pid) + ")";
        for (const auto& fact : diagnosis.facts) {
            text += "\n    " + fact;
        }
        if (!diagnosis.remedy.empty()) {
            text += "\n    fix: " + diagnosis.remedy;
        }
        m_reporter.error(name, text);
        const std::string error_name = errno_name(event.error);
        const bool declared =
            std::any_of(m_endpoints.begin(), m_endpoints.end(), [&](const DeclaredEndpoint& e) {
                return e.service == name && e.port == event.port;
            });
        if (declared &&
            (error_name == "EACCES" || error_name == "EPERM" || error_name == "WSAEACCES")) {
            feed(entry, service_event::BindRefused{describe(event)});
        }
        return;
    }
    m_reporter.event("bind", name, fields);
    m_reporter.debug(name, describe(event) + " (pid " + std::to_string(event.pid) + ")");
    if (!entry.readiness) {
        return;
    }
    const auto update = entry.readiness->on_bind_event(event);
    if (update.warning) {
        const auto& warning = *update.warning;
        nlohmann::json about{{"port", event.port}, {"address", event.address}, {"pid", event.pid}};
        if (!warning.expected_address.empty()) {
            about["expected_address"] = warning.expected_address;
        }
        m_reporter.warn(name, warning.id, warning.text, std::move(about));
    }
    if (update.became_ready && entry.state() == State::starting) {
        entry.ready_listen = event.steady;
        feed(entry, service_event::PortsListening{});
    }
}

// Hosts that resolve to one family while the service listens only on the other: clients of
// that name get "connection refused" (or wait on a fallback) although the service is up.
void Supervisor::Impl::check_host_families(const Service& entry) {
    if (!entry.readiness) {
        return;
    }
    for (const auto& host : entry.spec->hosts) {
        std::string address = "127.0.0.1";
        for (const auto& declared : m_manifest.hosts) {
            if (declared.name == host) {
                address = declared.address;
            }
        }
        const auto family =
            address.find(':') != std::string::npos ? AddressFamily::ipv6 : AddressFamily::ipv4;
        for (const auto& port : entry.spec->ports) {
            const auto number = m_ports.at(entry.spec->name).at(port.name);
            if (!entry.readiness->listens_on(number, family)) {
                m_reporter.warn(entry.spec->name, "host-family-mismatch",
                                host + " maps to " + address + " but port " +
                                    std::to_string(number) + " listens on " +
                                    (family == AddressFamily::ipv6 ? "IPv4" : "IPv6") +
                                    " only: clients using that name will not connect (listen on "
                                    "both, or map the name to the family it listens on)",
                                {{"host", host}, {"address", address}, {"port", number}});
            }
        }
    }
}

nlohmann::json Supervisor::Impl::readiness_fields(const Service& entry) const {
    const bool monitored = entry.readiness && !entry.readiness->polled();
    const MonitorKind kind = monitored && m_monitor               ? m_monitor->kind()
                             : m_monitor_kind == MonitorKind::off ? MonitorKind::off
                                                                  : MonitorKind::poll;
    nlohmann::json fields{{"monitor", to_string(kind)},
                          {"time_unix_us", unix_us(std::chrono::system_clock::now())}};
    if (monitored) {
        fields["listen_to_ready_us"] =
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - entry.ready_listen)
                .count();
    }
    return fields;
}

} // namespace golaunch
