// The portable, pure part of cgroup.hpp: parsing /proc texts and naming groups.
#include "platform/cgroup.hpp"

#include <vector>

namespace golaunch {

namespace {

std::vector<std::string_view> split_spaces(std::string_view line) {
    std::vector<std::string_view> fields;
    while (!line.empty()) {
        const auto end = line.find(' ');
        if (end != 0) {
            fields.push_back(line.substr(0, end));
        }
        line.remove_prefix(end == std::string_view::npos ? line.size() : end + 1);
    }
    return fields;
}

// mountinfo writes space, tab, newline and backslash in paths as \ooo.
std::string unescape_octal(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '3' &&
            text[i + 2] >= '0' && text[i + 2] <= '7' && text[i + 3] >= '0' && text[i + 3] <= '7') {
            out += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                     (text[i + 3] - '0'));
            i += 3;
        } else {
            out += text[i];
        }
    }
    return out;
}

// `path` relative to `root` when it lies under it ("/a/b" under "/a" is "/b"), else nullopt.
std::optional<std::string> below(const std::string& path, const std::string& root) {
    if (root == "/") {
        return path;
    }
    if (path.compare(0, root.size(), root) != 0) {
        return std::nullopt;
    }
    if (path.size() == root.size()) {
        return std::string("/");
    }
    if (path[root.size()] != '/') {
        return std::nullopt;
    }
    return path.substr(root.size());
}

} // namespace

std::optional<std::string> cgroup2_dir_from_mountinfo(std::string_view mountinfo,
                                                      std::string_view own_cgroup,
                                                      std::string* mount) {
    while (!mountinfo.empty()) {
        const auto end = mountinfo.find('\n');
        const auto fields = split_spaces(mountinfo.substr(0, end));
        mountinfo.remove_prefix(end == std::string_view::npos ? mountinfo.size() : end + 1);
        std::size_t dash = 6;
        while (dash < fields.size() && fields[dash] != "-") {
            ++dash;
        }
        if (dash + 1 >= fields.size() || fields[dash + 1] != "cgroup2") {
            continue;
        }
        const auto relative = below(std::string(own_cgroup), unescape_octal(fields[3]));
        if (!relative) {
            continue;
        }
        const std::string point = unescape_octal(fields[4]);
        if (mount != nullptr) {
            *mount = point;
        }
        if (*relative == "/") {
            return point;
        }
        return (point == "/" ? std::string() : point) + *relative;
    }
    return std::nullopt;
}

std::optional<std::string> cgroup2_path_from_proc_cgroup(std::string_view text) {
    while (!text.empty()) {
        const auto end = text.find('\n');
        const auto line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.substr(0, 3) == "0::" && line.size() > 3 && line[3] == '/') {
            return std::string(line.substr(3));
        }
    }
    return std::nullopt;
}

std::string sanitize_cgroup_name(std::string_view name) {
    std::string out;
    for (const char c : name.substr(0, 200)) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        out += plain ? c : '_';
    }
    return out.empty() ? "_" : out;
}

} // namespace golaunch
