#include "platform/local_time.hpp"

namespace golaunch {

std::tm local_calendar_time(std::time_t seconds) {
    std::tm local{};
    ::localtime_r(&seconds, &local);
    return local;
}

} // namespace golaunch
