// Shell completion: `golaunch completion bash|zsh|fish|powershell` prints a script that calls
// the hidden `golaunch __complete CWORD WORD...`, which prints one candidate per line:
// subcommands, options, option values (--monitor kinds) and the service names of the manifest
// the command line names (else ./golaunch.toml or ./app.toml). It never fails loudly: a
// manifest that does not load gives no service names, and nothing is printed on stderr.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace golaunch {

struct CompletionOption {
    std::vector<std::string> names;   // "--monitor", "-n"
    bool takes_value = false;         // false for flags
    std::vector<std::string> choices; // the values it accepts, when they are a fixed set
};

struct CompletionCommand {
    std::string name;
    std::vector<CompletionOption> options;
    bool services = false;                       // its positionals are [app.toml] SERVICE...
    std::vector<std::string> positional_choices; // else the values its positional takes
};

// The subcommands and their visible options, read from the parser itself; `choices` gives the
// value sets of options ({"--monitor", {"auto", ...}}) and of positionals ({"completion shell",
// {"bash", ...}}: the command, a space, the positional's name).
std::vector<CompletionCommand>
completion_commands(CLI::App& app,
                    const std::vector<std::pair<std::string, std::vector<std::string>>>& choices);

// Pure: the candidates for words[cword] (words[0] is the program), filtered by its prefix.
// `services_of(positionals)` gives the service names for the positionals typed so far.
std::vector<std::string> complete_words(
    const std::vector<CompletionCommand>& commands, const std::vector<std::string>& words,
    std::size_t cword,
    const std::function<std::vector<std::string>(const std::vector<std::string>&)>& services_of);

// The script for `shell` ("bash", "zsh", "fish", "powershell"); throws Error for another name.
std::string completion_script(const std::string& shell);

} // namespace golaunch
