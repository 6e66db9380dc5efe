#include "manifest/names.hpp"

#include "util/strings.hpp"

#ifdef _WIN32
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif

#include <algorithm>
#include <cctype>
#include <string>

namespace golaunch {

namespace {

bool is_alnum(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

bool is_name_char(char c) {
    return is_alnum(c) || c == '_' || c == '-';
}

bool is_valid_label(std::string_view label) {
    return !label.empty() && label.size() <= 63 && label.front() != '-' && label.back() != '-' &&
           std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

} // namespace

bool is_valid_service_name(std::string_view name) {
    return !name.empty() && std::isalpha(static_cast<unsigned char>(name.front())) &&
           std::all_of(name.begin(), name.end(), is_name_char);
}

bool is_valid_port_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), is_name_char);
}

bool is_valid_hostname(std::string_view name) {
    if (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
    }
    if (name.empty() || name.size() > 253) {
        return false;
    }
    const auto labels = split(name, '.');
    return std::all_of(labels.begin(), labels.end(),
                       [](const std::string& label) { return is_valid_label(label); });
}

bool is_ip_address(std::string_view address) {
    const std::string text(address);
    unsigned char buffer[16];
    return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
           ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

} // namespace golaunch
