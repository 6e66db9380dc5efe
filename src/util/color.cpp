#include "util/color.hpp"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace golaunch {

bool should_use_color(std::FILE* stream) {
    const char* force = std::getenv("CLICOLOR_FORCE");
    if (force != nullptr && std::strcmp(force, "0") != 0 && force[0] != '\0') {
        return true;
    }
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && no_color[0] != '\0') {
        return false;
    }
    const char* term = std::getenv("TERM");
    if (term == nullptr || std::strcmp(term, "dumb") == 0) {
        return false;
    }
    return ::isatty(::fileno(stream)) == 1;
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
