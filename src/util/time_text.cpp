#include "util/time_text.hpp"

#include <cstdio>
#include <ctime>

namespace golaunch {

std::string iso8601_utc(std::chrono::system_clock::time_point time, bool with_milliseconds) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
    const auto seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char text[40];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    std::string out = text;
    if (with_milliseconds) {
        std::snprintf(text, sizeof text, ".%03lld", static_cast<long long>(ms % 1000));
        out += text;
    }
    return out + "Z";
}

} // namespace golaunch
