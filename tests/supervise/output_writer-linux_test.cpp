// OutputWriter and Reporter on a real FIFO: a reader that does not read never blocks the
// caller (service lines are dropped and counted, golaunch's own lines kept), a reader that goes
// away is reported once, finish() is bounded in time, and the "stopped" event comes last.
#include "supervise/output_writer.hpp"
#include "supervise/reporter.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string_view>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A FIFO in `dir` whose read end the test holds (non-blocking), so the writer's open succeeds.
struct Fifo {
    explicit Fifo(const TempDir& dir) : path((dir.path() / "out.fifo").string()) {
        EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0);
        read_fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        EXPECT_GE(read_fd, 0);
    }
    ~Fifo() { close_reader(); }
    void close_reader() {
        if (read_fd >= 0) {
            ::close(read_fd);
            read_fd = -1;
        }
    }
    // Reads until `done` says so or `timeout` passes.
    std::string read_until(const std::function<bool(const std::string&)>& done,
                           std::chrono::milliseconds timeout) {
        std::string out;
        const auto deadline = Clock::now() + timeout;
        char buffer[65536];
        while (Clock::now() < deadline && !done(out)) {
            const auto n = ::read(read_fd, buffer, sizeof buffer);
            if (n > 0) {
                out.append(buffer, static_cast<std::size_t>(n));
            } else {
                ::usleep(2000);
            }
        }
        return out;
    }
    std::string path;
    int read_fd = -1;
};

OutputWriter::Limits small_limits() {
    OutputWriter::Limits limits;
    limits.service_limit = 64 * 1024;
    limits.total_limit = 256 * 1024;
    limits.stall_limit = 300ms;
    limits.finish_limit = 2s;
    return limits;
}

std::string marker(std::size_t n) {
    return "[golaunch: " + std::to_string(n) + " lines dropped]";
}

TEST(OutputWriter, StalledReaderNeverBlocksAndDropsServiceLinesWithACountedMarker) {
    TempDir dir;
    Fifo fifo(dir);
    OutputWriter writer(OutputTarget::file(fifo.path), marker, small_limits());
    const std::string line(99, 's');
    const auto started = Clock::now();
    std::size_t accepted = 0;
    for (int i = 0; i < 100000; ++i) { // 10 MB into a pipe nobody reads yet
        accepted += writer.service_line(line) ? 1 : 0;
    }
    ASSERT_TRUE(writer.own_line("golaunch | own event kept"));
    EXPECT_LT(Clock::now() - started, 5s);
    const std::size_t dropped = writer.dropped_lines();
    EXPECT_GT(dropped, 90000u);
    EXPECT_EQ(accepted + dropped, 100000u);

    // Now read: every accepted line, the own event, and markers adding up to the dropped count.
    const auto out = fifo.read_until(
        [](const std::string& text) { return text.find("own event kept\n") != std::string::npos; },
        10s);
    std::size_t marked = 0;
    // "[golaunch: N lines dropped]" (no std::regex: GCC 12 warns falsely inside it at -O1).
    const std::string marker = "[golaunch: ";
    for (std::size_t at = out.find(marker); at != std::string::npos;
         at = out.find(marker, at + 1)) {
        const char* number = out.c_str() + at + marker.size();
        char* rest = nullptr;
        const auto count = std::strtoul(number, &rest, 10);
        if (rest != number && std::string_view(rest).substr(0, 15) == " lines dropped]") {
            marked += count;
        }
    }
    std::size_t service_lines = 0;
    for (std::size_t at = out.find(line); at != std::string::npos; at = out.find(line, at + 1)) {
        ++service_lines;
    }
    EXPECT_EQ(service_lines, accepted);
    EXPECT_EQ(marked, dropped) << "the markers count every dropped line";
    writer.finish();
}

TEST(OutputWriter, ReaderGoneIsReportedOnceAndFinishDoesNotWait) {
    // As golaunch's main() does; restored at the end (children of other tests inherit it).
    struct IgnoreSigpipe {
        IgnoreSigpipe() : previous(::signal(SIGPIPE, SIG_IGN)) {}
        ~IgnoreSigpipe() { ::signal(SIGPIPE, previous); }
        sighandler_t previous;
    } ignore_sigpipe;
    TempDir dir;
    Fifo fifo(dir);
    OutputWriter writer(OutputTarget::file(fifo.path), marker, small_limits());
    std::atomic<int> calls{0};
    writer.set_on_closed([&] { ++calls; });
    fifo.close_reader();
    for (int i = 0; i < 10 && !writer.closed(); ++i) {
        writer.service_line("into the void");
        ::usleep(20000);
    }
    EXPECT_TRUE(eventually([&] { return calls.load() == 1; }, 2s));
    EXPECT_TRUE(writer.closed());
    EXPECT_FALSE(writer.service_line("after close"));
    const auto started = Clock::now();
    writer.finish();
    EXPECT_LT(Clock::now() - started, 500ms);
    EXPECT_EQ(calls.load(), 1);
}

TEST(OutputWriter, FinishGivesUpOnAStalledReaderWithinTheStallLimit) {
    TempDir dir;
    Fifo fifo(dir);
    // A finish limit far above the stall limit: giving up at the stall limit is told apart from
    // giving up at the finish limit on a loaded machine too.
    auto limits = small_limits();
    limits.finish_limit = 20s;
    OutputWriter writer(OutputTarget::file(fifo.path), marker, limits);
    for (int i = 0; i < 5000; ++i) {
        writer.own_line(std::string(99, 'o')); // 500 kB: more than the pipe holds
    }
    // The reader reads once, then never again: the writer's last progress comes after this
    // moment (it refills the pipe, or writes for the first time if it had not yet), however
    // long the lines above took to queue.
    const auto read_at = Clock::now();
    char buffer[65536];
    (void)!::read(fifo.read_fd, buffer, sizeof buffer);
    const auto started = Clock::now();
    writer.finish();
    const auto now = Clock::now();
    EXPECT_GE(now - read_at, 300ms) << "gave up before the reader stalled for the stall limit";
    EXPECT_LT(now - started, 10s) << "waited for the finish limit, not the stall limit";
}

TEST(Reporter, StoppedEventIsTheLastLineAndServiceTextIsFiltered) {
    TempDir dir;
    Fifo fifo(dir);
    {
        Reporter reporter(OutputMode::text, false, false, false, fifo.path);
        reporter.set_services({"svc"});
        reporter.event("stopped", "", {{"exit_code", 130}}, "all services stopped");
        reporter.service_line("svc", "stdout", "late line \x1b]0;title\x07\x1b[2Jwith \x1b[1mbold");
        reporter.service_line("svc", "stdout", "another late line");
        reporter.finish();
    }
    const auto out = fifo.read_until([](const std::string&) { return false; }, 300ms);
    EXPECT_EQ(out, "svc      | late line with \x1b[1mbold\n"
                   "svc      | another late line\n"
                   "golaunch | all services stopped\n");
}

TEST(Reporter, JsonKeepsServiceBytesEscaped) {
    TempDir dir;
    Fifo fifo(dir);
    {
        Reporter reporter(OutputMode::json, false, false, false, fifo.path);
        reporter.set_services({"svc"});
        reporter.service_line("svc", "stderr", "raw \x1b]0;t\x07 text");
    }
    const auto out = fifo.read_until([](const std::string&) { return false; }, 300ms);
    const auto record = nlohmann::json::parse(out.substr(0, out.find('\n')));
    EXPECT_EQ(record["line"], "raw \x1b]0;t\x07 text");
    EXPECT_EQ(record["stream"], "stderr");
}

// A warning is an event with a stable id and its own fields (run --json), and in text mode the
// same words a person reads, marked as a warning.
TEST(Reporter, WarningCarriesAStableIdAndItsFields) {
    for (const auto mode : {OutputMode::json, OutputMode::text}) {
        TempDir dir;
        Fifo fifo(dir);
        {
            Reporter reporter(mode, false, false, false, fifo.path);
            reporter.set_services({"svc"});
            reporter.warn("svc", "undeclared-port", "listens on 127.0.0.1:5, not declared",
                          {{"port", 5}, {"address", "127.0.0.1"}});
        }
        const auto out = fifo.read_until([](const std::string&) { return false; }, 300ms);
        if (mode == OutputMode::text) {
            EXPECT_EQ(out, "svc      | * warning: listens on 127.0.0.1:5, not declared\n");
            continue;
        }
        const auto record = nlohmann::json::parse(out.substr(0, out.find('\n')));
        EXPECT_EQ(record["event"], "message");
        EXPECT_EQ(record["level"], "warning");
        EXPECT_EQ(record["id"], "undeclared-port");
        EXPECT_EQ(record["service"], "svc");
        EXPECT_EQ(record["port"], 5);
        EXPECT_EQ(record["address"], "127.0.0.1");
        EXPECT_EQ(record["message"], "listens on 127.0.0.1:5, not declared");
    }
}

} // namespace
} // namespace golaunch::test
