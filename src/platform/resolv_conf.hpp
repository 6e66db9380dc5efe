// resolv.conf as Go's pure resolver reads it (net/dnsconfig_unix.go): nameservers, search
// domains, ndots, timeout, attempts; and the names a lookup tries, in order.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

struct ResolvConf {
    std::vector<std::string> nameservers; // IP addresses; Go's default when none is given
    bool default_nameservers = false;     // none in the file (or no file): 127.0.0.1 and ::1
    std::vector<std::string> search;      // domains, without the trailing dot
    int ndots = 1;
    std::chrono::seconds timeout{5}; // per query and server
    int attempts = 2;
    bool rotate = false;
    bool file_missing = false;
    std::string read_error; // why the file could not be read ("" when it could)
};

ResolvConf parse_resolv_conf(std::string_view text);

// Reads `path`; a missing or unreadable file gives Go's defaults (with file_missing/read_error).
ResolvConf read_resolv_conf(const std::filesystem::path& path);

// The fully qualified names a lookup of `name` tries, in Go's order: with at least `ndots` dots
// the name itself first, then name.search...; with fewer, the search list first. A name ending
// in '.' is tried as it is, alone.
std::vector<std::string> lookup_names(std::string_view name, const ResolvConf& conf);

} // namespace golaunch
