// A portproxy rule written to the registry for the length of a test (Windows tests only).
#pragma once

#include "platform/portproxy.hpp"
#include "util/wide_text.hpp"

#include <windows.h>

#include <string>
#include <vector>

namespace golaunch::test {

// Writes one portproxy rule into the registry, as netsh would, and removes it (and every key
// the test had to create) at scope exit.
class TestPortProxyRule {
  public:
    TestPortProxyRule(const std::wstring& name, const std::wstring& data) : m_name(name) {
        std::wstring path = to_wide(k_portproxy_key);
        for (const wchar_t* part : {L"", L"\\v4tov4", L"\\tcp"}) {
            path += part;
            HKEY key = nullptr;
            DWORD disposition = 0;
            m_error = ::RegCreateKeyExW(HKEY_LOCAL_MACHINE, path.c_str(), 0, nullptr, 0,
                                        KEY_ALL_ACCESS, nullptr, &key, &disposition);
            if (m_error != ERROR_SUCCESS) {
                return;
            }
            if (disposition == REG_CREATED_NEW_KEY) {
                m_created.push_back(path);
            }
            ::RegCloseKey(m_key);
            m_key = key;
        }
        m_error = ::RegSetValueExW(m_key, name.c_str(), 0, REG_SZ,
                                   reinterpret_cast<const BYTE*>(data.c_str()),
                                   static_cast<DWORD>((data.size() + 1) * sizeof(wchar_t)));
    }
    ~TestPortProxyRule() {
        if (m_key != nullptr) {
            ::RegDeleteValueW(m_key, m_name.c_str());
            ::RegCloseKey(m_key);
        }
        for (auto it = m_created.rbegin(); it != m_created.rend(); ++it) {
            ::RegDeleteKeyW(HKEY_LOCAL_MACHINE, it->c_str());
        }
    }
    LONG error() const { return m_error; }

  private:
    std::wstring m_name;
    HKEY m_key = nullptr;
    LONG m_error = ERROR_SUCCESS;
    std::vector<std::wstring> m_created;
};

} // namespace golaunch::test
