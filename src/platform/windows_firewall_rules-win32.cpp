#include "platform/windows_firewall_rules.hpp"

#include "util/wide_text.hpp"

#include <windows.h>

namespace golaunch {

namespace {

// %SystemRoot%, %ProgramFiles%... in App= as Windows stores it.
std::string expand(const std::string& text) {
    if (text.find('%') == std::string::npos) {
        return text;
    }
    const std::wstring wide = to_wide(text);
    std::wstring out(32768, L'\0');
    const DWORD length =
        ExpandEnvironmentStringsW(wide.c_str(), out.data(), static_cast<DWORD>(out.size()));
    if (length == 0 || length > out.size()) {
        return text;
    }
    out.resize(length - 1); // without the terminating NUL
    return from_wide(out);
}

void read_key(const wchar_t* path, const char* shown, WindowsFirewallRules& out) {
    HKEY key = nullptr;
    const LONG opened = RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_READ, &key);
    if (opened == ERROR_FILE_NOT_FOUND) {
        return; // no rules there (the Group Policy key often does not exist)
    }
    if (opened != ERROR_SUCCESS) {
        out.unread.push_back(std::string("HKLM\\") + shown + ": " +
                             win32_error_text(static_cast<unsigned long>(opened)));
        return;
    }
    DWORD values = 0;
    DWORD longest_name = 0;
    DWORD longest_data = 0;
    RegQueryInfoKeyW(key, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &values,
                     &longest_name, &longest_data, nullptr, nullptr);
    std::wstring name(longest_name + 1, L'\0');
    std::wstring data(longest_data / sizeof(wchar_t) + 1, L'\0');
    for (DWORD index = 0; index < values; ++index) {
        DWORD name_length = static_cast<DWORD>(name.size());
        DWORD data_bytes = static_cast<DWORD>(data.size() * sizeof(wchar_t));
        DWORD type = 0;
        if (RegEnumValueW(key, index, name.data(), &name_length, nullptr, &type,
                          reinterpret_cast<BYTE*>(data.data()), &data_bytes) != ERROR_SUCCESS ||
            type != REG_SZ) {
            continue;
        }
        std::wstring_view text(data.data(), data_bytes / sizeof(wchar_t));
        while (!text.empty() && text.back() == L'\0') {
            text.remove_suffix(1);
        }
        auto rule = parse_windows_firewall_rule(
            from_wide(std::wstring_view(name.data(), name_length)), from_wide(text));
        if (rule) {
            rule->program = expand(rule->program);
            out.rules.push_back(std::move(*rule));
        }
    }
    RegCloseKey(key);
}

} // namespace

WindowsFirewallRules read_windows_firewall_rules() {
    WindowsFirewallRules out;
    read_key(L"SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\"
             L"FirewallRules",
             "SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\"
             "FirewallRules",
             out);
    read_key(L"SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules",
             "SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules", out);
    return out;
}

} // namespace golaunch
