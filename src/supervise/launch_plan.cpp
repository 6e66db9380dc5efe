#include "supervise/launch_plan.hpp"

#include "manifest/env_file.hpp"
#include "manifest/interpolate.hpp"
#include "manifest/project_id.hpp"
#include "manifest/reserved_env.hpp"
#include "platform/admin_commands.hpp"
#include "platform/process_info.hpp"
#include "util/error.hpp"

#include <algorithm>

namespace golaunch {

namespace {

// Sets KEY=VALUE in `env`, replacing an earlier value of KEY.
// The key of a "KEY=VALUE" entry.
std::string_view env_key(const std::string& entry) {
    return std::string_view(entry).substr(0, entry.find('='));
}

// Sets KEY=VALUE in `env`, replacing an earlier value of KEY (on Windows whatever its case:
// setting PATH replaces Path).
void set_env(std::vector<std::string>& env, const std::string& key, const std::string& value) {
    env.erase(std::remove_if(env.begin(), env.end(),
                             [&](const std::string& entry) {
                                 return entry.find('=') != std::string::npos &&
                                        same_env_key(env_key(entry), key);
                             }),
              env.end());
    env.push_back(key + "=" + value);
}

bool has_env(const std::vector<std::string>& env, const std::string& key) {
    return std::any_of(env.begin(), env.end(), [&](const std::string& entry) {
        const auto equals = entry.find('=');
        return equals != std::string::npos && equals + 1 < entry.size() &&
               same_env_key(env_key(entry), key);
    });
}

std::filesystem::path resolve_program(const std::string& program, const std::filesystem::path& cwd,
                                      const Manifest& manifest, const std::vector<std::string>& env,
                                      const std::string& service, ProgramLookup lookup) {
    if (names_a_path(program)) {
        const std::filesystem::path path(program);
        return path.is_absolute() ? path : (cwd / path).lexically_normal();
    }
    std::vector<std::filesystem::path> local_dirs{cwd};
    if (manifest.root_dir.lexically_normal() != cwd) {
        local_dirs.push_back(manifest.root_dir);
    }
    auto found = find_program(program, env, local_dirs);
    if (found.empty() && lookup == ProgramLookup::as_written) {
        return program; // for another machine, whose PATH decides
    }
    if (found.empty()) {
        const bool windows = executable_suffix()[0] != '\0';
        throw Error(
            "service '" + service + "': program '" + program + "' not found " +
                (windows ? "in the service's directory, the manifest's, or on PATH" : "on PATH"),
            ExitCode::service_failed,
            program == "go" ? install_go_instruction()
                            : "install it, or give its full path in cmd");
    }
    return found;
}

} // namespace

std::filesystem::path built_binary_path(const Manifest& manifest, const std::string& service) {
    return manifest.root_dir / ".golaunch" / "bin" / (service + executable_suffix());
}

ServicePlan plan_service(const Manifest& manifest, const ServiceSpec& service,
                         const PortAssignments& ports, const std::vector<std::string>& base_env,
                         int golaunch_pid, ProgramLookup lookup) {
    ServicePlan plan;
    plan.service = service.name;
    const auto& own_ports = ports.at(service.name);
    for (const auto& port : service.ports) {
        plan.ports.push_back(own_ports.at(port.name));
    }

    std::vector<std::string> env = base_env;
    if (!service.env_file.empty()) {
        for (const auto& [key, value] : load_env_file(manifest.root_dir / service.env_file)) {
            set_env(env, key, value);
        }
    }
    for (const auto& [key, value] : service.env) {
        set_env(env, key, interpolate(value, service.name, ports));
    }
    // Set after the manifest's env, whose keys cannot name these (manifest/reserved_env.hpp).
    if (!service.ports.empty()) {
        set_env(env, "PORT", std::to_string(plan.ports.front()));
        for (std::size_t i = 0; i < service.ports.size(); ++i) {
            set_env(env, port_env_name(service.ports[i].name), std::to_string(plan.ports[i]));
        }
    }
    set_env(env, k_service_env, service.name);
    set_env(env, k_instance_env, std::to_string(golaunch_pid));
    set_env(env, k_project_env, project_id(manifest.path));

    const std::filesystem::path cwd = (manifest.root_dir / service.dir).lexically_normal();
    plan.run.cwd = cwd;
    std::vector<std::string> args;
    for (const auto& arg : service.args) {
        args.push_back(interpolate(arg, service.name, ports));
    }

    if (!service.go_package.empty()) {
        LaunchSpec build;
        build.executable =
            resolve_program("go", manifest.root_dir, manifest, base_env, service.name, lookup);
        build.args = {"build"};
        build.args.insert(build.args.end(), service.build_flags.begin(), service.build_flags.end());
        build.args.insert(
            build.args.end(),
            {"-o", built_binary_path(manifest, service.name).string(), service.go_package});
        build.cwd = manifest.root_dir;
        build.env = base_env;
        for (const auto& [key, value] : service.build_env) {
            set_env(build.env, key, value);
        }
        if (!has_env(build.env, "GOCACHE") && !has_env(build.env, "HOME") &&
            !has_env(build.env, "XDG_CACHE_HOME")) {
            set_env(build.env, "GOCACHE", (manifest.root_dir / ".golaunch" / "go-cache").string());
        }
        plan.build = std::move(build);
        plan.run.executable = built_binary_path(manifest, service.name);
        plan.run.args = std::move(args);
    } else if (!service.shell.empty()) {
        plan_shell(plan.run, interpolate(service.shell, service.name, ports), service.name, args,
                   env);
    } else {
        plan.run.executable = resolve_program(interpolate(service.cmd.front(), service.name, ports),
                                              cwd, manifest, env, service.name, lookup);
        for (std::size_t i = 1; i < service.cmd.size(); ++i) {
            plan.run.args.push_back(interpolate(service.cmd[i], service.name, ports));
        }
        plan.run.args.insert(plan.run.args.end(), args.begin(), args.end());
    }
    const auto command_spec = [&](const std::vector<std::string>& command) {
        LaunchSpec spec;
        spec.executable = resolve_program(interpolate(command.front(), service.name, ports), cwd,
                                          manifest, env, service.name, lookup);
        for (std::size_t i = 1; i < command.size(); ++i) {
            spec.args.push_back(interpolate(command[i], service.name, ports));
        }
        spec.cwd = cwd;
        spec.env = env;
        return spec;
    };
    if (service.ready.kind == ReadyKind::http) {
        plan.probe_url = interpolate(service.ready.url, service.name, ports);
    } else if (service.ready.kind == ReadyKind::exec) {
        plan.probe = command_spec(service.ready.command);
    }
    if (service.health.enabled && service.health.kind == ReadyKind::http) {
        plan.health_url = interpolate(service.health.url, service.name, ports);
    } else if (service.health.enabled) {
        plan.health = command_spec(service.health.command);
    }
    plan.run.env = std::move(env);
    return plan;
}

} // namespace golaunch
