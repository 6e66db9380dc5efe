#include "manifest/text_file.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace golaunch {

namespace {

[[noreturn]] void fail(const std::string& name, int error, const std::string& hint) {
    throw Error("cannot read " + name + ": " + std::strerror(error), ExitCode::usage, hint);
}

} // namespace

std::string read_text_file(const std::filesystem::path& path, const std::string& hint) {
    const std::string name = path.string();
    errno = 0;
    std::FILE* file = std::fopen(name.c_str(), "rb");
    if (file == nullptr) {
        fail(name, errno, hint);
    }
    std::string text;
    char buffer[8192];
    std::size_t count = 0;
    while ((count = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
        text.append(buffer, count);
    }
    const int error = errno;
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed) {
        fail(name, error != 0 ? error : EIO, hint);
    }
    return text;
}

} // namespace golaunch
