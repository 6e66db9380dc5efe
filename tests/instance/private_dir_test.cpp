// instance/private_dir: nothing under .golaunch/ is reached through a symbolic link, on real
// files in a temp dir. The end-to-end refusals of `run` and `fix` are in cli/private_dir_test.
#include "instance/private_dir.hpp"

#include "instance/atomic_file.hpp"
#include "instance/port_override.hpp"
#include "instance/state_file.hpp"
#include "remedy/port_override_edit.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace golaunch::test {
namespace {

constexpr const char* k_precious = "precious\n";

// `what` throws a golaunch::Error whose message names `link` as a symbolic link.
template <typename Action>
void expect_link_refused(Action what, const std::filesystem::path& link) {
    try {
        what();
        ADD_FAILURE() << "no error for " << link;
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).rfind(link.string() + " is a symbolic link", 0), 0U)
            << e.what();
        EXPECT_NE(e.hint().find("remove it"), std::string::npos) << e.hint();
    }
}

class PrivateDir : public testing::Test {
  protected:
    std::filesystem::path golaunch_dir() const { return m_dir.path() / ".golaunch"; }
    // .golaunch/NAME -> a file holding k_precious (or, dangling, a path that does not exist).
    std::filesystem::path link(const std::string& name, bool dangling = false) {
        std::filesystem::create_directories(golaunch_dir());
        m_target = dangling ? m_dir.path() / "missing" : m_dir.write("target", k_precious);
        const auto path = golaunch_dir() / name;
        std::filesystem::create_symlink(m_target, path);
        return path;
    }
    void expect_target_untouched(bool dangling = false) const {
        if (dangling) {
            EXPECT_FALSE(std::filesystem::exists(m_target));
        } else {
            EXPECT_EQ(read_file(m_target), k_precious);
        }
    }

    TempDir m_dir;
    std::filesystem::path m_target;
};

TEST_F(PrivateDir, OpenCreatesTheDirectoryAndTheFile) {
    const auto file = golaunch_dir() / "lock";
    const int fd = static_cast<int>(open_private_file(file, "open"));
    ASSERT_GE(fd, 0);
    ::close(fd);
    EXPECT_TRUE(std::filesystem::is_regular_file(file));
}

TEST_F(PrivateDir, OpenRefusesALinkToAFileAndLeavesItsBytes) {
    const auto path = link("lock");
    expect_link_refused([&] { open_private_file(path, "open"); }, path);
    expect_target_untouched();
}

TEST_F(PrivateDir, OpenRefusesADanglingLinkAndCreatesNoTarget) {
    const auto path = link("lock", true);
    expect_link_refused([&] { open_private_file(path, "open"); }, path);
    expect_target_untouched(true);
}

TEST_F(PrivateDir, ReadIsNulloptWhenMissingTheContentWhenPresentAndRefusesALink) {
    EXPECT_FALSE(read_private_file(golaunch_dir() / "state.json"));
    m_dir.write(".golaunch/state.json", "{}\n");
    EXPECT_EQ(read_private_file(golaunch_dir() / "state.json"), std::optional<std::string>("{}\n"));
    const auto path = link("ports.toml");
    expect_link_refused([&] { read_private_file(path); }, path);
}

TEST_F(PrivateDir, WriteRefusesALinkInsteadOfReplacingIt) {
    const auto path = link("state.json");
    expect_link_refused([&] { write_private_file(path, "new\n"); }, path);
    expect_target_untouched();
    EXPECT_TRUE(std::filesystem::is_symlink(path));
}

TEST_F(PrivateDir, RemoveRefusesALink) {
    const auto path = link("ports.toml");
    expect_link_refused([&] { remove_private_file(path); }, path);
    EXPECT_TRUE(std::filesystem::is_symlink(path));
}

TEST_F(PrivateDir, TheGolaunchDirectoryItselfAndItsSubfoldersMustNotBeLinks) {
    std::filesystem::create_directories(m_dir.path() / "elsewhere");
    std::filesystem::create_directory_symlink(m_dir.path() / "elsewhere", golaunch_dir());
    expect_link_refused([&] { ensure_private_dir(golaunch_dir() / "bin"); }, golaunch_dir());
    expect_link_refused([&] { open_private_file(golaunch_dir() / "lock", "open"); },
                        golaunch_dir());
    EXPECT_TRUE(files_in(m_dir.path() / "elsewhere").empty());

    std::filesystem::remove(golaunch_dir());
    std::filesystem::create_directory(golaunch_dir());
    std::filesystem::create_directory_symlink(m_dir.path() / "elsewhere", golaunch_dir() / "bin");
    expect_link_refused([&] { ensure_private_dir(golaunch_dir() / "bin"); },
                        golaunch_dir() / "bin");
}

TEST_F(PrivateDir, DanglingGolaunchDirectoryIsRefusedAndNothingIsCreated) {
    std::filesystem::create_directory_symlink(m_dir.path() / "nowhere", golaunch_dir());
    expect_link_refused([&] { ensure_private_dir(golaunch_dir()); }, golaunch_dir());
    expect_link_refused([&] { write_private_file(golaunch_dir() / "state.json", "x"); },
                        golaunch_dir());
    EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "nowhere"));
}

TEST_F(PrivateDir, AFileWhereADirectoryBelongsIsNamed) {
    m_dir.write(".golaunch", "not a folder");
    try {
        ensure_private_dir(golaunch_dir() / "bin");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(
            std::string(e.what()).find("cannot create the directory " + golaunch_dir().string()),
            std::string::npos)
            << e.what();
    }
}

TEST_F(PrivateDir, LinksAboveGolaunchAreFollowed) {
    // The project directory may itself be reached through a link; only .golaunch/ is private.
    std::filesystem::create_directories(m_dir.path() / "real");
    std::filesystem::create_directory_symlink(m_dir.path() / "real", m_dir.path() / "project");
    write_private_file(m_dir.path() / "project" / ".golaunch" / "state.json", "{}\n");
    EXPECT_EQ(read_file(m_dir.path() / "real" / ".golaunch" / "state.json"), "{}\n");
}

TEST_F(PrivateDir, RefuseLinksInNamesTheFirstLinkInTheDirectory) {
    m_dir.write(".golaunch/state.json", "{}\n");
    refuse_links_in(golaunch_dir());
    const auto path = link("go-cache");
    expect_link_refused([&] { refuse_links_in(golaunch_dir()); }, path);
}

TEST_F(PrivateDir, FileLockRefusesALink) {
    const auto path = link("state.lock");
    expect_link_refused([&] { const FileLock lock(path); }, path);
    expect_target_untouched();
}

TEST_F(PrivateDir, StateFileAndPortOverridesRefuseLinks) {
    const auto state = link("state.json");
    InstanceRecord record = current_instance(m_dir.path() / "app.toml", "");
    expect_link_refused([&] { record_instance(state, record); }, state);
    expect_link_refused([&] { read_instances(state); }, state);
    expect_target_untouched();

    const auto ports = golaunch_dir() / "ports.toml";
    std::filesystem::create_symlink(m_target, ports);
    expect_link_refused([&] { read_port_overrides(ports); }, ports);
    expect_link_refused([&] { write_port_overrides(ports, {{"api", "http", 8081, {}}}); }, ports);
    expect_target_untouched();
}

} // namespace
} // namespace golaunch::test
