#include "instance/project_file.hpp"

#include "instance/atomic_file.hpp"
#include "instance/private_dir.hpp"
#include "util/error.hpp"

#include <system_error>

namespace golaunch {

namespace {

[[noreturn]] void refuse(const std::filesystem::path& path) {
    std::string message = path.string() + " is a symbolic link";
    std::error_code error;
    const auto target = std::filesystem::read_symlink(path, error);
    if (!error) {
        message += " (to " + target.string() + ")";
    }
    throw Error(message + "; golaunch writes generated files only inside the project, never "
                          "through a link, and left it alone",
                ExitCode::service_failed,
                "remove the link (`rm " + path.string() + "`) or choose another 'to'");
}

} // namespace

void write_project_file(const std::filesystem::path& root, const std::filesystem::path& relative,
                        const std::string& content) {
    std::filesystem::path current = root;
    for (const auto& part : relative.parent_path()) {
        current /= part;
        if (is_link(current)) {
            refuse(current);
        }
        std::error_code error;
        std::filesystem::create_directory(current, error); // mkdir: never through a link
        if (is_link(current)) {
            refuse(current);
        }
        std::error_code ignored;
        if (!std::filesystem::is_directory(current, ignored)) {
            throw Error("cannot create the directory " + current.string() +
                            (error ? ": " + error.message() : ": a file of that name is there"),
                        ExitCode::service_failed, "remove or rename what is in the way");
        }
    }
    const std::filesystem::path file = current / relative.filename();
    if (is_link(file)) {
        refuse(file);
    }
    write_file_atomically(file, content);
}

} // namespace golaunch
