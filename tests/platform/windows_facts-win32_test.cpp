// Windows facts under Wine (and on Windows): process info of this process and of children it
// starts, http.sys named for pid 4, NetConfig from GetAdaptersAddresses and netsh, the
// portproxy reader against a registry key the test writes (and removes), and the free-port
// test bind that catches a held port.
#include "platform/net_config.hpp"
#include "platform/port_finder.hpp"
#include "platform/portproxy.hpp"
#include "platform/process_info.hpp"
#include "support/portproxy_rule-win32.hpp"
#include "support/test_support.hpp"
#include "util/wide_text.hpp"

#include <gtest/gtest.h>

#include <windows.h>

#include <algorithm>
#include <chrono>
#include <cwchar>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

const pid_t k_self = static_cast<pid_t>(::GetCurrentProcessId());

TEST(ProcessInfoWin32, ReadsThisProcess) {
    const auto before = std::chrono::system_clock::now();
    const auto info = read_process_info(k_self);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->pid, k_self);
    EXPECT_NE(info->exe.find("golaunch_tests"), std::string::npos) << info->exe;
    EXPECT_NE(info->name.find("golaunch_tests"), std::string::npos) << info->name;
    EXPECT_FALSE(info->user.empty());
    EXPECT_NE(info->user, "?") << "OpenProcessToken + LookupAccountSidW on our own process";
    EXPECT_NE(info->start_ticks, 0U);
    EXPECT_LE(info->start_time, before);
    EXPECT_GT(info->start_time, before - 24h) << "GetProcessTimes converted wrong";
    ASSERT_FALSE(info->cmdline.empty()) << "NtQueryInformationProcess(CommandLine) gave nothing";
    EXPECT_NE(info->cmdline.front().find("golaunch_tests"), std::string::npos);
    EXPECT_TRUE(process_alive(k_self));
    EXPECT_FALSE(read_process_info(0)) << "pid 0 (System Idle) is never an owner";
}

TEST(ProcessInfoWin32, Pid4IsHttpSys) {
    const auto info = read_process_info(k_windows_system_pid);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->name, k_http_sys_owner);
    EXPECT_NE(std::string(k_http_sys_owner).find("netsh http show servicestate"),
              std::string::npos);
    EXPECT_EQ(kill_command_text({42, 43}), "taskkill /F /PID 42 /PID 43");
}

// A child (cmd.exe) that starts a grandchild (ping.exe, ~3 s), in a kill-on-close job so
// that nothing outlives the test.
TEST(ProcessInfoWin32, DescendantsIncludeChildAndGrandchild) {
    const HANDLE job = ::CreateJobObjectW(nullptr, nullptr);
    ASSERT_NE(job, nullptr);
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    ::SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
    std::wstring command = L"cmd.exe /c ping -n 4 127.0.0.1 >NUL";
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    PROCESS_INFORMATION process{};
    ASSERT_TRUE(::CreateProcessW(nullptr, command.data(), nullptr, nullptr, FALSE,
                                 CREATE_SUSPENDED | CREATE_NO_WINDOW, nullptr, nullptr, &startup,
                                 &process));
    ::AssignProcessToJobObject(job, process.hProcess);
    ::ResumeThread(process.hThread);
    const auto child = static_cast<pid_t>(process.dwProcessId);
    std::vector<pid_t> found;
    const bool both = test::eventually(
        [&] {
            found = descendants_of(k_self);
            return std::find(found.begin(), found.end(), child) != found.end() && found.size() >= 2;
        },
        10s);
    const auto child_info = read_process_info(child);
    const auto members = members_of_process_group(child);
    ::TerminateJobObject(job, 1);
    ::WaitForSingleObject(process.hProcess, 5000);
    ::CloseHandle(process.hThread);
    ::CloseHandle(process.hProcess);
    ::CloseHandle(job);
    ASSERT_TRUE(both) << "descendants of " << k_self << ": " << found.size();
    ASSERT_TRUE(child_info);
    EXPECT_EQ(child_info->ppid, k_self);
    EXPECT_NE(child_info->name.find("cmd"), std::string::npos) << child_info->name;
    EXPECT_NE(std::find(members.begin(), members.end(), child), members.end());
    EXPECT_GE(members.size(), 2U) << "cmd.exe and its ping.exe";
    EXPECT_TRUE(zombie_children_of(k_self).empty()) << "Windows has no zombies";
    EXPECT_TRUE(test::eventually([&] { return !process_alive(child); }, 5s));
}

// The golaunch mark (GOLAUNCH_SERVICE, GOLAUNCH_PID) is read from the child's environment block.
TEST(ProcessInfoWin32, ReadsTheGolaunchMarkFromTheEnvironment) {
    std::wstring environment;
    wchar_t* own = ::GetEnvironmentStringsW();
    for (const wchar_t* entry = own; *entry != L'\0'; entry += std::wcslen(entry) + 1) {
        environment += entry;
        environment += L'\0';
    }
    ::FreeEnvironmentStringsW(own);
    environment += L"GOLAUNCH_SERVICE=api";
    environment += L'\0';
    environment += L"GOLAUNCH_PID=" + std::to_wstring(k_self);
    environment += L'\0';
    environment += L'\0';
    std::wstring command = L"cmd.exe /c ping -n 3 127.0.0.1 >NUL";
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    PROCESS_INFORMATION process{};
    ASSERT_TRUE(::CreateProcessW(nullptr, command.data(), nullptr, nullptr, FALSE,
                                 CREATE_UNICODE_ENVIRONMENT | CREATE_NO_WINDOW, environment.data(),
                                 nullptr, &startup, &process));
    const auto info = read_process_info(static_cast<pid_t>(process.dwProcessId));
    ::TerminateProcess(process.hProcess, 1);
    ::WaitForSingleObject(process.hProcess, 5000);
    ::CloseHandle(process.hThread);
    ::CloseHandle(process.hProcess);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->golaunch_service, "api");
    EXPECT_EQ(info->golaunch_pid, k_self);
    const auto self = read_process_info(k_self);
    ASSERT_TRUE(self);
    EXPECT_TRUE(self->golaunch_service.empty()) << "the test itself is not marked";
}

TEST(NetConfigWin32, ReadsAddressesAndSaysWhatNetshGave) {
    const NetConfig config = read_net_config();
    EXPECT_TRUE(config.windows_rules);
    EXPECT_FALSE(config.unprivileged_port_start) << "Windows has no privileged ports";
    EXPECT_TRUE(config.can_bind_privileged);
    EXPECT_TRUE(config.is_local_address("127.0.0.1"));
    EXPECT_TRUE(config.is_local_address("127.0.0.5")) << "all of 127/8 is local";
    EXPECT_FALSE(config.is_local_address("192.0.2.7"));
    EXPECT_EQ(canonical_ip("::0001"), "::1");
    if (config.local_port_range) {
        EXPECT_GE(config.local_port_range->last, config.local_port_range->first);
    } else {
        // Wine's netsh prints nothing for `show dynamicport`: the reason must be kept.
        const bool said =
            std::any_of(config.unread.begin(), config.unread.end(), [](const std::string& line) {
                return line.find("dynamicport") != std::string::npos;
            });
        EXPECT_TRUE(said) << "no dynamic range and no reason given";
        EXPECT_TRUE(test::running_under_wine()) << "real Windows always has a dynamic range";
    }
}

TEST(PortProxyWin32, ReadsARuleWrittenToTheRegistry) {
    const auto listen = test::pick_free_port();
    const auto connect = test::pick_free_port();
    const std::vector<PortProxyRule> before = read_portproxy_rules();
    {
        const test::TestPortProxyRule rule(L"127.0.0.1/" + std::to_wstring(listen),
                                           L"127.0.0.2/" + std::to_wstring(connect));
        if (rule.error() == ERROR_ACCESS_DENIED) {
            GTEST_SKIP() << "writing HKLM needs Administrator on Windows";
        }
        ASSERT_EQ(rule.error(), ERROR_SUCCESS);
        const auto rules = read_portproxy_rules();
        const PortProxyRule expected{"v4tov4", "127.0.0.1", listen, "127.0.0.2", connect};
        EXPECT_NE(std::find(rules.begin(), rules.end(), expected), rules.end())
            << rules.size() << " rules read";
        EXPECT_EQ(rules.size(), before.size() + 1);
    }
    EXPECT_EQ(read_portproxy_rules(), before) << "the test's rule was not removed";
}

TEST(PortFinderWin32, AHeldPortIsNotFreeAndTheNextOneIs) {
    const test::HeldListener listener(0);
    ASSERT_TRUE(listener.ok());
    EXPECT_FALSE(port_is_free(system_socket_table(), listener.port()));
    const test::HeldListener wildcard(test::pick_free_port(), test::HeldListener::Address::any);
    ASSERT_TRUE(wildcard.ok());
    EXPECT_FALSE(port_is_free(system_socket_table(), wildcard.port()))
        << "a 0.0.0.0 listener must count although a plain bind on 127.0.0.1 would succeed";
    const auto next = next_free_port(system_socket_table(), listener.port(), {});
    ASSERT_TRUE(next);
    EXPECT_NE(*next, listener.port());
    EXPECT_TRUE(port_is_free(system_socket_table(), *next));
}

} // namespace
} // namespace golaunch
