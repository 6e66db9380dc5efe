#include "supervise/service_readiness.hpp"

#include "supervise/readiness.hpp"

#include <algorithm>

namespace golaunch {

namespace {

class MonitoredReadiness final : public ServiceReadiness {
  public:
    explicit MonitoredReadiness(std::vector<DeclaredEndpoint> ports)
        : m_tracker(std::move(ports)) {}

    bool polled() const override { return false; }
    bool poll() override { return m_tracker.ready(); }
    ListenTracker::Update on_bind_event(const BindEvent& event) override {
        return m_tracker.on_event(event);
    }
    bool ready() const override { return m_tracker.ready(); }
    std::vector<std::string> listening() const override { return m_tracker.listening(); }
    std::vector<std::uint16_t> missing_ports() const override { return m_tracker.missing_ports(); }
    bool listens_on(std::uint16_t port, AddressFamily family) const override {
        return m_tracker.listens_on(port, family);
    }

  private:
    ListenTracker m_tracker;
};

class PolledReadiness final : public ServiceReadiness {
  public:
    PolledReadiness(const SocketTable& table, pid_t service_pid, std::vector<std::uint16_t> ports,
                    std::function<bool(pid_t)> member)
        : m_probe(table, service_pid, std::move(ports), std::move(member)) {}

    bool polled() const override { return true; }
    bool poll() override {
        m_ready = m_probe.poll();
        return m_ready;
    }
    ListenTracker::Update on_bind_event(const BindEvent&) override { return {}; }
    bool ready() const override { return m_ready; }
    std::vector<std::string> listening() const override {
        std::vector<std::string> where;
        for (const auto& [port, listeners] : m_probe.listeners()) {
            for (const auto& listener : listeners) {
                if (listener.ours) {
                    where.push_back(listener.family == AddressFamily::ipv6
                                        ? "[" + listener.address + "]:" + std::to_string(port)
                                        : listener.address + ":" + std::to_string(port));
                }
            }
        }
        return where;
    }
    std::vector<std::uint16_t> missing_ports() const override { return m_probe.missing_ports(); }
    bool listens_on(std::uint16_t port, AddressFamily family) const override {
        const auto found = m_probe.listeners().find(port);
        if (found == m_probe.listeners().end()) {
            return false;
        }
        return std::any_of(found->second.begin(), found->second.end(), [&](const auto& l) {
            return l.ours &&
                   (l.family == family || (l.family == AddressFamily::ipv6 && l.address == "::" &&
                                           family == AddressFamily::ipv4));
        });
    }

  private:
    ReadinessProbe m_probe;
    bool m_ready = false;
};

} // namespace

std::unique_ptr<ServiceReadiness> monitored_readiness(std::vector<DeclaredEndpoint> ports) {
    return std::make_unique<MonitoredReadiness>(std::move(ports));
}

std::unique_ptr<ServiceReadiness> polled_readiness(const SocketTable& table, pid_t service_pid,
                                                   std::vector<std::uint16_t> ports,
                                                   std::function<bool(pid_t)> member) {
    return std::make_unique<PolledReadiness>(table, service_pid, std::move(ports),
                                             std::move(member));
}

} // namespace golaunch
