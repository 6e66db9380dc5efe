// Shell completion for real: bash sources the script `golaunch completion bash` prints, the test
// sets COMP_WORDS/COMP_CWORD as readline does and calls the function, and COMPREPLY must hold
// the subcommands, options, option values and the manifest's service names.
#include "cli/completion.hpp"
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

std::string lines(const std::vector<std::string>& words) {
    std::string text;
    for (const auto& word : words) {
        text += word + "\n";
    }
    return text;
}

class BashCompletion : public ::testing::Test {
  protected:
    void SetUp() override {
        m_dir.write("golaunch.toml", "version = 1\nname = \"c\"\n"
                                     "[services.api]\ncmd = [\"/bin/true\"]\n"
                                     "[services.catalog]\ncmd = [\"/bin/true\"]\n");
        GolaunchRun print(m_dir, {"completion", "bash"});
        ASSERT_EQ(print.wait_for_exit(30s), 0) << print.output();
        m_script = m_dir.write("golaunch.bash", print.output());
    }

    // COMPREPLY after completing `words` at `cword`, run in the manifest's directory.
    std::string complete(const std::vector<std::string>& words, int cword) {
        std::string array;
        for (const auto& word : words) {
            array += " " + shell_quote(word);
        }
        const std::string script = "cd " + shell_quote(m_dir.path().string()) + " && source " +
                                   shell_quote(m_script.string()) + " && COMP_WORDS=(" + array +
                                   ") && COMP_CWORD=" + std::to_string(cword) +
                                   " && _golaunch && printf '%s\\n' \"${COMPREPLY[@]}\"";
        const auto log = m_dir.path() / "reply.log";
        const std::string path =
            "PATH=" + std::filesystem::path(golaunch_binary()).parent_path().string() +
            ":/usr/bin:/bin";
        ChildProcess bash({"/bin/bash", "--norc", "--noprofile", "-c", script}, log.string(),
                          {path});
        const auto status = bash.wait_for(30s);
        EXPECT_TRUE(status.has_value());
        auto text = read_file(log);
        return text == "\n" ? "" : text; // printf of an empty array prints one newline
    }

    TempDir m_dir;
    std::filesystem::path m_script;
};

TEST_F(BashCompletion, CompletesSubcommandsOptionsValuesAndServices) {
    EXPECT_EQ(complete({"golaunch", "re"}, 1), "restart\n");
    EXPECT_EQ(complete({"golaunch", "restart", ""}, 2), "api\ncatalog\n");
    EXPECT_EQ(complete({"golaunch", "restart", "api", ""}, 3), "catalog\n") << "each service once";
    EXPECT_EQ(complete({"golaunch", "logs", "-f", "c"}, 3), "catalog\n");
    EXPECT_EQ(complete({"golaunch", "run", "--monitor", ""}, 3),
              lines({"auto", "notify", "ptrace", "hook", "poll", "off"}));
    EXPECT_EQ(complete({"golaunch", "run", "--monitor", "p"}, 3), "ptrace\npoll\n");
    EXPECT_EQ(complete({"golaunch", "logs", "--fo"}, 2), "--follow\n");
    EXPECT_EQ(complete({"golaunch", "completion", ""}, 2),
              lines({"bash", "zsh", "fish", "powershell"}));
    EXPECT_EQ(complete({"golaunch", "nope", ""}, 2), "");
    EXPECT_EQ(complete({"golaunch", "run", "--poll"}, 2), "") << "hidden options are not offered";
}

TEST_F(BashCompletion, AManifestThatDoesNotLoadGivesNoNamesAndNoNoise) {
    m_dir.write("golaunch.toml", "version = 1\n[services.api\n");
    EXPECT_EQ(complete({"golaunch", "restart", ""}, 2), "");
    const auto manifest = (m_dir.path() / "golaunch.toml").string();
    GolaunchRun direct(m_dir, {"__complete", "3", "golaunch", "restart", manifest, ""});
    ASSERT_EQ(direct.wait_for_exit(30s), 0);
    EXPECT_EQ(direct.output(), "") << "nothing on stdout or stderr";
}

// fish and zsh run the scripts golaunch prints, in the same directory as the bash tests.
class OtherShellCompletion : public BashCompletion {
  protected:
    // What `shell` prints for `script`, run after `before` and the completion script. zsh's
    // compdef exists only once its completion system is loaded: a stub that does nothing by
    // default.
    std::string run(const std::string& shell, const std::string& script,
                    const std::string& before = "compdef() { :; }; ") {
        GolaunchRun print(m_dir, {"completion", shell});
        EXPECT_EQ(print.wait_for_exit(30s), 0) << print.output();
        const auto file = m_dir.write("golaunch." + shell, print.output());
        const auto log = m_dir.path() / (shell + ".log");
        const std::string path =
            "PATH=" + std::filesystem::path(golaunch_binary()).parent_path().string() +
            ":/usr/bin:/bin";
        const std::string body = "cd " + shell_quote(m_dir.path().string()) + "; " +
                                 (shell == "zsh" ? before : "") + "source " +
                                 shell_quote(file.string()) + "; " + script;
        std::vector<std::string> argv =
            shell == "fish" ? std::vector<std::string>{"/usr/bin/fish", "--no-config", "-c", body}
                            : std::vector<std::string>{"/usr/bin/zsh", "-f", "-c", body};
        ChildProcess child(argv, log.string(), {path});
        EXPECT_TRUE(child.wait_for(30s).has_value());
        return read_file(log);
    }
};

// fish's own completion engine (`complete -C`, as when Tab is pressed): golaunch's candidates
// alone where it has some, files where it has none (a manifest path).
TEST_F(OtherShellCompletion, FishCompletesThroughItsOwnEngine) {
    if (::access("/usr/bin/fish", X_OK) != 0) {
        GTEST_SKIP() << "fish is not installed (apt install fish; .ci/install-deps --all)";
    }
    EXPECT_EQ(run("fish", "complete -C 'golaunch re'"), "restart\n");
    EXPECT_EQ(run("fish", "complete -C 'golaunch restart '"), "api\ncatalog\n")
        << "service names only, no files";
    EXPECT_EQ(run("fish", "complete -C 'golaunch restart api '"), "catalog\n");
    EXPECT_EQ(run("fish", "complete -C 'golaunch run --monitor p'"), "poll\nptrace\n");
    EXPECT_EQ(run("fish", "complete -C 'golaunch run ./golaunch.t'"), "./golaunch.toml\n")
        << "a path where golaunch offers nothing";
}

// zsh runs the function as its completion system would call it (words, CURRENT), with the
// system's compadd and _files, which exist only inside a completion widget, standing in.
TEST_F(OtherShellCompletion, ZshFunctionAddsGolaunchsCandidatesOrFiles) {
    if (::access("/usr/bin/zsh", X_OK) != 0) {
        GTEST_SKIP() << "zsh is not installed (apt install zsh; .ci/install-deps --all)";
    }
    const std::string stubs = "compadd() { [[ $1 == -a ]] && print -l -- \"${(@P)2}\"; }; "
                              "_files() { print '<files>'; }; ";
    // Sourcing registers the function with compdef.
    EXPECT_EQ(run("zsh", "true", "compdef() { print compdef \"$@\"; }; "),
              "compdef _golaunch golaunch\n");
    EXPECT_EQ(run("zsh", stubs + "words=(golaunch re); CURRENT=2; _golaunch"), "restart\n");
    EXPECT_EQ(run("zsh", stubs + "words=(golaunch restart ''); CURRENT=3; _golaunch"),
              "api\ncatalog\n");
    EXPECT_EQ(run("zsh", stubs + "words=(golaunch run --monitor ''); CURRENT=4; _golaunch"),
              lines({"auto", "notify", "ptrace", "hook", "poll", "off"}));
    EXPECT_EQ(run("zsh", stubs + "words=(golaunch run ./g); CURRENT=3; _golaunch"), "<files>\n");
}

TEST(CompletionScript, EveryShellHasOneAndOthersAreAUsageError) {
    for (const char* shell : {"bash", "zsh", "fish", "powershell"}) {
        EXPECT_NE(completion_script(shell).find("__complete"), std::string::npos) << shell;
    }
    EXPECT_THROW(completion_script("tcsh"), std::exception);
}

} // namespace
} // namespace golaunch::test
