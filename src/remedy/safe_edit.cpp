// The part of edit_file_safely both platforms share: where a missing file is created, and what
// an edit of one gives.
#include "remedy/safe_edit.hpp"

#include <system_error>

namespace golaunch {

std::optional<std::filesystem::path> creatable_path(const std::filesystem::path& file) {
    std::error_code error;
    if (std::filesystem::symlink_status(file, error).type() !=
            std::filesystem::file_type::not_found ||
        file.filename().empty()) {
        return std::nullopt;
    }
    auto dir = std::filesystem::canonical(std::filesystem::absolute(file).parent_path(), error);
    if (error) {
        return std::nullopt;
    }
    return dir / file.filename();
}

SafeEditResult edit_of_missing_file(const std::filesystem::path& target,
                                    const std::function<std::string(const std::string&)>& edit) {
    SafeEditResult result;
    result.target = target;
    result.new_content = edit("");
    result.changed = !result.new_content.empty();
    result.created = result.changed;
    return result;
}

} // namespace golaunch
