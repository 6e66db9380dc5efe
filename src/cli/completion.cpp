#include "cli/completion.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>

namespace golaunch {

namespace {

const CompletionOption* find_option(const CompletionCommand& command, const std::string& name) {
    for (const auto& option : command.options) {
        if (std::find(option.names.begin(), option.names.end(), name) != option.names.end()) {
            return &option;
        }
    }
    return nullptr;
}

void add_matching(std::vector<std::string>& out, const std::vector<std::string>& candidates,
                  const std::string& prefix) {
    for (const auto& candidate : candidates) {
        if (starts_with(candidate, prefix) &&
            std::find(out.begin(), out.end(), candidate) == out.end()) {
            out.push_back(candidate);
        }
    }
}

} // namespace

std::vector<CompletionCommand>
completion_commands(CLI::App& app,
                    const std::vector<std::pair<std::string, std::vector<std::string>>>& choices) {
    std::vector<CompletionCommand> commands;
    for (auto* sub : app.get_subcommands({})) {
        if (sub->get_group().empty()) {
            continue; // hidden (__complete)
        }
        CompletionCommand command;
        command.name = sub->get_name();
        for (const auto* option : sub->get_options()) {
            if (option->get_positional()) {
                command.services = command.services ||
                                   (option->get_name() == "args" &&
                                    option->get_description().find("SERVICE") != std::string::npos);
                for (const auto& [name, values] : choices) {
                    if (name == command.name + " " + option->get_name()) {
                        command.positional_choices = values;
                    }
                }
                continue;
            }
            if (option->get_group().empty()) {
                continue; // hidden options are not offered
            }
            CompletionOption entry;
            for (const auto& name : option->get_lnames()) {
                entry.names.push_back("--" + name);
            }
            for (const auto& name : option->get_snames()) {
                entry.names.push_back("-" + name);
            }
            entry.takes_value = option->get_expected_max() > 0; // flags expect 0 values
            for (const auto& [name, values] : choices) {
                if (std::find(entry.names.begin(), entry.names.end(), name) != entry.names.end()) {
                    entry.choices = values;
                }
            }
            command.options.push_back(std::move(entry));
        }
        command.options.push_back({{"--help", "-h"}, false, {}});
        commands.push_back(std::move(command));
    }
    return commands;
}

std::vector<std::string> complete_words(
    const std::vector<CompletionCommand>& commands, const std::vector<std::string>& words,
    std::size_t cword,
    const std::function<std::vector<std::string>(const std::vector<std::string>&)>& services_of) {
    std::vector<std::string> out;
    if (cword == 0 || cword > words.size()) {
        return out;
    }
    const std::string current = cword < words.size() ? words[cword] : "";
    if (cword == 1) {
        std::vector<std::string> names;
        for (const auto& command : commands) {
            names.push_back(command.name);
        }
        names.insert(names.end(), {"--help", "--version"});
        add_matching(out, names, current);
        return out;
    }
    const auto command = std::find_if(commands.begin(), commands.end(),
                                      [&](const auto& c) { return c.name == words[1]; });
    if (command == commands.end()) {
        return out;
    }
    // The value of an option: its choices, or nothing (the shell then completes file names).
    if (const auto* option = find_option(*command, words[cword - 1]);
        option != nullptr && option->takes_value) {
        add_matching(out, option->choices, current);
        return out;
    }
    if (starts_with(current, "-")) {
        for (const auto& option : command->options) {
            add_matching(out, option.names, current);
        }
        return out;
    }
    if (cword == 2 && !command->positional_choices.empty()) {
        add_matching(out, command->positional_choices, current);
        return out;
    }
    if (!command->services) {
        return out;
    }
    std::vector<std::string> positionals;
    for (std::size_t i = 2; i < cword; ++i) {
        const auto* option = find_option(*command, words[i]);
        if (option != nullptr) {
            i += option->takes_value ? 1 : 0;
        } else if (!starts_with(words[i], "-")) {
            positionals.push_back(words[i]);
        }
    }
    std::vector<std::string> services;
    for (auto& name : services_of(positionals)) {
        if (std::find(positionals.begin(), positionals.end(), name) == positionals.end()) {
            services.push_back(std::move(name)); // each service once
        }
    }
    add_matching(out, services, current);
    return out;
}

std::string completion_script(const std::string& shell) {
    if (shell == "bash") {
        return "# golaunch completion for bash: source it, or put it in\n"
               "# /etc/bash_completion.d/golaunch (or ~/.local/share/bash-completion/"
               "completions/golaunch)\n"
               "_golaunch() {\n"
               "    local IFS=$'\\n'\n"
               "    COMPREPLY=($(command golaunch __complete \"$COMP_CWORD\" \"${COMP_WORDS[@]}\" "
               "2>/dev/null))\n"
               "}\n"
               "complete -o default -F _golaunch golaunch\n";
    }
    if (shell == "zsh") {
        return "#compdef golaunch\n"
               "# golaunch completion for zsh: put it on $fpath as _golaunch, or source it\n"
               "_golaunch() {\n"
               "    local -a candidates\n"
               "    candidates=(\"${(@f)$(command golaunch __complete $((CURRENT - 1)) "
               "\"${words[@]}\" 2>/dev/null)}\")\n"
               "    if (( ${#candidates} )) && [[ -n ${candidates[1]} ]]; then\n"
               "        compadd -a candidates\n"
               "    else\n"
               "        _files\n"
               "    fi\n"
               "}\n"
               "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
               "    _golaunch \"$@\"\n"
               "else\n"
               "    compdef _golaunch golaunch\n"
               "fi\n";
    }
    if (shell == "fish") {
        // Files only when golaunch offers nothing (a manifest path), as bash's -o default.
        return "# golaunch completion for fish: save as ~/.config/fish/completions/golaunch.fish\n"
               "function __golaunch_complete\n"
               "    set -l words (commandline -opc) (commandline -ct)\n"
               "    set -l candidates (command golaunch __complete (math (count $words) - 1) "
               "$words 2>/dev/null)\n"
               "    if test (count $candidates) -gt 0\n"
               "        printf '%s\\n' $candidates\n"
               "    else\n"
               "        __fish_complete_path (commandline -ct)\n"
               "    end\n"
               "end\n"
               "complete -c golaunch -f -a '(__golaunch_complete)'\n";
    }
    if (shell == "powershell") {
        return "# golaunch completion for PowerShell: add to $PROFILE, or dot-source it\n"
               "Register-ArgumentCompleter -Native -CommandName golaunch, golaunch.exe "
               "-ScriptBlock {\n"
               "    param($wordToComplete, $commandAst, $cursorPosition)\n"
               "    $words = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })\n"
               "    if ($wordToComplete -eq '') { $words += '\"\"' }\n"
               "    $cword = $words.Count - 1\n"
               "    & golaunch __complete $cword @words 2>$null | ForEach-Object {\n"
               "        [System.Management.Automation.CompletionResult]::new($_, $_, "
               "'ParameterValue', $_)\n"
               "    }\n"
               "}\n";
    }
    throw Error("no completion for shell '" + shell + "'", ExitCode::usage,
                "the shells are bash, zsh, fish and powershell");
}

} // namespace golaunch
