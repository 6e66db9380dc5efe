// Portproxy rules from the registry: HKLM\SYSTEM\CurrentControlSet\Services\PortProxy\<kind>\tcp,
// one REG_SZ value per rule. An absent key (no rules, or Wine) is an empty list.
#include "platform/portproxy.hpp"

#include "util/wide_text.hpp"

#include <windows.h>

namespace golaunch {

namespace {

class RegistryKey {
  public:
    explicit RegistryKey(const std::wstring& path) {
        if (::RegOpenKeyExW(HKEY_LOCAL_MACHINE, path.c_str(), 0, KEY_READ, &m_key) !=
            ERROR_SUCCESS) {
            m_key = nullptr;
        }
    }
    RegistryKey(const RegistryKey&) = delete;
    RegistryKey& operator=(const RegistryKey&) = delete;
    ~RegistryKey() {
        if (m_key != nullptr) {
            ::RegCloseKey(m_key);
        }
    }
    HKEY get() const { return m_key; }

  private:
    HKEY m_key = nullptr;
};

void read_kind(const char* kind, std::vector<PortProxyRule>& rules) {
    const RegistryKey key(to_wide(std::string(k_portproxy_key) + "\\" + kind + "\\tcp"));
    if (key.get() == nullptr) {
        return;
    }
    constexpr DWORD k_max_values = 65536; // bounded: one value per rule
    for (DWORD index = 0; index < k_max_values; ++index) {
        wchar_t name[512];
        wchar_t data[512] = {};
        DWORD name_size = 512;
        DWORD data_size = sizeof data - sizeof(wchar_t); // room for a terminator
        DWORD type = 0;
        const LONG result = ::RegEnumValueW(key.get(), index, name, &name_size, nullptr, &type,
                                            reinterpret_cast<BYTE*>(data), &data_size);
        if (result == ERROR_NO_MORE_ITEMS) {
            return;
        }
        if (result != ERROR_SUCCESS || type != REG_SZ) {
            continue; // too long or not a string: not a rule netsh wrote
        }
        std::wstring value(data, data_size / sizeof(wchar_t));
        while (!value.empty() && value.back() == L'\0') {
            value.pop_back();
        }
        if (auto rule = parse_portproxy_value(kind, from_wide(std::wstring(name, name_size)),
                                              from_wide(value))) {
            rules.push_back(std::move(*rule));
        }
    }
}

} // namespace

std::vector<PortProxyRule> read_portproxy_rules() {
    std::vector<PortProxyRule> rules;
    for (const char* kind : k_portproxy_kinds) {
        read_kind(kind, rules);
    }
    return rules;
}

} // namespace golaunch
