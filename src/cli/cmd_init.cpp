#include "cli/cmd_init.hpp"

#include "instance/atomic_file.hpp"
#include "manifest/manifest_init.hpp"
#include "manifest/manifest_schema.hpp"
#include "manifest/text_file.hpp"
#include "platform/command_output.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <boost/dll/runtime_symbol_info.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

namespace golaunch {

namespace fs = std::filesystem;

namespace {

// `#:schema` for the new manifest: the installed schema (share/golaunch beside the bin folder
// of this golaunch, or beside golaunch.exe in the Windows zip) as a file:// URL; else the
// compiled-in copy, written to DIR/.golaunch/ and named relative to the manifest.
std::string schema_reference(const fs::path& dir) {
    std::error_code error;
    const fs::path self = boost::dll::program_location(error);
    if (!error) {
        for (const auto& candidate :
             {self.parent_path() / ".." / "share" / "golaunch" / "golaunch.schema.json",
              self.parent_path() / "golaunch.schema.json"}) {
            std::error_code missing;
            const auto found = fs::canonical(candidate, missing);
            if (!missing && fs::is_regular_file(found, missing)) {
                const auto path = found.generic_string();
                return std::string("file://") + (path.front() == '/' ? "" : "/") + path;
            }
        }
    }
    write_file_atomically(dir / ".golaunch" / "golaunch.schema.json",
                          std::string(manifest_schema_text()));
    return "./.golaunch/golaunch.schema.json";
}

// One go service per main package of the module in `dir`, its port guessed from its sources.
std::vector<InitService> go_services(const fs::path& dir, std::string& origin) {
    const auto listed = run_command(
        {"go", "list", "-f", "{{.Name}} {{.ImportPath}} {{with .Module}}{{.Path}}{{end}} {{.Dir}}",
         "./..."},
        std::chrono::minutes(2), {}, dir);
    const std::string hint = "golaunch init reads the Go module in DIR (where go.mod is); for "
                             "other projects, golaunch init --from Procfile";
    if (!listed.started) {
        throw Error("cannot run go: " + listed.error, ExitCode::usage,
                    "install Go (golang-go on Debian), or: " + hint);
    }
    if (listed.timed_out || listed.exit_code != 0) {
        throw Error("go list ./... failed in " + dir.string() + ": " +
                        (listed.timed_out ? "no answer in 2 minutes" : first_line(listed.err)),
                    ExitCode::usage, hint);
    }
    std::vector<InitService> services;
    std::vector<std::string> names;
    std::map<std::uint16_t, std::string> port_users;
    std::string module_path;
    for (const auto& line : split(listed.out, '\n')) {
        // NAME IMPORT_PATH MODULE_PATH DIR (the directory last: it may hold blanks)
        const auto space = line.find(' ');
        const auto second = line.find(' ', space + 1);
        const auto third = line.find(' ', second + 1);
        if (space == std::string::npos || second == std::string::npos ||
            third == std::string::npos) {
            continue;
        }
        const auto import_path = line.substr(space + 1, second - space - 1);
        if (module_path.empty()) {
            module_path = line.substr(second + 1, third - second - 1);
        }
        if (line.substr(0, space) != "main") {
            continue;
        }
        const fs::path package_dir = line.substr(third + 1);
        const auto relative = package_dir.lexically_relative(dir).generic_string();
        InitService service;
        service.go_package = relative == "." || relative.empty() ? "." : "./" + relative;
        service.name = init_service_name(import_path, names);
        std::vector<fs::path> sources;
        std::error_code error;
        for (const auto& entry : fs::directory_iterator(package_dir, error)) {
            const auto file = entry.path().filename().string();
            if (entry.path().extension() == ".go" && file.size() > 3 &&
                file.find("_test.go") == std::string::npos) {
                sources.push_back(entry.path());
            }
        }
        std::sort(sources.begin(), sources.end());
        for (const auto& source : sources) {
            std::string text;
            try {
                text = read_text_file(source);
            } catch (const Error&) {
                continue; // unreadable: no guess from it
            }
            const auto guess = guess_port(text);
            if (!guess) {
                continue;
            }
            if (guess->port == 0) {
                service.comment = "It reads $PORT but names no port: add ports = { http = N } "
                                  "and golaunch sets PORT to N.";
                break;
            }
            service.port = guess->port;
            if (!guess->flag.empty()) {
                service.args_hint =
                    "args = [\"-" + guess->flag + "\", \"" +
                    (guess->flag_is_address ? "127.0.0.1:${port}" : "${port}") +
                    "\"] # uncomment to let golaunch choose the port when this one is taken";
            }
            service.port_comment = "guess: " + source.lexically_relative(dir).generic_string() +
                                   ":" + std::to_string(guess->line) + " " + guess->evidence;
            if (const auto other = port_users.find(guess->port); other != port_users.end()) {
                service.port_comment += " (" + other->second + " has the same guess)";
            }
            port_users.emplace(guess->port, service.name);
            if (guess->reads_env_port) {
                service.comment = "It reads $PORT, which golaunch sets to its first port.";
            }
            break;
        }
        if (!service.port && service.comment.empty()) {
            service.comment = "No port found in its source: add ports = { http = N } if it "
                              "listens.";
        }
        services.push_back(std::move(service));
    }
    if (services.empty()) {
        throw Error("no main package in the Go module at " + dir.string(), ExitCode::usage, hint);
    }
    origin = "from the main packages of " + module_path + " (go list ./...)";
    return services;
}

} // namespace

int run_init(const InitOptions& options) {
    const fs::path dir = options.dir.empty() ? fs::path(".") : fs::path(options.dir);
    std::error_code error;
    if (!fs::is_directory(dir, error)) {
        throw usage_error(dir.string() + " is not a directory",
                          "golaunch init [DIR]: DIR is the project's folder (default: here)");
    }
    const auto target = dir / "golaunch.toml";
    for (const char* name : {"golaunch.toml", "app.toml"}) {
        if (fs::exists(dir / name, error) && !options.force) {
            throw usage_error((dir / name).string() + " already exists",
                              "golaunch init never replaces a manifest; pass --force to (the "
                              "old golaunch.toml is kept as golaunch.toml.bak)");
        }
    }
    std::vector<InitService> services;
    std::string origin;
    if (!options.from.empty()) {
        const auto text = read_text_file(options.from, "give the Procfile's path to --from");
        services =
            parse_procfile(text, options.from, static_cast<std::uint16_t>(options.base_port));
        origin = "from " + options.from;
    } else {
        services = go_services(fs::canonical(dir), origin);
    }
    const auto project = fs::canonical(dir).filename().string();
    const auto text = render_init_manifest(project.empty() ? "app" : project, schema_reference(dir),
                                           origin, services);
    if (fs::exists(target, error)) {
        write_file_atomically(dir / "golaunch.toml.bak", read_whole_file(target));
    }
    write_file_atomically(target, text);
    std::vector<std::string> summary;
    for (const auto& service : services) {
        summary.push_back(service.name +
                          (service.port ? " (port " + std::to_string(*service.port) + ")" : ""));
    }
    std::cout << "wrote " << target.string() << ": " << join(summary, ", ") << "\n"
              << "next: golaunch check " << target.string() << "\n";
    return 0;
}

} // namespace golaunch
