#include "platform/hosts_path.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace golaunch {
namespace {

TEST(HostsPathWin32, IsUnderSystemRootAndFollowsIt) {
    const char* root = std::getenv("SystemRoot");
    ASSERT_NE(root, nullptr) << "Windows (and Wine) always set SystemRoot";
    EXPECT_EQ(system_hosts_path(),
              std::filesystem::path(root) / "System32" / "drivers" / "etc" / "hosts");
    const std::string saved = root;
    ASSERT_EQ(_putenv_s("SystemRoot", "D:\\Win"), 0);
    EXPECT_EQ(system_hosts_path().string(), "D:\\Win\\System32\\drivers\\etc\\hosts");
    _putenv_s("SystemRoot", saved.c_str());
}

TEST(HostsPathWin32, TheEditHintNamesAnAdministratorTerminal) {
    const auto hint = hosts_edit_hint("C:\\Windows\\System32\\drivers\\etc\\hosts");
    EXPECT_NE(hint.find("Run as administrator"), std::string::npos) << hint;
    EXPECT_EQ(hint.find("sudo"), std::string::npos) << hint;
}

} // namespace
} // namespace golaunch
