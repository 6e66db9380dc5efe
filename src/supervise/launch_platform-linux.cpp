#include "supervise/launch_platform.hpp"

#include "util/strings.hpp"

#include <unistd.h>

extern char** environ;

namespace golaunch {

std::vector<std::string> current_environment() {
    std::vector<std::string> env;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        env.emplace_back(*entry);
    }
    return env;
}

int current_process_id() {
    return static_cast<int>(::getpid());
}

const char* executable_suffix() {
    return "";
}

bool names_a_path(const std::string& program) {
    return program.find('/') != std::string::npos;
}

std::string display_command(const LaunchSpec& spec) {
    std::vector<std::string> argv{spec.executable.string()};
    argv.insert(argv.end(), spec.args.begin(), spec.args.end());
    return shell_join(argv);
}

bool same_env_key(std::string_view a, std::string_view b) {
    return a == b;
}

// Unix never looks in the current directory for a bare name: `local_dirs` are not searched.
std::filesystem::path find_program(const std::string& program, const std::vector<std::string>& env,
                                   const std::vector<std::filesystem::path>&) {
    if (names_a_path(program)) {
        return program;
    }
    std::string path_value;
    for (const auto& assignment : env) {
        if (starts_with(assignment, "PATH=")) {
            path_value = assignment.substr(5);
        }
    }
    if (path_value.empty()) {
        path_value = "/usr/local/bin:/usr/bin:/bin";
    }
    for (const auto& dir : split(path_value, ':')) {
        const std::filesystem::path candidate =
            std::filesystem::path(dir.empty() ? "." : dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) {
            return candidate;
        }
    }
    return {};
}

void plan_shell(LaunchSpec& spec, const std::string& script, const std::string& service,
                const std::vector<std::string>& args, const std::vector<std::string>&) {
    spec.executable = "/bin/sh";
    spec.args = {"-c", script, service};
    spec.args.insert(spec.args.end(), args.begin(), args.end());
}

} // namespace golaunch
