// Writing golaunch's own small files (.golaunch/state.json, .golaunch/ports.toml, an edited
// manifest) so that a crash at any point leaves either the old or the new content.
#pragma once

#include <filesystem>
#include <string>

namespace golaunch {

// Writes `content` to a temp file in the same directory, fsyncs it, renames it over `path`
// and fsyncs the directory. Keeps the mode of an existing file (else 0644). Creates missing
// parent directories. Throws golaunch::Error naming the file on failure; `path` is then
// untouched.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

// The whole file; throws golaunch::Error naming it when it cannot be read.
std::string read_whole_file(const std::filesystem::path& path);

// An exclusive advisory lock (flock) on `path` (created if missing), held until destruction.
class FileLock {
  public:
    explicit FileLock(const std::filesystem::path& path);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

  private:
    int m_fd = -1;
};

} // namespace golaunch
