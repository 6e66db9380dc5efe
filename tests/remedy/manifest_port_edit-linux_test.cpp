// POSIX file modes survive the rewrite (Windows has none to keep).
#include "remedy/manifest_port_edit.hpp"

#include "manifest/loader.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

TEST(ManifestPortEdit, WritesTheFileKeepingItsMode) {
    test::TempDir dir;
    const std::string text = "version = 1\n[services.api]\ncmd = [\"true\"]\nports = { http = "
                             "8080 }\n";
    const auto path = dir.write("app.toml", text);
    std::filesystem::permissions(path, std::filesystem::perms(0640));
    write_port_number(load_manifest(path), "api", "http", 8443);
    EXPECT_EQ(test::read_file(path), "version = 1\n[services.api]\ncmd = [\"true\"]\nports = { "
                                     "http = 8443 }\n");
    EXPECT_EQ(std::filesystem::status(path).permissions(), std::filesystem::perms(0640));
}

} // namespace
} // namespace golaunch
