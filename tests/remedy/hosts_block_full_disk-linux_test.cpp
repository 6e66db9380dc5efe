// The hosts editor on a full disk, the way Docker gives it /etc/hosts: a bind-mounted file
// (rename refused, so it is rewritten in place) on a 64 KiB tmpfs, filled to every level from
// "everything fits" to "nothing fits". At each level the file must hold either the old or the
// new content, never a part of either, and a refusal must say why.
#include "remedy/hosts_block.hpp"

#include "support/isolated_call.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace golaunch {
namespace {

constexpr std::size_t k_original_size = 4091; // one byte short of a page, as reported
constexpr std::size_t k_filler_step = 1024;
constexpr std::size_t k_filler_max = 64 * 1024;

std::string original_hosts() {
    std::string text = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n";
    for (int i = 1; text.size() + 40 < k_original_size; ++i) {
        text += "10.2.0." + std::to_string(i % 250) + " host" + std::to_string(i) + ".internal\n";
    }
    text += "#" + std::string(k_original_size - text.size() - 2, '-') + "\n";
    return text;
}

std::vector<HostEntry> wanted() {
    return {{"api.shop.test", "127.0.0.1", {}}, {"web.shop.test", "127.0.0.1", {}}};
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Writes up to `size` zeros; the tmpfs may take fewer (that level is then "nothing fits").
void write_filler(const std::filesystem::path& path, std::size_t size) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const std::string zeros(size, '\0');
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, zeros.data() + done, size - done);
        if (n <= 0) {
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
}

// One fill level, in the child's private mount namespace: "ok", "refused: <error>", or what
// went wrong ("CORRUPT ...", "setup ...").
std::string one_level(const std::filesystem::path& mount_point, std::size_t filler) {
    const auto src = mount_point / "src";
    const auto hosts = mount_point / "hosts";
    if (::mount("tmpfs", mount_point.c_str(), "tmpfs", 0, "size=64k") != 0) {
        return std::string("setup: mount tmpfs: ") + std::strerror(errno);
    }
    const std::string original = original_hosts();
    std::ofstream(src, std::ios::binary) << original;
    std::ofstream(hosts, std::ios::binary) << "";
    if (::mount(src.c_str(), hosts.c_str(), nullptr, MS_BIND, nullptr) != 0) {
        const std::string why = std::string("setup: bind mount: ") + std::strerror(errno);
        ::umount2(mount_point.c_str(), MNT_DETACH);
        return why;
    }
    write_filler(mount_point / "filler", filler);
    const std::string expected = plan_hosts_block(original, "shop", wanted(), "x").content;
    std::string outcome;
    try {
        const auto edit = apply_hosts_block(hosts, "shop", wanted(), false);
        outcome = edit.in_place ? "ok" : "ok but not in place";
    } catch (const Error& error) {
        outcome = std::string("refused: ") + error.what() + " | hint: " + error.hint();
    }
    const std::string after = slurp(src);
    if (outcome.rfind("ok", 0) == 0 && after != expected) {
        outcome = "CORRUPT after success: " + std::to_string(after.size()) + " bytes";
    } else if (outcome.rfind("refused", 0) == 0 && after != original) {
        outcome = "CORRUPT after refusal: " + std::to_string(after.size()) + " bytes, ends '" +
                  after.substr(after.size() > 12 ? after.size() - 12 : 0) + "' (" + outcome + ")";
    }
    ::umount2(hosts.c_str(), MNT_DETACH);
    ::umount2(mount_point.c_str(), MNT_DETACH);
    return outcome;
}

TEST(HostsBlockFullDisk, ABindMountedFileIsOldOrNewAtEveryFillLevel) {
    test::TempDir dir;
    const auto mount_point = dir.path() / "M";
    std::filesystem::create_directory(mount_point);
    std::string why;
    const auto report = test::call_isolated(
        {false, false, false, true},
        [&] {
            std::string lines;
            for (std::size_t filler = 0; filler <= k_filler_max; filler += k_filler_step) {
                lines += std::to_string(filler) + " " + one_level(mount_point, filler) + "\n";
            }
            return lines;
        },
        // 65 fill levels, each with mounts and lazy unmounts: seconds under load.
        &why, std::chrono::seconds(90));
    // A child that ran out of time had its namespace: that is a failure, not a missing capability.
    ASSERT_NE(why, "the child timed out");
    if (!report) {
        GTEST_SKIP() << "no private mount namespace with tmpfs here: " << why;
    }
    if (report->find("setup:") != std::string::npos) {
        GTEST_SKIP() << "cannot mount a tmpfs or bind-mount a file here:\n" << *report;
    }
    EXPECT_EQ(report->find("CORRUPT"), std::string::npos) << *report;
    EXPECT_EQ(report->find("not in place"), std::string::npos) << *report;
    EXPECT_EQ(report->rfind("0 ok\n", 0), 0u) << "an empty disk takes the edit:\n" << *report;
    EXPECT_NE(report->find(std::to_string(k_filler_max) + " refused"), std::string::npos)
        << "a full disk refuses:\n"
        << *report;
    // Every refusal names the file and the free space, and says what to do.
    std::istringstream lines(*report);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("refused") == std::string::npos) {
            continue;
        }
        EXPECT_NE(line.find((mount_point / "hosts").string()), std::string::npos) << line;
        EXPECT_NE(line.find("free"), std::string::npos) << line;
        EXPECT_NE(line.find("is unchanged"), std::string::npos) << line;
        EXPECT_NE(line.find("hint: free"), std::string::npos) << line;
    }
}

} // namespace
} // namespace golaunch
