#include "platform/hosts_file.hpp"

#include "util/regular_file.hpp"

#include <boost/asio/ip/address.hpp>

namespace golaunch {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::vector<std::string> fields_of(std::string_view line) {
    std::vector<std::string> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_blank(line[i])) {
            ++i;
        }
        const std::size_t start = i;
        while (i < line.size() && !is_blank(line[i])) {
            ++i;
        }
        if (i > start) {
            fields.emplace_back(line.substr(start, i - start));
        }
    }
    return fields;
}

} // namespace

std::string lower_case(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string normalized_address(std::string_view address) {
    boost::system::error_code error;
    // Zone ids ("fe80::1%eth0") are kept by make_address; hosts files rarely have them.
    const auto parsed = boost::asio::ip::make_address(std::string(address), error);
    if (error) {
        return "";
    }
    return parsed.to_string();
}

bool same_address(std::string_view a, std::string_view b) {
    const auto left = normalized_address(a);
    return !left.empty() && left == normalized_address(b);
}

HostsFile parse_hosts(std::string_view text) {
    std::vector<HostsLine> lines;
    int number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        ++number;
        auto line = text.substr(start, end - start);
        start = end + 1;
        if (const auto hash = line.find('#'); hash != std::string_view::npos) {
            line = line.substr(0, hash);
        }
        auto fields = fields_of(line);
        if (fields.size() < 2) {
            continue; // blank, comment, or an address without names: resolvers skip it too
        }
        HostsLine entry;
        entry.address = fields.front();
        entry.names.assign(fields.begin() + 1, fields.end());
        entry.line = number;
        entry.valid_address = !normalized_address(entry.address).empty();
        lines.push_back(std::move(entry));
    }
    return HostsFile(std::move(lines));
}

std::string canonical_host_name(std::string_view name) {
    if (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
    }
    return lower_case(name);
}

std::vector<HostsAddress> HostsFile::lookup(std::string_view name) const {
    const auto wanted = canonical_host_name(name);
    std::vector<HostsAddress> found;
    for (const auto& entry : m_lines) {
        if (!entry.valid_address) {
            continue;
        }
        for (const auto& alias : entry.names) {
            if (canonical_host_name(alias) == wanted) {
                found.push_back({entry.address, entry.line});
                break;
            }
        }
    }
    return found;
}

std::vector<const HostsLine*> HostsFile::invalid_lines() const {
    std::vector<const HostsLine*> invalid;
    for (const auto& entry : m_lines) {
        if (!entry.valid_address) {
            invalid.push_back(&entry);
        }
    }
    return invalid;
}

std::optional<HostsFile> read_hosts_file(const std::filesystem::path& path, std::string* error) {
    const FileContent file = read_regular_file(path);
    if (!file.ok()) {
        if (error != nullptr) {
            *error = file.problem;
        }
        return std::nullopt;
    }
    return parse_hosts(file.bytes);
}

} // namespace golaunch
