// What `watch` looks at: the real `go list -deps -json` of a module made here (its own packages
// only, their embedded files, go.mod and go.sum), globs, and which changes count.
#include "supervise/watch_set.hpp"

#include "platform/command_output.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

TEST(WatchSet, FromGoListTheMainModulesPackagesTheirEmbedsAndGoMod) {
    test::TempDir dir;
    const auto root = std::filesystem::canonical(dir.path());
    dir.write("go.mod", "module example.com/m\n\ngo 1.19\n");
    std::filesystem::create_directories(root / "cmd" / "api");
    std::filesystem::create_directories(root / "lib" / "static");
    dir.write("lib/lib.go", "package lib\n\nimport _ \"embed\"\n\n//go:embed static/page.html\n"
                            "var Page string\n");
    dir.write("lib/static/page.html", "<p>hi</p>\n");
    dir.write("cmd/api/main.go", "package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n\n"
                                 "\t\"example.com/m/lib\"\n)\n\nfunc main() {\n"
                                 "\tfmt.Println(lib.Page, http.StatusOK)\n}\n");
    const auto listed = run_command({"go", "list", "-deps", "-json", "./cmd/api"}, 60s, {}, root);
    ASSERT_EQ(listed.exit_code, 0) << listed.err << listed.error;
    const auto set = watch_set_from_go_list(listed.out);
    EXPECT_EQ(set.packages, (std::set<std::string>{"example.com/m/cmd/api", "example.com/m/lib"}))
        << "the standard library is not watched";
    EXPECT_EQ(set.dirs, (std::set<std::filesystem::path>{root / "cmd" / "api", root / "lib"}));
    EXPECT_EQ(set.files.count(root / "lib" / "static" / "page.html"), 1U);
    EXPECT_EQ(set.files.count(root / "go.mod"), 1U);
    EXPECT_EQ(set.files.count(root / "go.sum"), 1U);

    EXPECT_TRUE(is_relevant(set, root / "lib" / "lib.go"));
    EXPECT_TRUE(is_relevant(set, root / "lib" / "new.go"));
    EXPECT_TRUE(is_relevant(set, root / "lib" / "static" / "page.html"));
    EXPECT_TRUE(is_relevant(set, root / "go.mod"));
    EXPECT_FALSE(is_relevant(set, root / "lib" / "lib_test.go"));
    EXPECT_FALSE(is_relevant(set, root / "lib" / ".lib.go.swp"));
    EXPECT_FALSE(is_relevant(set, root / "lib" / "lib.go~"));
    EXPECT_FALSE(is_relevant(set, root / "lib" / "4913"));
    EXPECT_FALSE(is_relevant(set, root / "lib" / "README.md"));
    EXPECT_FALSE(is_relevant(set, root / "other" / "x.go"));
}

TEST(WatchSet, NotGoListOutputIsAnError) {
    EXPECT_THROW(watch_set_from_go_list("{\"Dir\": "), Error);
    EXPECT_TRUE(watch_set_from_go_list("").dirs.empty());
}

TEST(WatchSet, GlobsMatchRelativePathsAndNameTheirBase) {
    EXPECT_EQ(glob_base("templates/**/*.html"), "templates");
    EXPECT_EQ(glob_base("a/b/*.css"), "a/b");
    EXPECT_EQ(glob_base("*.txt"), "");
    WatchSet set;
    add_globs(set, "/p", {"templates/**", "conf/*.toml"});
    EXPECT_TRUE(is_relevant(set, "/p/templates/index.html"));
    EXPECT_TRUE(is_relevant(set, "/p/templates/a/b/c.html"));
    EXPECT_TRUE(is_relevant(set, "/p/conf/app.toml"));
    EXPECT_FALSE(is_relevant(set, "/p/conf/sub/app.toml"));
    EXPECT_FALSE(is_relevant(set, "/p/conf/app.toml.bak"));
    EXPECT_FALSE(is_relevant(set, "/p/.golaunch/templates/x"));
    EXPECT_FALSE(is_relevant(set, "/elsewhere/templates/x"));
}

} // namespace
} // namespace golaunch
