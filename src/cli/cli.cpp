#include "cli/cli.hpp"

#include "cli/cmd_check.hpp"
#include "cli/cmd_control.hpp"
#include "cli/cmd_export.hpp"
#include "cli/cmd_fix.hpp"
#include "cli/cmd_init.hpp"
#include "cli/cmd_run.hpp"
#include "cli/cmd_who.hpp"
#include "cli/completion.hpp"
#include "cli/manifest_args.hpp"
#include "manifest/loader.hpp"
#include "util/color.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <string_view>

namespace golaunch {

namespace {

// The one place that prints errors: "golaunch: error: ..." plus "hint: ...". Errors already
// located in a file ("app.toml:3:1: error: ...") are printed as they are.
void print_error(const std::string& message, const std::string& hint, bool located = false) {
    Palette palette;
    palette.enabled = should_use_color(stderr);
    if (located) {
        std::cerr << message;
    } else {
        std::cerr << palette.bold("golaunch: ") << palette.red("error: ") << message;
    }
    if (message.empty() || message.back() != '\n') {
        std::cerr << "\n";
    }
    if (!hint.empty()) {
        std::cerr << palette.bold("hint: ") << hint << "\n";
    }
}

// `golaunch __complete CWORD WORD...`: the candidates, one per line; exit 0 whatever happens.
int run_complete(CLI::App& app, int argc, char** argv) {
    try {
        if (argc < 3) {
            return 0;
        }
        const auto cword = static_cast<std::size_t>(std::stoul(argv[2]));
        const std::vector<std::string> words(argv + 3, argv + argc);
        const auto commands = completion_commands(
            app, {{"--monitor", {"auto", "notify", "ptrace", "hook", "poll", "off"}},
                  {"completion shell", {"bash", "zsh", "fish", "powershell"}},
                  {"export kind", {"systemd", "compose", "kubernetes"}}});
        const auto services_of = [](const std::vector<std::string>& positionals) {
            std::vector<std::string> names;
            try {
                const auto manifest = load_manifest(split_manifest_args(positionals).manifest);
                for (const auto& service : manifest.services) {
                    names.push_back(service.name);
                }
            } catch (const std::exception&) {
                // no manifest here, or one that does not load: no names, no noise
            }
            return names;
        };
        for (const auto& candidate : complete_words(commands, words, cword, services_of)) {
            std::cout << candidate << "\n";
        }
    } catch (const std::exception&) {
        // completion never fails loudly
    }
    return 0;
}

} // namespace

int run_cli(int argc, char** argv) {
    constexpr const char* version = "golaunch " GOLAUNCH_VERSION " (" GOLAUNCH_REVISION ")";
    // Answered before the command tree is built: building it is 3/4 of this process's own
    // instructions (callgrind), and `--version` is what scripts and package checks call.
    if (argc == 2 && std::string_view(argv[1]) == "--version") {
        std::cout << version << "\n";
        return 0;
    }
    CLI::App app{"golaunch: launch and supervise Go services for local development"};
    app.set_version_flag("--version", version);
    // Options are --long and -s on every platform. CLI11's Windows default would read an argument
    // starting with '/' (a path from Git Bash, MSYS or a script) as a "/option".
    app.allow_windows_style_options(false);
    app.require_subcommand(1);

    RunCommandOptions run_options;
    auto* run = app.add_subcommand(
        "run", "Preflight, build, start in dependency order and supervise until Ctrl-C");
    run->add_option("args", run_options.positionals,
                    "[app.toml] [SERVICE...] (default manifest: ./golaunch.toml, else ./app.toml)");
    run->add_flag("--json", run_options.json, "NDJSON events on stdout instead of text");
    run->add_flag("-q,--quiet", run_options.quiet, "Only service output, warnings and errors");
    run->add_flag("-v,--verbose", run_options.verbose, "Also golaunch's debug messages");
    run->add_flag("--no-build", run_options.skip_build,
                  "Run the binaries already in .golaunch/bin");
    run->add_flag("--stop-when-ready", run_options.stop_when_ready,
                  "Smoke test: once every service is ready, stop them all cleanly and exit 0");
    run->add_option("--poll-interval-ms", run_options.poll_interval_ms, "Readiness poll interval")
        ->check(CLI::Range(1, 1000))
        ->group("");
    run->add_option("--monitor", run_options.monitor,
                    "How to see the services' bind()/listen(): auto (best available), notify "
                    "(seccomp user notification), ptrace (helper tracer process), hook (Windows: "
                    "injected DLL), poll (socket table), off")
        ->check(CLI::IsMember({"auto", "notify", "ptrace", "hook", "poll", "off"}))
        ->capture_default_str();
    run->add_flag("--ignore-preflight", run_options.ignore_preflight,
                  "Start even when the preflight finds errors (warned loudly)");
    run->add_option("--hosts-file", run_options.hosts_file,
                    "Check names against this hosts file instead of the system's");
    run->add_flag("--no-network", run_options.no_network, "Preflight sends no DNS queries");
    run->add_flag("--dashboard{free}", run_options.dashboard,
                  "Serve a live page on 127.0.0.1 (a free port, or --dashboard=PORT); prints its "
                  "URL");
    run->add_flag("--watch", run_options.watch,
                  "Rebuild and restart go services when their sources change");

    CheckCommandOptions check_options;
    auto* check =
        app.add_subcommand("check", "Preflight only: exit 0 when clean, 3 on an error finding");
    check->add_option("args", check_options.positionals, "[app.toml] [SERVICE...]");
    check->add_flag("--json", check_options.json, "One JSON document instead of text");
    check->add_option("--hosts-file", check_options.hosts_file,
                      "Check names against this hosts file instead of the system's");
    check->add_flag("--no-network", check_options.no_network,
                    "No DNS queries (names missing from the hosts file are not timed)");

    FixCommandOptions fix_options;
    auto* fix = app.add_subcommand(
        "fix", "Apply the safe remedies check proposes: free ports, stale instances, hosts");
    fix->add_option("args", fix_options.positionals, "[app.toml] [SERVICE...]");
    fix->add_flag("--dry-run", fix_options.dry_run, "Print what would be done; change nothing");
    fix->add_flag("--write", fix_options.write,
                  "Put moved ports into the manifest (only the number changes) instead of "
                  ".golaunch/ports.toml");
    fix->add_flag("--force", fix_options.force,
                  "Also stop processes golaunch did not start (SIGTERM, then SIGKILL)");
    fix->add_option("--hosts-file", fix_options.hosts_file,
                    "Edit this hosts file instead of the system's");
    fix->add_flag("--no-network", fix_options.no_network, "No DNS queries in the checks");
    fix->add_flag("--json", fix_options.json, "One JSON document instead of text");

    WhoOptions who_options;
    auto* who = app.add_subcommand("who", "Every socket on PORT and the process behind it");
    who->add_option("port", who_options.port, "TCP or UDP port")
        ->required()
        ->check(CLI::Range(1, 65535));
    who->add_flag("--json", who_options.json, "JSON instead of text");
    who->add_flag("-a,--all", who_options.all_states,
                  "Also connections (ESTABLISHED, TIME-WAIT, ...)");

    ControlCommandOptions ps_options;
    auto* ps = app.add_subcommand("ps", "The services of the running golaunch: state, pid, ports");
    ps->add_option("args", ps_options.positionals, "[app.toml]");
    ps->add_flag("--json", ps_options.json, "JSON instead of text");

    std::map<std::string, ControlCommandOptions> verb_options;
    std::map<std::string, CLI::App*> verbs;
    for (const auto& [verb, about] : std::vector<std::pair<std::string, std::string>>{
             {"restart", "Restart services of the running golaunch; waits until they are ready"},
             {"stop", "Stop services of the running golaunch (they stay stopped until started)"},
             {"start", "Start stopped services of the running golaunch (and what they need)"}}) {
        auto& options = verb_options[verb];
        auto* sub = app.add_subcommand(verb, about);
        sub->add_option("args", options.positionals, "[app.toml] SERVICE...");
        sub->add_flag("--with-dependents", options.with_dependents,
                      "Also every service that depends on them");
        sub->add_flag("--no-wait", options.no_wait, "Return once the request is taken");
        verbs[verb] = sub;
    }

    ControlCommandOptions logs_options;
    auto* logs = app.add_subcommand("logs", "The last lines of services of the running golaunch");
    logs->add_option("args", logs_options.positionals, "[app.toml] [SERVICE...]");
    logs->add_flag("-f,--follow", logs_options.follow, "Then every new line, until the run ends");
    logs->add_option("-n,--lines", logs_options.lines, "How many of each service's last lines")
        ->check(CLI::Range(0, 100000))
        ->capture_default_str();
    logs->add_flag("--json", logs_options.json, "NDJSON (time, service, stream, line)");

    ExportOptions export_options;
    auto* export_command = app.add_subcommand(
        "export",
        "Write the services as systemd units, a compose file or Kubernetes objects, for a real "
        "deployment");
    export_command->add_option("kind", export_options.kind, "systemd, compose or kubernetes")
        ->required()
        ->check(CLI::IsMember({"systemd", "compose", "kubernetes"}));
    export_command->add_option("args", export_options.positionals, "[app.toml]");
    export_command->add_option("-o,--output", export_options.output_dir,
                               "Directory for the files (default: .golaunch/export/KIND)");

    InitOptions init_options;
    auto* init = app.add_subcommand(
        "init", "Write a first golaunch.toml from the Go module's main packages or a Procfile");
    init->add_option("dir", init_options.dir, "The project's folder (default: here)");
    init->add_option("--from", init_options.from, "Import this Procfile instead");
    init->add_option("--port", init_options.base_port,
                     "The Procfile's first $PORT; +100 per process, as foreman does")
        ->check(CLI::Range(1, 65535))
        ->capture_default_str();
    init->add_flag("--force", init_options.force,
                   "Replace an existing manifest (kept as golaunch.toml.bak)");

    std::string completion_shell;
    auto* completion = app.add_subcommand(
        "completion", "Print the shell completion script (bash, zsh, fish, powershell)");
    completion->add_option("shell", completion_shell, "bash, zsh, fish or powershell")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh", "fish", "powershell"}));

    if (argc >= 2 && std::string(argv[1]) == "__complete") {
        return run_complete(app, argc, argv);
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        if (argc > 1 && argv[1][0] != '-' && !app.get_subcommands({}).empty()) {
            std::vector<std::string> names;
            bool known = false;
            for (const auto* sub : app.get_subcommands({})) {
                names.push_back(sub->get_name());
                known = known || sub->get_name() == argv[1];
            }
            if (!known) {
                const auto close = closest_match(argv[1], names);
                print_error("unknown command '" + std::string(argv[1]) + "'",
                            close.empty() ? "the commands are " + join(names, ", ")
                                          : "did you mean 'golaunch " + close + "'?");
                return static_cast<int>(ExitCode::usage);
            }
        }
        print_error(e.what(),
                    "golaunch --help lists the commands; golaunch COMMAND --help their options");
        return static_cast<int>(ExitCode::usage);
    }

    try {
        if (*run) {
            return run_run(run_options);
        }
        if (*check) {
            return run_check(check_options);
        }
        if (*fix) {
            return run_fix(fix_options);
        }
        if (*ps) {
            return run_ps(ps_options);
        }
        for (const auto& [verb, sub] : verbs) {
            if (*sub) {
                return run_service_command(verb, verb_options[verb]);
            }
        }
        if (*logs) {
            return run_logs(logs_options);
        }
        if (*export_command) {
            return run_export(export_options);
        }
        if (*init) {
            return run_init(init_options);
        }
        if (*completion) {
            std::cout << completion_script(completion_shell);
            return 0;
        }
        return run_who(who_options);
    } catch (const Error& e) {
        print_error(e.what(), e.hint(), e.is_located());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        print_error(std::string("unexpected failure: ") + e.what(),
                    "please report this with the command you ran");
        return static_cast<int>(ExitCode::service_failed);
    }
}

} // namespace golaunch
