#include "instance/state_file.hpp"

#include "support/dead_instance.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <unistd.h>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

InstanceRecord dead_record(const std::filesystem::path& manifest) {
    const auto dead = test::make_dead_instance();
    InstanceRecord record;
    record.pid = dead.pid;
    record.start_ticks = dead.start_ticks;
    record.manifest = manifest.string();
    return record;
}

TEST(StateFile, CurrentInstanceIsAliveAndItsStartTimeIdentifiesIt) {
    test::TempDir dir;
    const auto manifest = dir.write("app.toml", "version = 1\n");
    auto self = current_instance(manifest, content_hash("version = 1\n"));
    EXPECT_EQ(self.pid, ::getpid());
    EXPECT_GT(self.start_ticks, 0u);
    EXPECT_EQ(self.manifest, manifest.string());
    EXPECT_EQ(self.manifest_hash.rfind("fnv1a64:", 0), 0u);
    EXPECT_TRUE(instance_alive(self));
    self.start_ticks += 1; // the same pid with another start time: a reused pid
    EXPECT_FALSE(instance_alive(self));
    EXPECT_FALSE(instance_alive(dead_record(manifest)));
}

TEST(StateFile, RecordThenForgetRemovesTheFile) {
    test::TempDir dir;
    const auto manifest = dir.write("app.toml", "version = 1\n");
    const auto file = state_file_path(dir.path());
    EXPECT_EQ(file, dir.path() / ".golaunch" / "state.json");
    const auto self = current_instance(manifest, content_hash("x"));
    record_instance(file, self);
    const auto document = nlohmann::json::parse(test::read_file(file));
    ASSERT_EQ(document["instances"].size(), 1u);
    EXPECT_EQ(document["instances"][0]["pid"].get<pid_t>(), ::getpid());
    EXPECT_EQ(document["instances"][0]["start_ticks"].get<std::uint64_t>(), self.start_ticks);
    const auto records = read_instances(file);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].manifest_hash, self.manifest_hash);
    forget_instance(file, ::getpid());
    EXPECT_FALSE(std::filesystem::exists(file));
}

TEST(StateFile, DeadRecordIsKeptWhileItsMarkedProcessesRunAndPrunedAfter) {
    test::TempDir dir;
    const auto manifest = dir.write("app.toml", "version = 1\n");
    const auto file = state_file_path(dir.path());
    const auto dead = dead_record(manifest);
    auto server = std::make_unique<test::FixtureServer>(std::vector<std::string>{
        "GOLAUNCH_PID=" + std::to_string(dead.pid), "GOLAUNCH_SERVICE=web"});
    ASSERT_GT(server->pid, 0);
    record_instance(file, dead);
    const auto marked = marked_processes(dead.pid);
    ASSERT_EQ(marked.size(), 1u);
    EXPECT_EQ(marked[0].pid, server->pid);
    record_instance(file, current_instance(manifest, "h")); // prunes nothing: the orphan runs
    EXPECT_EQ(read_instances(file).size(), 2u);
    server.reset(); // the orphan is gone now
    prune_instances(file);
    const auto left = read_instances(file);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].pid, ::getpid());
}

TEST(StateFile, DamagedFileReadsAsEmptyAndSaysWhy) {
    test::TempDir dir;
    const auto file = dir.write(".golaunch/state.json", "{\"instances\": [ {\"pid\": ");
    std::string problem;
    EXPECT_TRUE(read_instances(file, &problem).empty());
    EXPECT_NE(problem.find("state.json is damaged"), std::string::npos) << problem;
    record_instance(file, current_instance(dir.path() / "app.toml", "h")); // rewritten whole
    EXPECT_EQ(read_instances(file).size(), 1u);
}

TEST(StateFile, ClassifiesHoldersByMarkRecordAndLiveness) {
    test::TempDir dir;
    const auto manifest = dir.write("app.toml", "version = 1\n");
    const auto other_manifest = dir.write("other.toml", "version = 1\n");
    const auto dead = dead_record(manifest);
    const std::vector<InstanceRecord> records{dead};

    test::FixtureServer stale({"GOLAUNCH_PID=" + std::to_string(dead.pid)}, "stale");
    test::FixtureServer plain;
    ASSERT_GT(stale.pid, 0);
    ASSERT_GT(plain.pid, 0);
    const auto stale_info = read_process_info(stale.pid);
    const auto plain_info = read_process_info(plain.pid);
    ASSERT_TRUE(stale_info && plain_info);
    EXPECT_EQ(stale_info->golaunch_pid, dead.pid);

    EXPECT_EQ(classify_holder(*stale_info, records, manifest), HolderKind::stale_ours);
    EXPECT_EQ(classify_holder(*plain_info, records, manifest), HolderKind::foreign);
    // Recorded for another manifest, or not recorded at all: not provably ours.
    EXPECT_EQ(classify_holder(*stale_info, records, other_manifest), HolderKind::stale_unknown);
    EXPECT_EQ(classify_holder(*stale_info, {}, manifest), HolderKind::stale_unknown);
    // A record whose process still runs (this test process): a running instance, hands off.
    auto running = records;
    running[0].pid = ::getpid();
    running[0].start_ticks = current_instance(manifest, "h").start_ticks;
    auto marked_by_us = *stale_info;
    marked_by_us.golaunch_pid = ::getpid();
    EXPECT_EQ(classify_holder(marked_by_us, running, manifest), HolderKind::this_golaunch);
    // A holder that started before the recorded instance cannot have been started by it.
    auto older = *stale_info;
    older.start_ticks = dead.start_ticks - 1;
    EXPECT_EQ(classify_holder(older, records, manifest), HolderKind::stale_unknown);
}

} // namespace
} // namespace golaunch
