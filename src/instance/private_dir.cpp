#include "instance/private_dir.hpp"

#include "instance/atomic_file.hpp"

#include <optional>
#include <system_error>
#include <vector>

namespace golaunch {

namespace {

// The private directories of `dir`, outermost first: from the last `.golaunch` component down
// to `dir`, or `dir` alone when it has no such component.
std::vector<std::filesystem::path> private_chain(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> prefixes;
    std::filesystem::path prefix;
    std::optional<std::size_t> first;
    for (const auto& part : dir) {
        prefix /= part;
        prefixes.push_back(prefix);
        if (part == ".golaunch") {
            first = prefixes.size() - 1;
        }
    }
    if (prefixes.empty()) {
        return {std::filesystem::path(".")};
    }
    const auto start = static_cast<std::ptrdiff_t>(first.value_or(prefixes.size() - 1));
    return {prefixes.begin() + start, prefixes.end()};
}

std::filesystem::path directory_of(const std::filesystem::path& file) {
    return file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
}

} // namespace

Error link_refused(const std::filesystem::path& path) {
    std::string message = path.string() + " is a symbolic link";
    std::error_code error;
    const auto target = std::filesystem::read_symlink(path, error);
    if (!error) {
        message += " (to " + target.string() + ")";
    }
    return Error(message + "; golaunch never follows links under .golaunch/ and left it alone",
                 ExitCode::service_failed,
                 "remove it (`rm " + path.string() +
                     "`) and run again; golaunch keeps only its own files there");
}

void refuse_link(const std::filesystem::path& path) {
    if (is_link(path)) {
        throw link_refused(path);
    }
}

Error not_writable(const std::string& what, const std::filesystem::path& path,
                   const std::string& reason) {
    return Error(what + ": " + path.string() + " is not writable (" + reason + ")",
                 ExitCode::service_failed,
                 "golaunch keeps its own files in .golaunch/ next to the manifest: run it as a "
                 "user who may write " +
                     path.string() + ", or give this user write access to it");
}

void ensure_private_dir(const std::filesystem::path& dir) {
    const auto chain = private_chain(dir);
    std::error_code ignored;
    if (!chain.front().parent_path().empty()) {
        std::filesystem::create_directories(chain.front().parent_path(), ignored);
    }
    for (const auto& part : chain) {
        refuse_link(part);
        std::error_code error;
        std::filesystem::create_directory(part, error); // mkdir: never through a link
        refuse_link(part);
        if (!std::filesystem::is_directory(part, ignored)) {
            if (error == std::errc::permission_denied ||
                error == std::errc::operation_not_permitted ||
                error == std::errc::read_only_file_system) {
                throw not_writable("cannot create the directory " + part.string(),
                                   part.parent_path(), error.message());
            }
            throw Error("cannot create the directory " + part.string() +
                            (error ? ": " + error.message() : ": a file of that name is there"),
                        ExitCode::service_failed,
                        "golaunch keeps its own files in .golaunch/; remove or rename what is "
                        "in the way");
        }
    }
}

void check_private_dirs(const std::filesystem::path& dir) {
    for (const auto& part : private_chain(dir)) {
        refuse_link(part);
    }
}

void refuse_links_in(const std::filesystem::path& dir) {
    check_private_dirs(dir);
    std::error_code error;
    for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
         it.increment(error)) {
        refuse_link(it->path());
    }
}

void write_private_file(const std::filesystem::path& file, const std::string& content,
                        Durability durability) {
    ensure_private_dir(directory_of(file));
    refuse_link(file);
    write_file_atomically(file, content, durability);
}

void remove_private_file(const std::filesystem::path& file) {
    check_private_dirs(directory_of(file));
    refuse_link(file);
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
}

} // namespace golaunch
