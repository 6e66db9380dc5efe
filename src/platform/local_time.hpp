// The local calendar time of a time_t, thread-safe on every platform.
#pragma once

#include <ctime>

namespace golaunch {

std::tm local_calendar_time(std::time_t seconds);

} // namespace golaunch
