// `watch` (run --watch, or watch = true on a go service): a change of a service's Go sources
// rebuilds it to .golaunch/bin/NAME.next while the old instance keeps serving. A failed build
// changes nothing (its compiler lines are in the log); a good one replaces the binary, then
// the service restarts through its machine (RestartRequested: the old tree must be gone, so
// its ports are free, before the new one starts) and the `rebuilt` event gives the build time
// and the downtime, old stop -> new ready. Only the services whose packages the changed file
// belongs to rebuild (watch_set.hpp); their dependents keep running unless watch_dependents.
// Services rebuild in parallel, up to one per core (the others queue; Go's build cache is safe
// for concurrent builds).
#include "supervise/supervisor_impl.hpp"

#include "platform/command_output.hpp"
#include "supervise/exit_status.hpp"
#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <set>
#include <thread>

namespace golaunch {

namespace {

constexpr std::size_t k_max_glob_dirs = 2000;

std::filesystem::path next_binary(const std::filesystem::path& binary) {
    return binary.string() + ".next";
}

} // namespace

void Supervisor::Impl::setup_watch() {
    std::vector<Service*> watched;
    for (const auto& name : m_order) {
        Service& entry = service(name);
        if (entry.plan.build && !m_options.skip_build && (m_options.watch || entry.spec->watch)) {
            watched.push_back(&entry);
        }
    }
    if (watched.empty()) {
        return;
    }
    try {
        m_file_watch = std::make_unique<FileWatch>(
            m_io, [this](const std::filesystem::path& path) { on_file_changed(path); });
    } catch (const Error& error) {
        m_reporter.warn("", "watch-unavailable", std::string("not watching: ") + error.what(),
                        {{"reason", error.what()}});
        return;
    }
    for (Service* entry : watched) {
        entry->watch_timer = std::make_unique<asio::steady_timer>(m_io);
        refresh_watch_set(*entry);
    }
}

// `go list -deps -json PKG` in the manifest's directory, as the build runs: the main module's
// packages it is built from. Then every directory they live in (and those of embedded files
// and of the globs) is watched.
void Supervisor::Impl::refresh_watch_set(Service& entry) {
    const std::string& name = entry.spec->name;
    const LaunchSpec& build = *entry.plan.build;
    const auto listed =
        run_command({build.executable.string(), "list", "-deps", "-json", entry.spec->go_package},
                    std::chrono::seconds(30), build.env, build.cwd);
    auto set = std::make_unique<WatchSet>();
    try {
        if (!listed.started || listed.timed_out || listed.exit_code != 0) {
            throw Error(listed.timed_out  ? std::string("it did not answer in 30 s")
                        : !listed.started ? listed.error
                                          : first_line(listed.err));
        }
        *set = watch_set_from_go_list(listed.out);
    } catch (const Error& error) {
        // Its own directory at least (a syntax error in go.mod, say: fixing it is a change).
        set->dirs.insert((m_manifest.root_dir / entry.spec->go_package).lexically_normal());
        set->files.insert(m_manifest.root_dir / "go.mod");
        m_reporter.warn(name, "watch-list-failed",
                        "`go list -deps -json " + entry.spec->go_package + "` failed (" +
                            error.what() + "): watching its own directory and go.mod only",
                        {{"reason", error.what()}});
    }
    add_globs(*set, m_manifest.root_dir, entry.spec->watch_globs);
    std::set<std::filesystem::path> dirs = set->dirs;
    for (const auto& file : set->files) {
        dirs.insert(file.parent_path());
    }
    for (const auto& glob : entry.spec->watch_globs) {
        const auto base = (m_manifest.root_dir / glob_base(glob)).lexically_normal();
        std::error_code error;
        if (!std::filesystem::is_directory(base, error)) {
            continue;
        }
        dirs.insert(base);
        for (auto it = std::filesystem::recursive_directory_iterator(
                 base, std::filesystem::directory_options::skip_permission_denied, error);
             !error && it != std::filesystem::recursive_directory_iterator() &&
             dirs.size() < k_max_glob_dirs;
             it.increment(error)) {
            const auto leaf = it->path().filename();
            if (it->is_directory(error) && (leaf == ".golaunch" || leaf == ".git")) {
                it.disable_recursion_pending();
            } else if (it->is_directory(error)) {
                dirs.insert(it->path());
            }
        }
    }
    for (const auto& dir : dirs) {
        std::error_code error;
        if (!std::filesystem::is_directory(dir, error)) {
            continue;
        }
        try {
            m_file_watch->add(dir);
        } catch (const Error& failure) {
            m_reporter.warn(name, "watch-unavailable", failure.what(),
                            {{"reason", failure.what()}, {"dir", dir.string()}});
            break;
        }
    }
    m_reporter.event(
        "watching", name,
        {{"packages", set->packages}, {"dirs", dirs.size()}, {"globs", set->glob_texts}},
        "watching " + std::to_string(set->packages.size()) + " package(s) in " +
            std::to_string(dirs.size()) + " directories" +
            (set->glob_texts.empty() ? "" : " and " + join(set->glob_texts, ", ")));
    entry.watch = std::move(set);
}

void Supervisor::Impl::on_file_changed(const std::filesystem::path& path) {
    if (m_stopping) {
        return;
    }
    for (const auto& name : m_order) {
        Service& entry = service(name);
        if (!entry.watch || !is_relevant(*entry.watch, path)) {
            continue;
        }
        if (entry.watch_changed.empty()) {
            entry.watch_changed = path;
        }
        // Quiet for watch_debounce after the last change (an editor's save is several events,
        // `git checkout` many), then one rebuild.
        entry.watch_timer->expires_after(entry.spec->watch_debounce);
        entry.watch_timer->async_wait([this, &entry](const boost::system::error_code& ec) {
            if (!ec) {
                rebuild(entry);
            }
        });
    }
}

void Supervisor::Impl::rebuild(Service& entry) {
    if (m_stopping) {
        return;
    }
    if (entry.rebuild) {
        entry.rebuild_again = true; // once this one ends
        return;
    }
    const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    if (m_rebuilds_running >= cores) {
        entry.rebuild_queued = true; // started when a running rebuild ends
        return;
    }
    const State state = entry.state();
    if (state == State::pending || state == State::building || state == State::built) {
        return; // its first build has not run yet, or runs now
    }
    const std::string& name = entry.spec->name;
    LaunchSpec spec = *entry.plan.build;
    spec.cgroup = nullptr; // not the service's group: stopping the old instance must not end it
    spec.child_hook = nullptr;
    const auto binary = built_binary_path(m_manifest, name);
    const auto out = std::find(spec.args.begin(), spec.args.end(), "-o");
    if (out != spec.args.end() && out + 1 != spec.args.end()) {
        *(out + 1) = next_binary(binary).string();
    }
    const auto changed = entry.watch_changed.lexically_relative(m_manifest.root_dir).string();
    entry.watch_changed.clear();
    m_reporter.event("rebuilding", name, {{"changed", changed}},
                     "rebuilding: " + changed + " changed");
    entry.rebuild_started = Clock::now();
    try {
        entry.rebuild = launch_process(m_io, spec);
    } catch (const Error& error) {
        m_reporter.error(name, std::string("cannot rebuild: ") + error.what());
        return;
    }
    ++m_rebuilds_running;
    if (!entry.rebuild->tree.contained()) {
        m_guard->watch_group(entry.rebuild->tree.id());
    }
    attach_output(entry, name, *entry.rebuild);
    entry.rebuild->process.async_wait([this, &entry](boost::system::error_code, int) {
        on_rebuild_exit(entry, entry.rebuild->process.native_exit_code());
    });
}

void Supervisor::Impl::on_rebuild_exit(Service& entry, int native_status) {
    const std::string& name = entry.spec->name;
    m_guard->forget_group(entry.rebuild->tree.id());
    // Not destroyed inside its own completion handler: released once the handler returned.
    asio::post(m_io, [process = std::shared_ptr<LaunchedProcess>(std::move(entry.rebuild))] {});
    --m_rebuilds_running;
    const long long took = elapsed_ms(entry.rebuild_started);
    if (m_stopping) {
        return;
    }
    for (const auto& other : m_order) { // a core is free: the first one waiting for it
        if (service(other).rebuild_queued) {
            service(other).rebuild_queued = false;
            asio::post(m_io, [this, &waiting = service(other)] { rebuild(waiting); });
            break;
        }
    }
    const auto binary = built_binary_path(m_manifest, name);
    if (!exited_successfully(native_status)) {
        m_reporter.event(
            "rebuild_failed", name, {{"build_ms", took}, {"status", describe_exit(native_status)}},
            "rebuild failed (" + describe_exit(native_status) + ", " +
                format_duration(Duration(took)) + "): " +
                (running(entry) ? "the old instance keeps serving" : "it starts once it builds"),
            2);
    } else {
        std::error_code error;
        std::filesystem::rename(next_binary(binary), binary, error);
        if (error && running(entry)) {
            entry.swap_pending = true; // Windows: once the old instance has exited
            error.clear();
        }
        if (error) {
            m_reporter.error(name, "cannot put the new binary in place: " + error.message());
        } else {
            entry.rebuild_ms = took;
            entry.swap_started = Clock::now();
            if (entry.state() == State::stopped) {
                m_reporter.info(name, "rebuilt; stopped on request, so not started");
                entry.swap_started.reset();
            } else {
                // watch_dependents: its dependents restart too, after it (they start again
                // once it is ready), as `golaunch restart --with-dependents`.
                std::set<std::string> targets{name};
                if (entry.spec->watch_dependents) {
                    const auto dependents = dependents_of(name);
                    targets.insert(dependents.begin(), dependents.end());
                }
                for (const auto& other : m_order) {
                    if (targets.count(other) != 0) {
                        feed(service(other), service_event::RestartRequested{});
                    }
                }
                start_ready_services();
            }
        }
    }
    if (entry.rebuild_again) {
        entry.rebuild_again = false;
        rebuild(entry);
    }
}

// Before a launch: the binary a rebuild left waiting (the old instance held it) goes in place.
void Supervisor::Impl::put_new_binary_in_place(Service& entry) {
    if (!entry.swap_pending) {
        return;
    }
    entry.swap_pending = false;
    const auto binary = built_binary_path(m_manifest, entry.spec->name);
    std::error_code error;
    std::filesystem::rename(next_binary(binary), binary, error);
    if (error) {
        m_reporter.error(entry.spec->name, "cannot put the new binary in place (" +
                                               error.message() + "): starting the old one");
    }
}

// At ready: the new instance of a rebuild serves.
void Supervisor::Impl::report_rebuilt(Service& entry) {
    if (!entry.swap_started) {
        return;
    }
    const double downtime = elapsed_ms_precise(*entry.swap_started);
    entry.swap_started.reset();
    m_reporter.event("rebuilt", entry.spec->name,
                     {{"build_ms", entry.rebuild_ms}, {"downtime_ms", downtime}},
                     "rebuilt in " + format_duration(Duration(entry.rebuild_ms)) +
                         ", serving again " + std::to_string(static_cast<long long>(downtime)) +
                         "ms after the old instance was asked to stop");
}

} // namespace golaunch
