// Manifest limits: dependency order and cycle search are iterative and linear (a 100,000-long
// chain neither overflows the stack nor takes quadratic time), and a manifest of more than
// 10,000 services is refused with a located error before any per-service work.
#include "manifest/dependency_order.hpp"
#include "manifest/loader.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

std::string name_of(std::size_t i) {
    return "s" + std::to_string(i);
}

// services s0..s(count-1), each depending on the next one; with `cycle` the last depends on s0.
Manifest chain_in_memory(std::size_t count, bool cycle) {
    Manifest manifest;
    manifest.services.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        ServiceSpec service;
        service.name = name_of(i);
        if (i + 1 < count || cycle) {
            service.depends_on = {name_of((i + 1) % count)};
        }
        manifest.services.push_back(std::move(service));
    }
    return manifest;
}

// The same as a manifest file: "[services.sI]", cmd, and the depends_on line (3 lines each).
std::string chain_text(std::size_t count, bool cycle, bool depends = true) {
    std::string text = "version = 1\n";
    for (std::size_t i = 0; i < count; ++i) {
        text += "[services." + name_of(i) + "]\ncmd = [\"true\"]\n";
        if (depends && (i + 1 < count || cycle)) {
            text += "depends_on = [\"" + name_of((i + 1) % count) + "\"]\n";
        }
    }
    return text;
}

// Linear, measured against a baseline from the same run: the large case does 10 times the
// work of its baseline, so linear code takes about 10 times as long, while the quadratic or
// recursive code this replaced took about 100 times (11.5 s for a 40,000-long chain; it crashed
// at 100,000). Measured in the thread's CPU time, not wall time: an absolute budget failed
// under load (11.5 s against 10 s with six ASan tests on two cores), and so did a ratio of wall
// times, when the baseline ran on a free core and the large case beside nine busy processes
// (79x). CPU time does not count the time the thread waited for a core.
constexpr double k_max_ratio = 35;

// The least CPU time of three runs of `work`: its cost, with the least of the machine's load in
// it (caches shared with busy neighbours). At least 1 ms, so that a ratio to it is defined.
template <typename Work> double fastest_ms(Work work) {
    double fastest = 1e12;
    for (int i = 0; i < 3; ++i) {
        const double start = test::thread_cpu_ms();
        work();
        fastest = std::min(fastest, test::thread_cpu_ms() - start);
    }
    return std::max(fastest, 1.0);
}

TEST(ManifestLimits, AHundredThousandLongChainOrdersWithoutRecursion) {
    const Manifest baseline = chain_in_memory(10'000, false);
    const Manifest manifest = chain_in_memory(100'000, false);
    std::vector<std::string> order;
    const double small = fastest_ms([&] { order = dependency_order(baseline); });
    const double large = fastest_ms([&] { order = dependency_order(manifest); });
    EXPECT_LT(large / small, k_max_ratio) << large << " ms against " << small << " ms";
    ASSERT_EQ(order.size(), 100'000u);
    EXPECT_EQ(order.front(), "s99999");
    EXPECT_EQ(order.back(), "s0");
    EXPECT_TRUE(find_dependency_cycle(manifest).empty());
}

TEST(ManifestLimits, AHundredThousandLongCycleIsNamedWithoutRecursion) {
    const Manifest baseline = chain_in_memory(10'000, true);
    const Manifest manifest = chain_in_memory(100'000, true);
    std::vector<std::string> cycle;
    const double small = fastest_ms([&] { cycle = find_dependency_cycle(baseline); });
    const double large = fastest_ms([&] { cycle = find_dependency_cycle(manifest); });
    EXPECT_LT(large / small, k_max_ratio) << large << " ms against " << small << " ms";
    ASSERT_EQ(cycle.size(), 100'001u);
    EXPECT_EQ(cycle.front(), "s0");
    EXPECT_EQ(cycle[1], "s1");
    EXPECT_EQ(cycle.back(), "s0");
    EXPECT_THROW(dependency_order(manifest), Error);
}

TEST(ManifestLimits, ATenThousandServiceChainLoadsAndOrders) {
    const test::TempDir dir;
    const auto baseline = dir.write("small.toml", chain_text(1'000, false));
    const auto path = dir.write("app.toml", chain_text(10'000, false));
    std::vector<std::string> order;
    const double small = fastest_ms([&] { order = dependency_order(load_manifest(baseline)); });
    const double large = fastest_ms([&] { order = dependency_order(load_manifest(path)); });
    EXPECT_LT(large / small, k_max_ratio) << large << " ms against " << small << " ms";
    ASSERT_EQ(order.size(), 10'000u);
    EXPECT_EQ(order.front(), "s9999");
    EXPECT_EQ(order.back(), "s0");
}

Error load_error(const std::filesystem::path& path) {
    try {
        load_manifest(path);
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "no error";
    return Error("no error");
}

TEST(ManifestLimits, TenThousandAndOneServicesAreRefusedAtTheFirstOneOver) {
    const test::TempDir dir;
    const auto path = dir.write("app.toml", chain_text(10'001, false, false));
    const Error error = load_error(path);
    // s10000 is the 10,001st service: its table header is line 2 + 2 * 10000.
    EXPECT_EQ(std::string(error.what()),
              path.string() + ":20002:11: error: too many services: 10001 (the limit is 10000)\n"
                              " 20002 | [services.s10000]\n"
                              "       |           ^");
    EXPECT_EQ(error.hint(), "golaunch supervises at most 10000 services per manifest; split the "
                            "project into several manifests");
    EXPECT_EQ(error.code(), ExitCode::usage);
}

TEST(ManifestLimits, AHundredThousandServicesHitTheLimitEarly) {
    const test::TempDir dir;
    // Refused in a time linear in the file: ten times the services of a manifest that loads in
    // full (the parse grows with the bytes; no per-service work is done past the limit).
    const auto baseline = dir.write("small.toml", chain_text(10'000, false, false));
    const auto path = dir.write("app.toml", chain_text(100'000, false, false));
    std::string message;
    const double small = fastest_ms([&] { load_manifest(baseline); });
    const double large = fastest_ms([&] { message = load_error(path).what(); });
    EXPECT_LT(large / small, k_max_ratio) << large << " ms against " << small << " ms";
    EXPECT_EQ(message.substr(0, message.find('\n')),
              path.string() + ":20002:11: error: too many services: 100000 (the limit is 10000)");
}

TEST(ManifestLimits, ANearlyTenThousandLongCycleIsTheCycleErrorNotACrash) {
    const test::TempDir dir;
    const auto path = dir.write("app.toml", chain_text(9'999, true));
    const std::string message = load_error(path).what();
    EXPECT_EQ(message.substr(0, message.find(" -> ")),
              path.string() + ":4:15: error: dependency cycle: s0");
    const std::string first_line = message.substr(0, message.find('\n'));
    EXPECT_EQ(first_line.substr(first_line.size() - 14), "-> s9998 -> s0");
    EXPECT_NE(message.find("\n    4 | depends_on = [\"s1\"]\n"), std::string::npos);
}

} // namespace
} // namespace golaunch
