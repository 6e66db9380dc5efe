#include "platform/resolv_conf.hpp"

#include "platform/hosts_file.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace golaunch {

namespace {

constexpr std::size_t k_max_nameservers = 3; // glibc's MAXNS; Go keeps the same limit

std::vector<std::string> words(std::string_view line) {
    std::vector<std::string> out;
    std::istringstream in{std::string(line)};
    std::string word;
    while (in >> word) {
        out.push_back(word);
    }
    return out;
}

int option_value(std::string_view option, std::string_view key, int low, int high) {
    int value = 0;
    const auto text = option.substr(key.size());
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        return -1;
    }
    return std::clamp(value, low, high);
}

void read_options(const std::vector<std::string>& fields, ResolvConf& conf) {
    for (std::size_t i = 1; i < fields.size(); ++i) {
        const std::string_view option = fields[i];
        if (option.rfind("ndots:", 0) == 0) {
            if (const int value = option_value(option, "ndots:", 0, 15); value >= 0) {
                conf.ndots = value;
            }
        } else if (option.rfind("timeout:", 0) == 0) {
            if (const int value = option_value(option, "timeout:", 1, 30); value >= 0) {
                conf.timeout = std::chrono::seconds(value);
            }
        } else if (option.rfind("attempts:", 0) == 0) {
            if (const int value = option_value(option, "attempts:", 1, 5); value >= 0) {
                conf.attempts = value;
            }
        } else if (option == "rotate") {
            conf.rotate = true;
        }
    }
}

std::vector<std::string> domains(const std::vector<std::string>& fields) {
    std::vector<std::string> out;
    for (std::size_t i = 1; i < fields.size(); ++i) {
        auto domain = fields[i];
        if (!domain.empty() && domain.back() == '.') {
            domain.pop_back();
        }
        if (!domain.empty()) {
            out.push_back(domain);
        }
    }
    return out;
}

} // namespace

ResolvConf parse_resolv_conf(std::string_view text) {
    ResolvConf conf;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        if (const auto comment = line.find_first_of("#;"); comment != std::string::npos) {
            line.resize(comment);
        }
        const auto fields = words(line);
        if (fields.empty()) {
            continue;
        }
        const auto& key = fields[0];
        if (key == "nameserver" && fields.size() > 1 &&
            conf.nameservers.size() < k_max_nameservers && !normalized_address(fields[1]).empty()) {
            conf.nameservers.push_back(fields[1]);
        } else if (key == "domain" || key == "search") {
            conf.search = domains(fields); // the last of domain/search wins, as in Go
        } else if (key == "options") {
            read_options(fields, conf);
        }
    }
    if (conf.nameservers.empty()) {
        conf.nameservers = {"127.0.0.1", "::1"};
        conf.default_nameservers = true;
    }
    return conf;
}

ResolvConf read_resolv_conf(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int error = errno;
        auto conf = parse_resolv_conf("");
        conf.file_missing = error == ENOENT;
        conf.read_error = std::strerror(error);
        return conf;
    }
    std::ostringstream content;
    content << in.rdbuf();
    return parse_resolv_conf(content.str());
}

std::vector<std::string> lookup_names(std::string_view name, const ResolvConf& conf) {
    if (!name.empty() && name.back() == '.') {
        return {std::string(name)};
    }
    const auto dots = std::count(name.begin(), name.end(), '.');
    std::vector<std::string> names;
    const std::string absolute = std::string(name) + ".";
    if (dots >= conf.ndots) {
        names.push_back(absolute);
    }
    for (const auto& domain : conf.search) {
        names.push_back(std::string(name) + "." + domain + ".");
    }
    if (dots < conf.ndots) {
        names.push_back(absolute);
    }
    return names;
}

} // namespace golaunch
