// A hosts file read the way resolvers read it: "ADDRESS NAME [ALIAS...]" lines, '#' comments,
// spaces or tabs, CRLF or LF, with or without a final newline.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

struct HostsLine {
    std::string address;            // as written
    std::vector<std::string> names; // as written (lookups ignore case)
    int line = 0;                   // 1-based
    bool valid_address = true;      // false: resolvers skip the line ("127.0.0.l localhost")
};

struct HostsAddress {
    std::string address;
    int line = 0;
};

class HostsFile {
  public:
    HostsFile() = default;
    explicit HostsFile(std::vector<HostsLine> lines) : m_lines(std::move(lines)) {}

    const std::vector<HostsLine>& lines() const { return m_lines; }

    // Every address the file gives `name` (case-insensitive), in file order, skipping lines
    // whose address is not an IP address. Empty when the name is not there.
    std::vector<HostsAddress> lookup(std::string_view name) const;

    // Lines with an invalid address (for a warning: resolvers silently skip them).
    std::vector<const HostsLine*> invalid_lines() const;

  private:
    std::vector<HostsLine> m_lines;
};

HostsFile parse_hosts(std::string_view text);

// Reads and parses `path`; nullopt (with `error` set to the reason) when it cannot be read.
std::optional<HostsFile> read_hosts_file(const std::filesystem::path& path, std::string* error);

// The canonical text of an IPv4 or IPv6 address ("0:0::1" -> "::1"), or "" when not one.
std::string normalized_address(std::string_view address);

// True when both are the same IP address, whatever the spelling.
bool same_address(std::string_view a, std::string_view b);

// ASCII lower case; host names compare without case.
std::string lower_case(std::string_view text);

// How names compare: lower case, without a trailing dot ("API.Shop.test." -> "api.shop.test").
std::string canonical_host_name(std::string_view name);

} // namespace golaunch
