// Shared by the end-to-end tests of tests/cli/: manifests of fixture services, a temp hosts
// file, and running a printed `golaunch ...` command as a person pasting it would.
#pragma once

#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace golaunch::test {

inline int exit_code_of_run(GolaunchRun& run,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const auto status = run.wait_for_exit(timeout);
    EXPECT_TRUE(status) << run.output();
    return status ? exit_code_of(*status) : -1;
}

// A fixture service `NAME` whose address follows its (possibly moved) port.
inline std::string fixture_service_toml(const std::string& name, std::uint16_t port) {
    return "[services." + name + "]\ncmd = [" + toml_quoted(fixture("httpserver")) +
           ", \"-name\", \"" + name + "\"]\nargs = [\"-addr\", \"127.0.0.1:${ports." + name +
           ".http}\"]\nports = { http = " + std::to_string(port) + " }   # keep this comment\n";
}

inline std::string fixture_manifest_header() {
    return "version = 1\nname = \"fixt\"\n[defaults]\nstop_grace = \"2s\"\n";
}

inline std::filesystem::path temp_hosts_file(const TempDir& dir) {
    return dir.write("hosts", "127.0.0.1\tlocalhost\r\n::1 localhost ip6-localhost\r\n");
}

// The port of the first address a `ready` event lists.
inline std::uint16_t ready_port(const nlohmann::json& ready) {
    const std::string listening = ready["listening"][0];
    return static_cast<std::uint16_t>(std::stoi(listening.substr(listening.rfind(':') + 1)));
}

// The text between the first backquotes after `lead` that follows "[id]" in `output` ("" when
// there is none): the command a `fix:` line prints.
inline std::string printed_remedy_command(const std::string& output, const std::string& id,
                                          const std::string& lead) {
    const auto finding = output.find("[" + id + "]");
    if (finding == std::string::npos) {
        return "";
    }
    const auto start = output.find(lead, finding);
    if (start == std::string::npos) {
        return "";
    }
    const auto open = output.find('`', start + lead.size() - 1);
    const auto close = open == std::string::npos ? open : output.find('`', open + 1);
    return close == std::string::npos ? "" : output.substr(open + 1, close - open - 1);
}

// Runs a printed command through /bin/sh, as a person pasting it would: a `golaunch ...`
// command with the real binary instead of the name and --no-network (the test sends no DNS
// packets); any other command as printed.
inline int run_pasted(const TempDir& dir, const std::string& command, std::string& output) {
    std::string line = command;
    if (command.rfind("golaunch ", 0) == 0) {
        line = shell_quote(golaunch_binary()) + command.substr(std::string("golaunch").size()) +
               " --no-network";
    }
    const auto log = dir.path() / "printed.log";
    ChildProcess child({"/bin/sh", "-c", line}, log.string(), {"NO_COLOR=1"});
    const auto status = child.wait_for(std::chrono::seconds(30));
    output = read_file(log);
    return status ? exit_code_of(*status) : -1;
}

} // namespace golaunch::test
