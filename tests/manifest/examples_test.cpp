// Every manifest under examples/ must load.
#include "manifest/loader.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace golaunch {
namespace {

TEST(Examples, EveryExampleManifestLoads) {
    const std::filesystem::path root = GOLAUNCH_SOURCE_DIR "/examples";
    int loaded = 0;
    if (std::filesystem::is_directory(root)) {
        for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
            if (!entry.is_regular_file() || entry.path().extension() != ".toml") {
                continue;
            }
            SCOPED_TRACE(entry.path().string());
            try {
                const Manifest manifest = load_manifest(entry.path());
                EXPECT_FALSE(manifest.services.empty());
                ++loaded;
            } catch (const Error& error) {
                ADD_FAILURE() << error.what() << "\nhint: " << error.hint();
            }
        }
    }
    EXPECT_GE(loaded, 1) << "no *.toml found under " << root;
}

} // namespace
} // namespace golaunch
