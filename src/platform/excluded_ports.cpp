#include "platform/excluded_ports.hpp"

#include <charconv>

namespace golaunch {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::vector<std::string_view> tokens(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    while (at < line.size()) {
        while (at < line.size() && is_space(line[at])) {
            ++at;
        }
        const std::size_t start = at;
        while (at < line.size() && !is_space(line[at])) {
            ++at;
        }
        if (at > start) {
            out.push_back(line.substr(start, at - start));
        }
    }
    return out;
}

std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto end = text.find('\n');
        out.push_back(text.substr(0, end));
        if (end == std::string_view::npos) {
            break;
        }
        text.remove_prefix(end + 1);
    }
    return out;
}

// A decimal number of at most 5 digits; larger values do not fit a port.
std::optional<unsigned> number(std::string_view token) {
    if (token.empty() || token.size() > 5) {
        return std::nullopt;
    }
    unsigned value = 0;
    const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (error != std::errc() || end != token.data() + token.size()) {
        return std::nullopt;
    }
    return value;
}

std::optional<PortRange> make_range(unsigned first, unsigned last) {
    if (first == 0 || first > last || last > 65535) {
        return std::nullopt;
    }
    return PortRange{static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last)};
}

} // namespace

std::vector<ExcludedPortRange> parse_excluded_port_ranges(std::string_view netsh_output,
                                                          AddressFamily family) {
    std::vector<ExcludedPortRange> ranges;
    for (const auto line : lines(netsh_output)) {
        const auto words = tokens(line);
        if (words.size() < 2 || words.size() > 3) {
            continue;
        }
        const bool starred = words.size() == 3;
        if (starred && words[2] != "*") {
            continue;
        }
        const auto first = number(words[0]);
        const auto last = number(words[1]);
        if (!first || !last) {
            continue;
        }
        if (const auto range = make_range(*first, *last)) {
            ranges.push_back({family, *range, starred});
        }
    }
    return ranges;
}

std::optional<PortRange> parse_dynamic_port_range(std::string_view netsh_output) {
    std::vector<unsigned> values;
    for (const auto line : lines(netsh_output)) {
        const auto colon = line.rfind(':');
        if (colon == std::string_view::npos) {
            continue;
        }
        const auto words = tokens(line.substr(colon + 1));
        if (words.size() != 1) {
            continue;
        }
        const auto value = number(words[0]);
        if (!value) {
            continue;
        }
        values.push_back(*value);
    }
    if (values.size() != 2 || values[1] == 0) {
        return std::nullopt;
    }
    return make_range(values[0], values[0] + values[1] - 1);
}

const ExcludedPortRange* find_excluded_range(const std::vector<ExcludedPortRange>& ranges,
                                             std::uint16_t port) {
    for (const auto& excluded : ranges) {
        if (excluded.range.contains(port)) {
            return &excluded;
        }
    }
    return nullptr;
}

std::string range_text(const PortRange& range) {
    return range.first == range.last
               ? std::to_string(range.first)
               : std::to_string(range.first) + "-" + std::to_string(range.last);
}

std::vector<std::string> excluded_range_admin_commands(std::uint16_t port) {
    const std::string number = std::to_string(port);
    return {
        "net stop winnat",
        "netsh int ipv4 add excludedportrange protocol=tcp startport=" + number +
            " numberofports=1",
        "net start winnat",
        "netsh int ipv4 set dynamic tcp start=49152 num=16384",
    };
}

} // namespace golaunch
