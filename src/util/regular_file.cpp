#include "util/regular_file.hpp"

namespace golaunch {

std::string too_large_problem(std::uint64_t size, std::uint64_t max_bytes) {
    return "too large (" + std::to_string(size) + " bytes; the limit is " +
           std::to_string(max_bytes) + ")";
}

std::string file_type_text(std::filesystem::file_type type) {
    switch (type) {
    case std::filesystem::file_type::regular:
        return "a regular file";
    case std::filesystem::file_type::directory:
        return "a directory";
    case std::filesystem::file_type::fifo:
        return "a FIFO";
    case std::filesystem::file_type::character:
        return "a character device";
    case std::filesystem::file_type::block:
        return "a block device";
    case std::filesystem::file_type::socket:
        return "a socket";
    case std::filesystem::file_type::symlink:
        return "a symbolic link";
    default:
        return "not a file";
    }
}

} // namespace golaunch
