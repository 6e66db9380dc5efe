// .golaunch/lock on real files: exclusion between open file descriptions (as between two
// golaunch processes), the holder's record, a clean release, and a holder killed by SIGKILL.
#include "instance/instance_lock.hpp"

#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

// Kills and reaps a forked child at scope exit unless it was reaped already.
struct ForkedChild {
    pid_t pid = -1;
    ~ForkedChild() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            int status = 0;
            ::waitpid(pid, &status, 0);
        }
    }
};

TEST(InstanceLock, RecordsItsHolderRefusesASecondAndClearsTheRecordOnRelease) {
    test::TempDir dir;
    const auto manifest = dir.write("app.toml", "version = 1\n");
    const auto file = instance_lock_path(dir.path());
    EXPECT_EQ(file, dir.path() / ".golaunch" / "lock");
    const auto me = current_lock_owner(manifest);
    EXPECT_EQ(me.instance.pid, ::getpid());
    EXPECT_NE(me.command.find("golaunch_tests"), std::string::npos) << me.command;

    auto first = try_lock_instance(file, me);
    ASSERT_TRUE(first.lock);
    EXPECT_FALSE(first.other) << "a new lock file names no previous holder";
    const auto record = parse_lock_owner(test::read_file(file));
    ASSERT_TRUE(record);
    EXPECT_EQ(record->instance.pid, ::getpid());
    EXPECT_EQ(record->instance.start_ticks, me.instance.start_ticks);
    EXPECT_EQ(record->instance.manifest, me.instance.manifest);
    EXPECT_EQ(record->command, me.command);

    // A second open of the file is a second open file description: refused, like a second
    // golaunch process, and told who holds it.
    const auto second = try_lock_instance(file, me);
    EXPECT_FALSE(second.lock);
    ASSERT_TRUE(second.other);
    EXPECT_EQ(second.other->instance.pid, ::getpid());
    EXPECT_EQ(test::read_file(file), format_lock_owner(me)) << "a refusal writes nothing";

    first.lock.reset();
    EXPECT_EQ(test::read_file(file), "") << "released cleanly: the record is cleared";
    EXPECT_TRUE(std::filesystem::exists(file)) << "the file stays (removing it would race)";
    const auto again = try_lock_instance(file, me);
    EXPECT_TRUE(again.lock);
    EXPECT_FALSE(again.other) << "after a clean release there is no stale lock";
}

TEST(InstanceLock, ALockKilledWithItsHolderIsTakenAndItsRecordReportedStale) {
    test::TempDir dir;
    const auto manifest = dir.write("app.toml", "version = 1\n");
    const auto file = instance_lock_path(dir.path());
    int ready[2];
    ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
    UniqueFd ready_read(ready[0]);
    UniqueFd ready_write(ready[1]);
    const pid_t holder = ::fork();
    ASSERT_GE(holder, 0);
    ForkedChild child{holder};
    if (holder == 0) {
        auto attempt = try_lock_instance(file, current_lock_owner(manifest));
        const char byte = attempt.lock ? '1' : '0';
        [[maybe_unused]] const ssize_t n = ::write(ready_write.get(), &byte, 1);
        ::pause();
        ::_exit(0);
    }
    ready_write.reset();
    char byte = 0;
    ASSERT_EQ(::read(ready_read.get(), &byte, 1), 1);
    ASSERT_EQ(byte, '1');

    std::optional<LockOwner> stale;
    try {
        lock_instance_or_refuse(dir.path(), manifest, &stale);
        ADD_FAILURE() << "the lock of a live holder was taken";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::already_running);
        EXPECT_NE(std::string(e.what()).find("another golaunch is already running in " +
                                             dir.path().string() + ": golaunch pid " +
                                             std::to_string(holder) + " (since "),
                  std::string::npos)
            << e.what();
        EXPECT_NE(e.hint().find("`kill " + std::to_string(holder) + "`"), std::string::npos)
            << e.hint();
    }

    ::kill(holder, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(holder, &status, 0), holder);
    child.pid = -1;
    const auto lock = lock_instance_or_refuse(dir.path(), manifest, &stale);
    ASSERT_TRUE(lock);
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->instance.pid, holder);
    const auto message = stale_lock_message(*stale);
    EXPECT_EQ(
        message.rfind("recovered stale lock of pid " + std::to_string(holder) + " (since ", 0), 0u)
        << message;
    EXPECT_NE(message.find(": it ended without releasing it"), std::string::npos) << message;
    EXPECT_EQ(parse_lock_owner(test::read_file(file))->instance.pid, ::getpid());
}

TEST(InstanceLock, AHolderWithoutARecordIsStillRefusedAfterABoundedWait) {
    test::TempDir dir;
    const auto manifest = dir.write("app.toml", "version = 1\n");
    const auto file = instance_lock_path(dir.path());
    std::filesystem::create_directories(file.parent_path());
    UniqueFd raw(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    ASSERT_TRUE(raw.valid());
    ASSERT_EQ(::flock(raw.get(), LOCK_EX | LOCK_NB), 0);
    const auto started = std::chrono::steady_clock::now();
    try {
        lock_instance_or_refuse(dir.path(), manifest, nullptr);
        ADD_FAILURE() << "taken while held";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::already_running);
        EXPECT_NE(std::string(e.what()).find("it holds " + file.string()), std::string::npos)
            << e.what();
    }
    // A bounded look for the holder's record (about 100 ms), not a wait for the lock.
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(InstanceLock, DamagedRecordsParseAsNone) {
    for (const std::string text : {"", "{", "[]", "null", "{\"pid\": 0}", "{\"pid\": \"12\"}",
                                   "{\"pid\": -4}", "pid=12\n"}) {
        EXPECT_FALSE(parse_lock_owner(text)) << text;
    }
    LockOwner owner;
    owner.instance.pid = 4321;
    owner.instance.start_ticks = 99;
    owner.instance.started_at = "2026-11-26T04:15:07Z";
    owner.instance.manifest = "/srv/app \"x\".toml";
    owner.command = "golaunch run app.toml --json";
    const auto parsed = parse_lock_owner(format_lock_owner(owner));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->instance.pid, 4321);
    EXPECT_EQ(parsed->instance.start_ticks, 99u);
    EXPECT_EQ(parsed->instance.manifest, owner.instance.manifest);
    EXPECT_EQ(describe_lock_owner(*parsed),
              "golaunch pid 4321 (since 2026-11-26T04:15:07Z, `golaunch run app.toml --json`)");
}

} // namespace
} // namespace golaunch
