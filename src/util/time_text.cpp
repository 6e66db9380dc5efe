#include "util/time_text.hpp"

#include <cstdio>

namespace golaunch {

// Calendar arithmetic from <chrono> (no gmtime_r, which Windows lacks).
std::string iso8601_utc(std::chrono::system_clock::time_point time, bool with_milliseconds) {
    using namespace std::chrono;
    const auto ms = floor<milliseconds>(time);
    const auto day = floor<days>(ms);
    const year_month_day date{day};
    const hh_mm_ss clock{ms - day};
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(clock.hours().count()),
                  static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()));
    std::string out = text;
    if (with_milliseconds) {
        std::snprintf(text, sizeof text, ".%03d", static_cast<int>(clock.subseconds().count()));
        out += text;
    }
    return out + "Z";
}

} // namespace golaunch
