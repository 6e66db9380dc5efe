#include "preflight/privileged_port_advice.hpp"

#include "manifest/interpolate.hpp"
#include "platform/command_output.hpp"

#include <cstdlib>
#include <filesystem>

namespace golaunch {

namespace {

constexpr const char* k_shell = "/bin/sh"; // what golaunch runs a `shell` service with

std::string capability_advice(const PrivilegedBind& bind, const std::string& sudo) {
    if (bind.kind == LaunchKind::go) {
        return "file capabilities are no way out for a `go` service: golaunch rebuilds " +
               bind.launched + ", and a new file has none";
    }
    const bool direct = bind.caller.empty() || bind.caller == bind.launched;
    if (!direct && !bind.caller_no_new_privs) {
        // Root's golaunch sets no NO_NEW_PRIVS: exec honours the capability wherever it is.
        return "or give the program that binds the capability: `" + sudo +
               "setcap cap_net_bind_service=+ep " + bind.caller + "`";
    }
    if (bind.kind == LaunchKind::cmd && direct) {
        return "or give the program the capability: `" + sudo + "setcap cap_net_bind_service=+ep " +
               bind.launched + "` (golaunch then starts " + bind.launched +
               " without its bind monitor, whose NO_NEW_PRIVS would cancel it; this helps when " +
               bind.launched + " itself binds the port)";
    }
    return "file capabilities cannot help here: golaunch starts " + bind.launched +
           ", and what that starts runs under golaunch's bind monitor (NO_NEW_PRIVS), which "
           "makes exec ignore them; to use them, run the program that binds directly as "
           "`cmd = [...]`";
}

} // namespace

std::string privileged_port_remedy(const PrivilegedBind& bind) {
    const std::string sudo = bind.root ? "" : "sudo ";
    const std::string port = std::to_string(bind.port);
    std::string remedy = "pick a port >= " + std::to_string(bind.unprivileged_port_start) +
                         " (a reverse proxy can forward :" + port +
                         " to it); or let every user bind ports from " + port + " up: `" + sudo +
                         "sysctl -w net.ipv4.ip_unprivileged_port_start=" + port + "`";
    if (!bind.launched.empty()) {
        remedy += "; " + capability_advice(bind, sudo);
    }
    return remedy;
}

LaunchKind launch_kind_of(const std::string& launched) {
    if (launched.find("/.golaunch/bin/") != std::string::npos) {
        return LaunchKind::go;
    }
    const std::string name = std::filesystem::path(launched).filename().string();
    for (const char* shell : {"sh", "bash", "dash", "zsh", "ksh", "mksh", "fish"}) {
        if (name == shell) {
            return LaunchKind::shell;
        }
    }
    return LaunchKind::cmd;
}

PrivilegedBind privileged_bind_of(const Manifest& manifest, const ServiceSpec& service) {
    PrivilegedBind bind;
    if (!service.go_package.empty()) {
        bind.kind = LaunchKind::go;
        bind.launched = (manifest.root_dir / ".golaunch" / "bin" / service.name).string();
        return bind;
    }
    if (!service.shell.empty() || service.cmd.empty()) {
        bind.kind = LaunchKind::shell;
        bind.launched = k_shell;
        return bind;
    }
    bind.kind = LaunchKind::cmd;
    std::string program = service.cmd.front();
    try {
        program = interpolate(program, service.name, declared_ports(manifest));
    } catch (const std::exception&) {
        // named as written
    }
    if (program.find('/') != std::string::npos) {
        const std::filesystem::path path(program);
        bind.launched = path.is_absolute()
                            ? program
                            : (manifest.root_dir / service.dir / path).lexically_normal().string();
    } else {
        const char* path = std::getenv("PATH");
        const std::string found = find_in_path(program, path ? path : "");
        bind.launched = found.empty() ? program : found;
    }
    bind.kind = launch_kind_of(bind.launched);
    return bind;
}

} // namespace golaunch
