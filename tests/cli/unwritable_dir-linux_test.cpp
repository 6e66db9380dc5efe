// A manifest directory golaunch may not write (a checkout owned by someone else): run and fix
// say the directory is not writable instead of "No such file or directory", and check reports
// it before run fails. golaunch runs as nobody (setpriv) in a directory root owns.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> k_as_nobody = {"setpriv", "--reuid=65534", "--regid=65534",
                                              "--clear-groups"};

struct Outcome {
    int code = -1;
    std::string output;
};

// `argv` as nobody, output captured in a file of `scratch` (a directory of the test's own).
Outcome as_nobody(const TempDir& scratch, const std::vector<std::string>& argv) {
    static int counter = 0;
    const auto log = scratch.path() / ("nobody-" + std::to_string(++counter) + ".log");
    std::vector<std::string> full = k_as_nobody;
    full.insert(full.end(), argv.begin(), argv.end());
    ChildProcess child(full, log.string(), {"NO_COLOR=1"});
    const auto status = child.wait_for(30s);
    EXPECT_TRUE(status) << read_file(log);
    return {status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, read_file(log)};
}

class UnwritableDir : public testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) {
            GTEST_SKIP() << "needs root to run golaunch as nobody in a directory root owns";
        }
        // Root's, readable and searchable by nobody, not writable by it.
        ASSERT_EQ(::chmod(m_dir.path().c_str(), 0755), 0);
        m_manifest = m_dir.write("app.toml", "version = 1\n[services.api]\ncmd = [\"true\"]\n");
        ASSERT_EQ(::chmod(m_manifest.c_str(), 0644), 0);
        const auto probe = as_nobody(m_scratch, {"true"});
        if (probe.code != 0) {
            GTEST_SKIP() << "setpriv cannot drop to nobody here: " << probe.output;
        }
        const auto binary = as_nobody(m_scratch, {golaunch_binary(), "--version"});
        if (binary.code != 0) {
            GTEST_SKIP() << "nobody cannot run " << golaunch_binary() << ": " << binary.output;
        }
    }

    Outcome golaunch(const std::vector<std::string>& args) {
        std::vector<std::string> argv{golaunch_binary()};
        argv.insert(argv.end(), args.begin(), args.end());
        return as_nobody(m_scratch, argv);
    }

    std::string hint(const std::filesystem::path& dir) const {
        return "hint: golaunch keeps its own files in .golaunch/ next to the manifest: run it as a "
               "user who may write " +
               dir.string() + ", or give this user write access to it\n";
    }

    TempDir m_dir;
    TempDir m_scratch;
    std::filesystem::path m_manifest;
};

TEST_F(UnwritableDir, RunAndFixSayTheManifestDirectoryIsNotWritable) {
    const auto golaunch_dir = m_dir.path() / ".golaunch";
    const std::string expected = "golaunch: error: cannot create the directory " +
                                 golaunch_dir.string() + ": " + m_dir.path().string() +
                                 " is not writable (Permission denied)\n" + hint(m_dir.path());
    auto result = golaunch({"run", m_manifest.string(), "--no-network", "--stop-when-ready"});
    EXPECT_EQ(result.code, 1);
    EXPECT_EQ(result.output, expected);
    result = golaunch({"fix", m_manifest.string(), "--no-network"});
    EXPECT_EQ(result.code, 1);
    EXPECT_EQ(result.output, expected);
    EXPECT_FALSE(std::filesystem::exists(golaunch_dir));
}

TEST_F(UnwritableDir, RunSaysItsOwnDirectoryIsNotWritable) {
    const auto golaunch_dir = m_dir.path() / ".golaunch";
    std::filesystem::create_directory(golaunch_dir); // root's, 0755
    ASSERT_EQ(::chmod(golaunch_dir.c_str(), 0755), 0);
    const auto result = golaunch({"run", m_manifest.string(), "--no-network", "--stop-when-ready"});
    EXPECT_EQ(result.code, 1);
    EXPECT_EQ(result.output, "golaunch: error: cannot open the instance lock " +
                                 (golaunch_dir / "lock").string() + ": " + golaunch_dir.string() +
                                 " is not writable (Permission denied)\n" + hint(golaunch_dir));
}

TEST_F(UnwritableDir, CheckReportsItBeforeRunFails) {
    auto result = golaunch({"check", m_manifest.string(), "--no-network", "--json"});
    EXPECT_EQ(result.code, 3) << result.output;
    const auto report = nlohmann::json::parse(result.output, nullptr, false);
    ASSERT_TRUE(report.is_object()) << result.output;
    const nlohmann::json* found = nullptr;
    for (const auto& finding : report["findings"]) {
        if (finding["id"] == "project-dir-not-writable") {
            found = &finding;
        }
    }
    ASSERT_NE(found, nullptr) << result.output;
    EXPECT_EQ((*found)["severity"], "error");
    EXPECT_EQ((*found)["area"], "project");
    EXPECT_EQ((*found)["subject"], m_dir.path().string());
    EXPECT_EQ((*found)["message"],
              "golaunch cannot keep its files in " + (m_dir.path() / ".golaunch").string() + ": " +
                  m_dir.path().string() + " is not writable (Permission denied)");
    EXPECT_EQ((*found)["remedy"], "run golaunch as a user who may write " + m_dir.path().string() +
                                      ", or give this user write access to it");

    // The check as root passes: the finding is about the user who runs golaunch.
    {
        GolaunchRun root(m_dir, {"check", m_manifest.string(), "--no-network"});
        const auto status = root.wait_for_exit(30s);
        ASSERT_TRUE(status) << root.output();
        EXPECT_EQ(exit_code_of(*status), 0) << root.output();
    }

    // A .golaunch/ of root's own is not writable by nobody either.
    std::filesystem::create_directory(m_dir.path() / ".golaunch");
    result = golaunch({"check", m_manifest.string(), "--no-network"});
    EXPECT_EQ(result.code, 3) << result.output;
    EXPECT_NE(result.output.find("[project-dir-not-writable] golaunch cannot keep its files in " +
                                 (m_dir.path() / ".golaunch").string() + ": " +
                                 (m_dir.path() / ".golaunch").string() + " is not writable"),
              std::string::npos)
        << result.output;
}

} // namespace
} // namespace golaunch::test
