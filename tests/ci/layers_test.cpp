// .ci/layers, the include graph of src/: clean on this repository, and it fails (exit 1,
// naming file:line and the include) on fake trees that include upward or sideways.
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace golaunch::test {
namespace {

struct ScriptRun {
    int exit_code = -1;
    std::string output;
};

ScriptRun run_layers(const std::filesystem::path& root) {
    const std::string command = "python3 " + std::string(GOLAUNCH_SOURCE_DIR) +
                                "/.ci/layers --root '" + root.string() + "' 2>&1";
    ScriptRun run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return run;
    }
    char buffer[4096];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) {
        run.output.append(buffer, n);
    }
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

// A small tree whose includes all point down.
void write_clean_tree(const TempDir& dir) {
    dir.write("src/main.cpp", "#include \"cli/cli.hpp\"\n");
    dir.write("src/cli/cli.cpp", "#include \"remedy/fixer.hpp\"\n#include \"util/error.hpp\"\n");
    dir.write("src/remedy/fixer.cpp",
              "#include \"supervise/a.hpp\"\n#include \"instance/b.hpp\"\n");
    dir.write("src/supervise/a.hpp", "#include \"monitor/m.hpp\"\n#include \"preflight/p.hpp\"\n");
    dir.write("src/monitor/m.hpp", "#include \"instance/b.hpp\"\n#include <vector>\n");
    dir.write("src/monitor/hook_dll/hook.cpp",
              "#include \"monitor/m.hpp\"\n#include \"Windows.h\"\n");
    dir.write("src/instance/b.hpp", "#include \"platform/x.hpp\"\n#include \"manifest/y.hpp\"\n");
    dir.write("src/platform/x.hpp", "#include \"util/z.hpp\"\n");
    dir.write("src/manifest/y.hpp", "  #  include \"util/z.hpp\"\n");
}

TEST(Layers, ThisRepositoryIsClean) {
    const auto run = run_layers(GOLAUNCH_SOURCE_DIR);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("all downward"), std::string::npos) << run.output;
}

TEST(Layers, AFakeTreeWithOnlyDownwardIncludesIsClean) {
    TempDir dir;
    write_clean_tree(dir);
    const auto run = run_layers(dir.path());
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("layers: 9 files, 13 includes"), std::string::npos) << run.output;
}

TEST(Layers, AnUpwardIncludeFailsNamingFileLineAndInclude) {
    TempDir dir;
    write_clean_tree(dir);
    dir.write("src/instance/lock.cpp", "// why\n\n#include \"preflight/port_check.hpp\"\n");
    const auto run = run_layers(dir.path());
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("layers: src/instance/lock.cpp:3: instance includes "
                              "\"preflight/port_check.hpp\": preflight is above instance"),
              std::string::npos)
        << run.output;
}

TEST(Layers, PeersMayNotIncludeEachOther) {
    TempDir dir;
    write_clean_tree(dir);
    dir.write("src/platform/w.cpp", "#include \"manifest/y.hpp\"\n");
    const auto run = run_layers(dir.path());
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("src/platform/w.cpp:1: platform includes \"manifest/y.hpp\": "
                              "manifest is a peer of platform"),
              std::string::npos)
        << run.output;
}

TEST(Layers, HookDllIsPartOfMonitor) {
    TempDir dir;
    write_clean_tree(dir);
    dir.write("src/monitor/hook_dll/up.cpp", "#include \"supervise/a.hpp\"\n");
    const auto run = run_layers(dir.path());
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("src/monitor/hook_dll/up.cpp:1: monitor includes "
                              "\"supervise/a.hpp\": supervise is above monitor"),
              std::string::npos)
        << run.output;
}

TEST(Layers, AFolderInNoLayerFails) {
    TempDir dir;
    write_clean_tree(dir);
    dir.write("src/control/server.cpp", "#include \"util/z.hpp\"\n");
    const auto run = run_layers(dir.path());
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("src/control/ is in no layer"), std::string::npos) << run.output;
}

} // namespace
} // namespace golaunch::test
