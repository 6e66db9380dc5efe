#include "manifest/text_file.hpp"

#include "util/error.hpp"
#include "util/regular_file.hpp"

namespace golaunch {

std::string read_text_file(const std::filesystem::path& path, const std::string& hint) {
    FileContent file = read_regular_file(path);
    if (!file.ok()) {
        throw Error("cannot read " + path.string() + ": " + file.problem, ExitCode::usage, hint);
    }
    return std::move(file.bytes);
}

} // namespace golaunch
