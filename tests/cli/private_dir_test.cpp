// Nothing under .golaunch/ is followed as a symbolic link, end to end with the real binary:
// a cloned repository can ship `.golaunch/lock -> /some/file`, and golaunch (often root) must
// refuse with one clear error, leave the link's target as it was and create no dangling target.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <ostream>
#include <string>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_precious = "precious bytes, not golaunch's\n";

struct LinkCase {
    std::string entry;   // relative to the manifest dir, e.g. ".golaunch/lock"
    std::string command; // "run" or "fix"
    bool go_service;     // the manifest builds a Go package (for bin/ and bin/NAME)
};

void PrintTo(const LinkCase& c, std::ostream* out) {
    *out << c.command << " with " << c.entry << " a link";
}

std::string case_name(const testing::TestParamInfo<LinkCase>& info) {
    std::string name = info.param.command + "_" + info.param.entry;
    for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            c = '_';
        }
    }
    return name;
}

class PrivateDirLink : public testing::TestWithParam<LinkCase> {
  protected:
    std::filesystem::path write_project() {
        const auto port = pick_free_port();
        std::string toml = "version = 1\nname = \"links\"\n[defaults]\nstop_grace = \"2s\"\n";
        if (GetParam().go_service) {
            m_dir.write("go.mod", "module example.com/t\n\ngo 1.19\n");
            m_dir.write("cmd/hello/main.go", read_file(std::string(GOLAUNCH_SOURCE_DIR) +
                                                       "/tests/fixtures/httpserver.go"));
            toml += "[services.hello]\ngo = \"./cmd/hello\"\nargs = [\"-addr\", "
                    "\"127.0.0.1:${ports.hello.http}\"]\n";
        } else {
            toml += "[services.web]\ncmd = [" + toml_quoted(fixture("httpserver")) +
                    ", \"-addr\", \"127.0.0.1:${ports.web.http}\"]\n";
        }
        toml += "ports = { http = " + std::to_string(port) + " }\n";
        std::filesystem::create_directories(m_dir.path() / ".golaunch");
        m_hosts = m_dir.write("hosts", "127.0.0.1\tlocalhost\n::1 localhost\n");
        return m_dir.write("app.toml", toml);
    }

    // Runs the case's command; returns its exit code and keeps the output.
    int run_golaunch(const std::filesystem::path& manifest) {
        std::vector<std::string> args{GetParam().command, manifest.string(), "--no-network",
                                      "--hosts-file", m_hosts.string()};
        if (GetParam().command == "run") {
            args.push_back("--stop-when-ready");
        }
        GolaunchRun run(m_dir, args);
        const auto status = run.wait_for_exit(GetParam().go_service ? 120s : 30s);
        m_output = run.output();
        EXPECT_TRUE(status) << m_output;
        return status ? exit_code_of(*status) : -1;
    }

    void expect_refusal(const std::filesystem::path& link) {
        EXPECT_NE(m_output.find(link.string() + " is a symbolic link"), std::string::npos)
            << m_output;
        EXPECT_NE(m_output.find("golaunch never follows links under .golaunch/"), std::string::npos)
            << m_output;
    }

    TempDir m_dir;
    std::filesystem::path m_hosts;
    std::string m_output;
};

TEST_P(PrivateDirLink, ToAFileRefusesAndLeavesTheTargetsBytes) {
    const auto manifest = write_project();
    const auto link = m_dir.path() / GetParam().entry;
    std::filesystem::create_directories(link.parent_path());
    const auto target = m_dir.write("outside/precious.txt", k_precious);
    std::filesystem::create_symlink(target, link);

    EXPECT_EQ(run_golaunch(manifest), 1) << m_output;
    expect_refusal(link);
    EXPECT_EQ(read_file(target), k_precious);
    EXPECT_TRUE(std::filesystem::is_symlink(link));
}

TEST_P(PrivateDirLink, DanglingRefusesAndCreatesNoTarget) {
    const auto manifest = write_project();
    const auto link = m_dir.path() / GetParam().entry;
    std::filesystem::create_directories(link.parent_path());
    const auto target = m_dir.path() / "outside" / "created-by-golaunch";
    std::filesystem::create_directories(target.parent_path());
    std::filesystem::create_symlink(target, link);

    EXPECT_EQ(run_golaunch(manifest), 1) << m_output;
    expect_refusal(link);
    EXPECT_FALSE(std::filesystem::exists(target)) << m_output;
}

INSTANTIATE_TEST_SUITE_P(Entries, PrivateDirLink,
                         testing::Values(LinkCase{".golaunch/lock", "run", false},
                                         LinkCase{".golaunch/lock", "fix", false},
                                         LinkCase{".golaunch/state.lock", "run", false},
                                         LinkCase{".golaunch/state.lock", "fix", false},
                                         LinkCase{".golaunch/state.json", "run", false},
                                         LinkCase{".golaunch/state.json", "fix", false},
                                         LinkCase{".golaunch/ports.toml", "run", false},
                                         LinkCase{".golaunch/ports.toml", "fix", false},
                                         LinkCase{".golaunch/bin", "run", true},
                                         LinkCase{".golaunch/bin/hello", "run", true},
                                         LinkCase{".golaunch/go-cache", "run", true}),
                         case_name);

// `.golaunch` itself pointing at a directory that holds files of the same names: none of them
// changes, and a dangling `.golaunch` creates no directory.
class GolaunchDirLink : public PrivateDirLink {};

TEST_P(GolaunchDirLink, ToADirectoryRefusesAndLeavesItsFiles) {
    const auto manifest = write_project();
    std::filesystem::remove(m_dir.path() / ".golaunch");
    const auto lock = m_dir.write("elsewhere/lock", k_precious);
    const auto state = m_dir.write("elsewhere/state.json", k_precious);
    std::filesystem::create_directory_symlink(m_dir.path() / "elsewhere",
                                              m_dir.path() / ".golaunch");

    EXPECT_EQ(run_golaunch(manifest), 1) << m_output;
    expect_refusal(m_dir.path() / ".golaunch");
    EXPECT_EQ(read_file(lock), k_precious);
    EXPECT_EQ(read_file(state), k_precious);
    EXPECT_EQ(files_in(m_dir.path() / "elsewhere").size(), 2U) << m_output;
}

TEST_P(GolaunchDirLink, DanglingRefusesAndCreatesNoDirectory) {
    const auto manifest = write_project();
    std::filesystem::remove(m_dir.path() / ".golaunch");
    std::filesystem::create_directory_symlink(m_dir.path() / "nowhere", m_dir.path() / ".golaunch");

    EXPECT_EQ(run_golaunch(manifest), 1) << m_output;
    expect_refusal(m_dir.path() / ".golaunch");
    EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "nowhere")) << m_output;
}

INSTANTIATE_TEST_SUITE_P(Commands, GolaunchDirLink,
                         testing::Values(LinkCase{".golaunch", "run", false},
                                         LinkCase{".golaunch", "fix", false}),
                         case_name);

} // namespace
} // namespace golaunch::test
