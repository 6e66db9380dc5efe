#include "supervise/supervisor.hpp"

#include "instance/private_dir.hpp"
#include "manifest/dependency_order.hpp"
#include "supervise/supervisor_impl.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace golaunch {

Supervisor::Supervisor(const Manifest& manifest, PortAssignments ports, RunOptions options,
                       Reporter& reporter)
    : m_impl(std::make_unique<Impl>(manifest, std::move(ports), std::move(options), reporter)) {}

Supervisor::~Supervisor() = default;

int Supervisor::run() {
    return m_impl->run();
}

int Supervisor::Impl::run() {
    m_order = dependency_order(m_manifest, m_options.selected);
    m_reporter.set_services(m_order);
    plan_all();
    check_build_outputs();

    Duration longest_grace{0};
    for (const auto& name : m_order) {
        longest_grace = std::max(longest_grace, service(name).spec->stop_grace);
    }
    choose_monitor(); // before SIGCHLD is watched: it forks a probe child and waits for it
    become_child_subreaper();
    m_guard = std::make_unique<OrphanGuard>(longest_grace);
    watch_signals();
    watch_sigchld();

    m_reporter.event("starting", "",
                     {{"manifest", m_manifest.path.string()}, {"services", m_order}},
                     "starting " + join(m_order, ", ") + " from " + m_manifest.path.string());
    asio::post(m_io, [this] { build_next(); });
    m_io.run();
    m_guard.reset();
    return m_exit_code;
}

void Supervisor::Impl::plan_all() {
    const auto base_env = current_environment();
    for (const auto& name : m_order) {
        auto entry = std::make_unique<Service>(m_io);
        entry->spec = m_manifest.find_service(name);
        entry->plan =
            plan_service(m_manifest, *entry->spec, m_ports, base_env, current_process_id());
        entry->restarts = std::make_unique<RestartTracker>(
            entry->spec->restart, entry->spec->max_restarts, entry->spec->backoff);
        m_services.emplace(name, std::move(entry));
    }
}

// Before anything starts: the binaries `go build -o .golaunch/bin/NAME` writes (or, with
// --skip-build, that are run), their folder and the build cache are never reached through a
// link (instance/private_dir.hpp). Go itself would follow one (a dangling bin/NAME is created).
void Supervisor::Impl::check_build_outputs() {
    for (const auto& name : m_order) {
        if (!service(name).plan.build) {
            continue;
        }
        const auto binary = built_binary_path(m_manifest, name);
        if (m_options.skip_build) {
            check_private_dirs(binary.parent_path());
        } else {
            ensure_private_dir(binary.parent_path());
            refuse_link(m_manifest.root_dir / ".golaunch" / "go-cache");
        }
        refuse_link(binary);
    }
}

// ---------------------------------------------------------------- plumbing

void Supervisor::Impl::attach_output(Service& entry, const std::string& label) {
    entry.readers.clear();
    for (auto* pipe : {&entry.process->out, &entry.process->err}) {
        const std::string stream = pipe == &entry.process->out ? "stdout" : "stderr";
        ++m_open_readers;
        auto reader = std::make_shared<LineReader>(
            std::move(*pipe),
            [this, &entry, label, stream](const std::string& line) {
                entry.recent.push_back(line);
                if (entry.recent.size() > k_recent_lines) {
                    entry.recent.pop_front();
                }
                m_reporter.service_line(label, stream, line);
            },
            [this] { --m_open_readers; });
        reader->start();
        entry.readers.push_back(reader);
    }
}

void Supervisor::Impl::watch_signals() {
    m_signals.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec || m_drained) {
            return; // a completion queued before cancel() must not re-arm the wait
        }
        if (m_stopping) {
            m_reporter.warn("",
                            "second " + stop_signal_name(signo) + ": killing every service now");
            kill_everything();
        } else {
            shutdown(128 + signo, stop_signal_reason(signo));
        }
        watch_signals();
    });
}

void Supervisor::Impl::watch_sigchld() {
    m_sigchld.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec || m_drained) {
            return; // a completion queued before cancel() must not re-arm the wait
        }
        reap_orphans(owned_pids());
        watch_sigchld();
    });
}

std::vector<int> Supervisor::Impl::owned_pids() const {
    std::vector<int> pids;
    for (const auto& [name, entry] : m_services) {
        if (entry->process_running) {
            pids.push_back(entry->tree.id());
        }
    }
    if (m_guard) {
        pids.push_back(m_guard->pid());
    }
    return pids;
}

} // namespace golaunch
