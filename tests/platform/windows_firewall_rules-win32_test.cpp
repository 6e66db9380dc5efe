// The registry reader on a real registry (Wine's, in CI): a rule value written where Windows
// keeps Windows Defender Firewall's rules is read back, parsed, with App= expanded.
#include "platform/windows_firewall_rules.hpp"

#include <gtest/gtest.h>

#include <windows.h>

#include <algorithm>
#include <string>

namespace golaunch {
namespace {

constexpr const wchar_t* k_key =
    L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\"
    L"FirewallRules";

TEST(WindowsFirewallRulesWin32, ReadsARuleValueFromTheRegistry) {
    HKEY key = nullptr;
    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, k_key, 0, nullptr, 0, KEY_READ | KEY_WRITE, nullptr,
                        &key, nullptr) != ERROR_SUCCESS) {
        GTEST_SKIP() << "cannot write HKLM here (not an administrator): the reader is then "
                        "checked only by reading";
    }
    const std::wstring name = L"golaunch-test-" + std::to_wstring(GetCurrentProcessId());
    const std::wstring value = L"v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=18080|"
                               L"App=%SystemRoot%\\golaunch-test.exe|Name=golaunch test|";
    ASSERT_EQ(RegSetValueExW(key, name.c_str(), 0, REG_SZ,
                             reinterpret_cast<const BYTE*>(value.c_str()),
                             static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t))),
              ERROR_SUCCESS);
    const auto read = read_windows_firewall_rules();
    RegDeleteValueW(key, name.c_str());
    RegCloseKey(key);
    EXPECT_TRUE(read.unread.empty());
    const auto found = std::find_if(read.rules.begin(), read.rules.end(),
                                    [](const auto& rule) { return rule.name == "golaunch test"; });
    ASSERT_NE(found, read.rules.end());
    EXPECT_EQ(found->action, "Block");
    EXPECT_TRUE(covers_tcp_port(*found, 18080));
    EXPECT_EQ(found->program.find('%'), std::string::npos) << found->program;
    EXPECT_NE(found->program.find("golaunch-test.exe"), std::string::npos) << found->program;
}

} // namespace
} // namespace golaunch
