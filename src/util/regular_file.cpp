#include "util/regular_file.hpp"

namespace golaunch {

std::string too_large_problem(std::uint64_t size, std::uint64_t max_bytes) {
    return "too large (" + std::to_string(size) + " bytes; the limit is " +
           std::to_string(max_bytes) + ")";
}

} // namespace golaunch
