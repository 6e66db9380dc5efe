#include "util/regular_file.hpp"

#include <fstream>
#include <iterator>
#include <system_error>

namespace golaunch {

namespace {

FileContent failed(std::string problem) {
    return {{}, std::move(problem), 0};
}

} // namespace

// Windows has no FIFOs in the file system and no /dev/zero; checking the type and size through
// std::filesystem before reading is enough.
FileContent read_regular_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (error) {
        return failed(error.message());
    }
    if (status.type() != std::filesystem::file_type::regular) {
        return failed("not a regular file (" + file_type_text(status.type()) + ")");
    }
    const std::uint64_t size = std::filesystem::file_size(path, error);
    if (error) {
        return failed(error.message());
    }
    if (size > max_bytes) {
        return failed(too_large_problem(size, max_bytes));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return failed("cannot open the file");
    }
    FileContent content;
    content.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return failed("read error");
    }
    if (content.bytes.size() > max_bytes) {
        return failed(too_large_problem(content.bytes.size(), max_bytes));
    }
    return content;
}

} // namespace golaunch
