// Files no reader may take whole (Linux): a FIFO with no writer (a plain read blocks for ever),
// /dev/zero (endless), a sparse file just over the 16 MiB cap. Shared by the tests of every
// file-reading spot, each of which must refuse them at once.
#pragma once

#include "support/test_support.hpp"
#include "util/regular_file.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

namespace golaunch::test {

inline std::filesystem::path make_fifo(const TempDir& dir, const std::string& name) {
    const auto path = dir.path() / name;
    EXPECT_EQ(::mkfifo(path.c_str(), 0644), 0) << path;
    return path;
}

// 17 MiB that take no disk space.
inline std::filesystem::path make_sparse_file(const TempDir& dir, const std::string& name) {
    const auto path = dir.write(name, "");
    std::filesystem::resize_file(path, k_max_text_file_bytes + 1024 * 1024);
    return path;
}

constexpr std::uint64_t k_sparse_size = k_max_text_file_bytes + 1024 * 1024; // 17825792

// Keeps a test that blocks on `fifo` from hanging: after 10 s it opens the writing end (which
// succeeds only while a reader waits) and closes it, so the reader sees end of file, returns,
// and the test fails on its timing instead of running into ctest's timeout.
class FifoRescue {
  public:
    explicit FifoRescue(std::filesystem::path fifo)
        : m_fifo(std::move(fifo)), m_thread([this] { rescue(); }) {}
    ~FifoRescue() {
        {
            const std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    FifoRescue(const FifoRescue&) = delete;
    FifoRescue& operator=(const FifoRescue&) = delete;
    // Whether it had to: something was blocked opening the FIFO for reading.
    bool rescued() const { return m_rescued.load(); }

  private:
    void rescue() {
        std::unique_lock lock(m_mutex);
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        if (m_wake.wait_for(lock, std::chrono::seconds(10), [this] { return m_done; })) {
            return;
        }
        while (!m_done && std::chrono::steady_clock::now() < give_up) {
            const int fd = ::open(m_fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd >= 0) {
                m_rescued = true;
                ::close(fd);
            }
            m_wake.wait_for(lock, std::chrono::milliseconds(20), [this] { return m_done; });
        }
    }

    std::filesystem::path m_fifo;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_done = false;
    std::atomic<bool> m_rescued{false};
    std::thread m_thread; // last: starts once the members above exist
};

// How long `action` took.
template <typename Action> std::chrono::milliseconds time_of(Action&& action) {
    const auto start = std::chrono::steady_clock::now();
    action();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
}

// What passes for "at once" (no wait on a FIFO, no read of /dev/zero): well under the rescue's
// 10 s, far above what a loaded machine adds to an lstat, an open and an fstat.
constexpr std::chrono::milliseconds k_instant{5000};

} // namespace golaunch::test
