#include "platform/hosts_path.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

TEST(HostsFile, SystemPathIsEtcHosts) {
    EXPECT_EQ(system_hosts_path(), std::filesystem::path("/etc/hosts"));
}

} // namespace
} // namespace golaunch
