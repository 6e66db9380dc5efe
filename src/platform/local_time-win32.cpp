#include "platform/local_time.hpp"

namespace golaunch {

std::tm local_calendar_time(std::time_t seconds) {
    std::tm local{};
    ::localtime_s(&local, &seconds);
    return local;
}

} // namespace golaunch
