// The manifest and its env_file: a FIFO, /dev/zero or a 17 MiB file is refused at once with
// the file named, and an env_file problem is located at its `env_file` key.
#include "manifest/env_file.hpp"
#include "manifest/loader.hpp"
#include "util/error.hpp"
#include "util/hostile_files.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using test::k_instant;
using test::time_of;

// The error `action` throws, which must come well under a second.
template <typename Action> Error error_of(Action&& action) {
    std::optional<Error> error;
    EXPECT_LT(time_of([&] {
                  try {
                      action();
                  } catch (const Error& e) {
                      error = e;
                  }
              }),
              k_instant);
    if (!error) {
        ADD_FAILURE() << "no error";
        return Error("no error");
    }
    return *error;
}

const char* const k_manifest_hint =
    "run golaunch in the directory that holds golaunch.toml or app.toml, or name the manifest";

TEST(HostileFiles, ManifestThatIsAFifoDevZeroOrTooLarge) {
    const test::TempDir dir;
    const auto fifo = test::make_fifo(dir, "fifo.toml");
    const test::FifoRescue rescue(fifo);
    Error error = error_of([&] { load_manifest(fifo); });
    EXPECT_EQ(std::string(error.what()),
              "cannot read " + fifo.string() + ": not a regular file (a FIFO)");
    EXPECT_EQ(error.hint(), k_manifest_hint);
    EXPECT_EQ(error.code(), ExitCode::usage);

    error = error_of([&] { load_manifest("/dev/zero"); });
    EXPECT_EQ(std::string(error.what()),
              "cannot read /dev/zero: not a regular file (a character device)");

    const auto big = test::make_sparse_file(dir, "big.toml");
    error = error_of([&] { load_manifest(big); });
    EXPECT_EQ(std::string(error.what()), "cannot read " + big.string() +
                                             ": too large (17825792 bytes; the limit is 16777216)");
    EXPECT_FALSE(rescue.rescued()) << "something blocked opening the FIFO";
}

TEST(HostileFiles, EnvFileLoaderRefusesThemToo) {
    const test::TempDir dir;
    const auto fifo = test::make_fifo(dir, ".env");
    const test::FifoRescue rescue(fifo);
    EXPECT_EQ(std::string(error_of([&] { load_env_file(fifo); }).what()),
              "cannot read " + fifo.string() + ": not a regular file (a FIFO)");
    EXPECT_EQ(std::string(error_of([&] { load_env_file("/dev/zero"); }).what()),
              "cannot read /dev/zero: not a regular file (a character device)");
    const auto big = test::make_sparse_file(dir, "big.env");
    EXPECT_EQ(std::string(error_of([&] { load_env_file(big); }).what()),
              "cannot read " + big.string() +
                  ": too large (17825792 bytes; the limit is 16777216)");
    EXPECT_FALSE(rescue.rescued()) << "something blocked opening the FIFO";
}

std::string manifest_with_env_file(const std::string& env_file) {
    return "version = 1\n"
           "[services.api]\n"
           "cmd = [\"true\"]\n"
           "  env_file = \"" +
           env_file + "\"\n";
}

const char* const k_env_hint = "env_file must name a regular file of KEY=VALUE lines, at most "
                               "16 MiB, relative to the manifest";

TEST(HostileFiles, EnvFileProblemsAreLocatedAtTheKey) {
    const test::TempDir dir;
    const auto fifo = test::make_fifo(dir, "fifo.env");
    const test::FifoRescue rescue(fifo);
    test::make_sparse_file(dir, "big.env");
    struct Case {
        std::string env_file;
        std::string named;
        std::string problem;
        std::string hint;
    };
    const std::vector<Case> cases = {
        {"/dev/zero", "'/dev/zero'", "not a regular file (a character device)", k_env_hint},
        {"fifo.env", "'fifo.env' (" + fifo.string() + ")", "not a regular file (a FIFO)",
         k_env_hint},
        {"big.env", "'big.env' (" + (dir.path() / "big.env").string() + ")",
         "too large (17825792 bytes; the limit is 16777216)", k_env_hint},
        {"./missing.env", "'./missing.env' (" + (dir.path() / "missing.env").string() + ")",
         "No such file or directory", "create the file or remove env_file from the manifest"},
        {"envdir", "'envdir' (" + (dir.path() / "envdir").string() + ")",
         "not a regular file (a directory)", k_env_hint},
    };
    std::filesystem::create_directory(dir.path() / "envdir");
    for (const auto& c : cases) {
        const auto manifest = dir.write("app.toml", manifest_with_env_file(c.env_file));
        const Error error = error_of([&] { load_manifest(manifest); });
        EXPECT_EQ(std::string(error.what()),
                  manifest.string() + ":4:3: error: cannot read env_file " + c.named +
                      " of service 'api': " + c.problem + "\n" + "    4 |   env_file = \"" +
                      c.env_file + "\"\n" + "      |   ^");
        EXPECT_EQ(error.hint(), c.hint);
        EXPECT_EQ(error.code(), ExitCode::usage);
        EXPECT_TRUE(error.is_located());
    }
    EXPECT_FALSE(rescue.rescued()) << "something blocked opening the FIFO";
}

TEST(HostileFiles, AGoodEnvFileLoadsAndABadOneIsLocatedInIt) {
    const test::TempDir dir;
    dir.write(".env", "A=1\n");
    const auto manifest = dir.write("app.toml", manifest_with_env_file(".env"));
    EXPECT_EQ(load_manifest(manifest).services.at(0).env_file, ".env");
    dir.write(".env", "A=1\nnot an assignment\n");
    const Error error = error_of([&] { load_manifest(manifest); });
    EXPECT_EQ(std::string(error.what()), (dir.path() / ".env").string() +
                                             ":2:5: error: expected KEY=VALUE\n"
                                             "    2 | not an assignment\n"
                                             "      |     ^");
    EXPECT_EQ(error.hint(), "env_file of service 'api' (" + manifest.string() +
                                ":4:3): write one KEY=VALUE per line; quote values with '...' or "
                                "\"...\"");
    EXPECT_EQ(error.code(), ExitCode::usage);
    EXPECT_TRUE(error.is_located());
}

} // namespace
} // namespace golaunch
