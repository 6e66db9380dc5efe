#include "supervise/launch_platform.hpp"

#include "supervise/windows_command_line.hpp"
#include "util/strings.hpp"
#include "util/wide_text.hpp"

#include <windows.h>

#include <algorithm>
#include <cctype>

namespace golaunch {

namespace {

// Windows variable names are case-insensitive: "Path" is PATH.
std::string env_value(const std::vector<std::string>& env, std::string_view key) {
    for (const auto& assignment : env) {
        if (assignment.size() > key.size() && assignment[key.size()] == '=' &&
            same_env_key(std::string_view(assignment).substr(0, key.size()), key)) {
            return assignment.substr(key.size() + 1);
        }
    }
    return {};
}

bool is_file(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

} // namespace

std::vector<std::string> current_environment() {
    std::vector<std::string> env;
    wchar_t* block = ::GetEnvironmentStringsW();
    if (block == nullptr) {
        return env;
    }
    for (const wchar_t* entry = block; *entry != L'\0'; entry += std::wcslen(entry) + 1) {
        env.push_back(from_wide(entry));
    }
    ::FreeEnvironmentStringsW(block);
    return env;
}

int current_process_id() {
    return static_cast<int>(::GetCurrentProcessId());
}

const char* executable_suffix() {
    return ".exe";
}

bool names_a_path(const std::string& program) {
    return program.find_first_of("/\\:") != std::string::npos;
}

std::string display_command(const LaunchSpec& spec) {
    return spec.raw_command_line.empty()
               ? windows_command_line(from_wide(spec.executable.native()), spec.args)
               : spec.raw_command_line;
}

bool same_env_key(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) ==
                      std::toupper(static_cast<unsigned char>(y));
           });
}

std::filesystem::path find_program(const std::string& program, const std::vector<std::string>& env,
                                   const std::vector<std::filesystem::path>& local_dirs) {
    if (names_a_path(program)) {
        return program;
    }
    std::string path_value = env_value(env, "PATH");
    if (path_value.empty()) {
        path_value = env_value(current_environment(), "PATH");
    }
    std::string extensions = env_value(env, "PATHEXT");
    if (extensions.empty()) {
        extensions = ".COM;.EXE;.BAT;.CMD";
    }
    std::vector<std::filesystem::path> dirs = local_dirs;
    for (const auto& dir : split(path_value, ';')) {
        if (!dir.empty()) {
            dirs.emplace_back(to_wide(dir));
        }
    }
    const bool has_extension = std::filesystem::path(program).has_extension();
    for (const auto& dir : dirs) {
        const std::filesystem::path base = dir / to_wide(program);
        if (has_extension && is_file(base)) {
            return base;
        }
        for (const auto& extension : split(extensions, ';')) {
            std::filesystem::path candidate = base;
            candidate += to_wide(extension);
            if (!extension.empty() && is_file(candidate)) {
                return candidate;
            }
        }
    }
    return {};
}

void plan_shell(LaunchSpec& spec, const std::string& script, const std::string&,
                const std::vector<std::string>& args, const std::vector<std::string>& env) {
    std::string comspec = env_value(env, "COMSPEC");
    spec.executable = comspec.empty() ? std::filesystem::path(L"C:\\Windows\\System32\\cmd.exe")
                                      : std::filesystem::path(to_wide(comspec));
    std::string command = script;
    for (const auto& arg : args) {
        command += " " + quote_windows_argument(arg);
    }
    // /s: cmd strips the outer quotes and runs the rest as typed. /d: no AutoRun commands.
    spec.args = {"/d", "/s", "/c", command};
    spec.raw_command_line = "cmd.exe /d /s /c \"" + command + "\"";
}

} // namespace golaunch
