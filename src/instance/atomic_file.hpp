// Replacing a file so that a crash at any point leaves either the old or the new content: the
// one primitive (a temp file in the same directory, fsync, rename over, fsync the directory)
// behind golaunch's own small files (.golaunch/state.json, .golaunch/ports.toml, an edited
// manifest) and the hosts-file editor (remedy/safe_edit.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace golaunch {

// What a replacement survives. Both keep a reader from ever seeing half a file while the
// system runs (the rename is atomic).
//   synced        also a power cut: the file and its directory are fsynced (Windows:
//                 FlushFileBuffers, MOVEFILE_WRITE_THROUGH). The hosts file, manifests, what
//                 the user owns.
//   running_only  not a power cut (the old content, the new, or an empty file may be found
//                 after one): for golaunch's records of the processes running now, which a
//                 power cut ends anyway. Saves the two fsyncs (~1-2 ms on a VM disk) on the
//                 path to a service's start.
enum class Durability { synced, running_only };

// Writes `content` to a temp file in the same directory, fsyncs it (see Durability), renames
// it over `path` and fsyncs the directory. Keeps the mode of an existing file (else 0644).
// Creates missing parent directories. Throws golaunch::Error naming the file on failure;
// `path` is then untouched.
void write_file_atomically(const std::filesystem::path& path, const std::string& content,
                           Durability durability = Durability::synced);

// The whole file; throws golaunch::Error naming it when it cannot be read.
std::string read_whole_file(const std::filesystem::path& path);

// An exclusive lock (flock on Linux, LockFileEx on Windows) on `path` (created if missing), held
// until destruction. `path` is a private file (instance/private_dir.hpp): never through a link.
class FileLock {
  public:
    explicit FileLock(const std::filesystem::path& path);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

  private:
    std::intptr_t m_handle = -1; // the fd (Linux) or the HANDLE (Windows)
};

// The lower level, for callers that decide themselves what a failure means.

// One failed step: what was being done ("create", "set the owner of", "write", "replace"...),
// to which file, and the errno (Linux) or Win32 error code (Windows; see reason()).
struct FileWriteFailure {
    enum class Step { create, owner, mode, write, sync, rename };
    Step step = Step::create;
    std::filesystem::path path;
    int error = 0;

    std::string what() const;
    std::string reason() const; // strerror(error), or the Win32 message
};

struct FileOwner {
    unsigned uid = 0;
    unsigned gid = 0;
};

// How the temp file is made before it is renamed into place.
struct StageOptions {
    // "": a new unique name (".<name>.tmp-XXXXXX") next to the destination. A fixed name must
    // be guarded by a lock the caller holds; one left over by a crash is truncated and reused.
    std::filesystem::path temp;
    unsigned mode = 0644;                   // permission bits
    std::optional<FileOwner> owner;         // unset: ours. Failing to set it is a failure
                                            // (Step::owner) unless it already is ours.
    std::filesystem::path copy_xattrs_from; // extended attributes (SELinux label, ACLs) to
                                            // copy, best effort; "": none
    Durability durability = Durability::synced;
};

// A complete new version of `destination`, written and fsynced next to it but not yet in
// place. The temp file is removed on destruction unless it was renamed into place.
class StagedFile {
  public:
    // Never throws for I/O errors: check failure().
    StagedFile(std::filesystem::path destination, const std::string& content,
               const StageOptions& options = {});
    ~StagedFile();
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;

    const std::optional<FileWriteFailure>& failure() const { return m_failure; }
    const std::filesystem::path& temp() const { return m_temp; }

    // Renames the temp file over the destination and fsyncs the directory. On failure the
    // destination is untouched and the temp file is still there.
    std::optional<FileWriteFailure> rename_into_place();

    // Leaves the temp file on disk (a recovery copy) instead of removing it.
    void keep() { m_kept = true; }

  private:
    std::filesystem::path m_destination;
    std::filesystem::path m_temp; // "" once renamed or never created
    std::optional<FileWriteFailure> m_failure;
    bool m_kept = false;
    Durability m_durability = Durability::synced;
};

} // namespace golaunch
