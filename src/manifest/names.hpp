// What counts as a valid service name, port name, host name and IP address in the manifest.
#pragma once

#include <string_view>

namespace golaunch {

// [A-Za-z][A-Za-z0-9_-]*
bool is_valid_service_name(std::string_view name);

// [A-Za-z0-9_-]+
bool is_valid_port_name(std::string_view name);

// RFC 1123 host name: dot-separated labels of letters, digits and '-', each 1-63 characters,
// not starting or ending with '-'; at most 253 characters; an optional trailing dot.
bool is_valid_hostname(std::string_view name);

// A literal IPv4 or IPv6 address, as inet_pton reads it.
bool is_ip_address(std::string_view address);

} // namespace golaunch
