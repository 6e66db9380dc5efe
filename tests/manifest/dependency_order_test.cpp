// Start order from depends_on.
#include "manifest/dependency_order.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

Manifest manifest_of(const std::vector<std::pair<std::string, std::vector<std::string>>>& graph) {
    Manifest manifest;
    for (const auto& [name, depends_on] : graph) {
        ServiceSpec service;
        service.name = name;
        service.cmd = {name};
        service.depends_on = depends_on;
        manifest.services.push_back(service);
    }
    return manifest;
}

using Names = std::vector<std::string>;

TEST(DependencyOrder, FileOrderWithoutDependencies) {
    EXPECT_EQ(dependency_order(manifest_of({{"a", {}}, {"b", {}}, {"c", {}}})),
              (Names{"a", "b", "c"}));
}

TEST(DependencyOrder, DependenciesFirstTiesInFileOrder) {
    const Manifest manifest = manifest_of({{"web", {"api"}},
                                           {"api", {"db", "cache"}},
                                           {"worker", {"db"}},
                                           {"cache", {}},
                                           {"db", {}}});
    EXPECT_EQ(dependency_order(manifest), (Names{"cache", "db", "api", "web", "worker"}));
}

TEST(DependencyOrder, SelectedWithTransitiveDependencies) {
    const Manifest manifest = manifest_of({{"web", {"api"}},
                                           {"api", {"db"}},
                                           {"worker", {"queue"}},
                                           {"queue", {}},
                                           {"db", {}},
                                           {"docs", {}}});
    EXPECT_EQ(dependency_order(manifest, {"web"}), (Names{"db", "api", "web"}));
    EXPECT_EQ(dependency_order(manifest, {"docs", "worker"}), (Names{"queue", "worker", "docs"}));
    EXPECT_EQ(dependency_order(manifest, {"db", "db"}), (Names{"db"}));
}

TEST(DependencyOrder, UnknownSelectedServiceSuggestsAName) {
    const Manifest manifest = manifest_of({{"api", {}}, {"db", {}}});
    try {
        dependency_order(manifest, {"apj"});
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()), "unknown service 'apj'");
        EXPECT_EQ(error.hint(), "did you mean 'api'?");
        EXPECT_EQ(error.code(), ExitCode::usage);
    }
}

TEST(DependencyOrder, CycleIsNamed) {
    const Manifest manifest = manifest_of({{"x", {}}, {"b", {"c"}}, {"a", {"b"}}, {"c", {"a"}}});
    EXPECT_EQ(find_dependency_cycle(manifest), (Names{"b", "c", "a", "b"}));
    try {
        dependency_order(manifest);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()), "dependency cycle: b -> c -> a -> b");
    }
    EXPECT_EQ(find_dependency_cycle(manifest_of({{"a", {"a"}}})), (Names{"a", "a"}));
    EXPECT_TRUE(find_dependency_cycle(manifest_of({{"a", {"b"}}, {"b", {}}})).empty());
}

} // namespace
} // namespace golaunch
