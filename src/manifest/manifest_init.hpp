// `golaunch init`: a first manifest from what a project already has. Pure: from the main
// packages `go list` found (and their sources) or from a Procfile's text to the text of a
// golaunch.toml. The command (cli/cmd_init) runs go list, reads the files and writes the result.
#pragma once

#include "manifest/manifest.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

// A port read from Go source: a listen address literal (":8080", "127.0.0.1:8080"), a port
// flag's default (flag.Int("port", 8080, ...)) or the fallback of os.Getenv("PORT").
struct PortGuess {
    std::uint16_t port = 0;       // 0: none named, but the file reads $PORT
    int line = 0;                 // 1-based, in the file scanned
    std::string evidence;         // the literal or the flag, as written
    bool reads_env_port = false;  // the file reads $PORT, which golaunch sets to the first port
    std::string flag;             // the flag whose default it is ("addr", "port"), if one
    bool flag_is_address = false; // the flag takes HOST:PORT, not a number
};

// The first port `source` (one .go file) names, in the order above within the file; a guess
// of port 0 when it names none but reads $PORT; nullopt when neither.
std::optional<PortGuess> guess_port(std::string_view source);

struct InitService {
    std::string name;
    std::string go_package; // "./cmd/api" for a go service
    std::string shell;      // a Procfile command, run by the shell
    std::optional<std::uint16_t> port;
    std::string port_comment; // why that port: "guess: cmd/api/main.go:14 \":8081\""
    std::string comment;      // a line above the service, when there is something to say
    std::string args_hint;    // a commented-out `args = [...]` that lets golaunch set the port
};

// A service name golaunch accepts ([A-Za-z][A-Za-z0-9_-]*) from the last element of an import
// path or directory, unique among `taken` (then added to it).
std::string init_service_name(std::string_view path, std::vector<std::string>& taken);

// A Procfile ("NAME: COMMAND" lines; blank lines and # comments skipped). Like foreman, process
// number i (0-based) gets PORT = base_port + 100 * i; a port is declared only for a command that
// uses $PORT. Throws a located usage error (file:line:column) for a line that is not one.
std::vector<InitService> parse_procfile(std::string_view text, const std::string& file,
                                        std::uint16_t base_port);

// The manifest: `#:schema SCHEMA` on the first line, then a header saying where it came from.
std::string render_init_manifest(const std::string& project, const std::string& schema,
                                 const std::string& origin,
                                 const std::vector<InitService>& services);

} // namespace golaunch
