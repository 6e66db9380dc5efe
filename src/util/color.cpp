#include "util/color.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace golaunch {

bool color_wanted(StreamKind kind, const char* term, const char* no_color, const char* force) {
    if (force != nullptr && force[0] != '\0' && std::strcmp(force, "0") != 0) {
        return true;
    }
    if (no_color != nullptr && no_color[0] != '\0') {
        return false;
    }
    const bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
    switch (kind) {
    case StreamKind::console: // cmd and PowerShell set no TERM
        return !dumb;
    case StreamKind::terminal:
        return term != nullptr && !dumb;
    case StreamKind::other:
        break;
    }
    return false;
}

bool is_cygwin_pty_pipe_name(std::string_view name) {
    if (!name.empty() && name.front() == '\\') {
        name.remove_prefix(1);
    }
    const auto parts = split(std::string(name), '-');
    const auto all = [](const std::string& text, auto test) {
        return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
            return test(static_cast<unsigned char>(c)) != 0;
        });
    };
    return parts.size() == 5 && (parts[0] == "msys" || parts[0] == "cygwin") &&
           all(parts[1], [](int c) { return std::isxdigit(c); }) && parts[2].size() > 3 &&
           parts[2].compare(0, 3, "pty") == 0 &&
           all(parts[2].substr(3), [](int c) { return std::isdigit(c); }) &&
           (parts[3] == "from" || parts[3] == "to") && parts[4] == "master";
}

bool should_use_color(std::FILE* stream) {
    return color_wanted(stream_kind(stream), std::getenv("TERM"), std::getenv("NO_COLOR"),
                        std::getenv("CLICOLOR_FORCE"));
}

std::string Palette::paint(std::string_view text, int sgr_code) const {
    if (!enabled) {
        return std::string(text);
    }
    return "\033[" + std::to_string(sgr_code) + "m" + std::string(text) + "\033[0m";
}

int service_color(std::size_t index) {
    static constexpr int k_colors[] = {36, 33, 32, 35, 34, 96, 93, 92, 95, 94};
    return k_colors[index % (sizeof k_colors / sizeof k_colors[0])];
}

} // namespace golaunch
