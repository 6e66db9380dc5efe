// Editing a system file so that a crash at any instant leaves the old or the new content:
// lock, read, compute, back up once, then replace it with instance/atomic_file.hpp's StagedFile
// (temp file in the same directory, fsync, rename, fsync the directory). Mode, owner and
// extended attributes are kept.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace golaunch {

struct SafeEditResult {
    bool changed = false;
    std::string old_content;
    std::string new_content;
    std::filesystem::path target; // the file written (symlinks resolved)
    std::filesystem::path backup; // "<target>.golaunch.bak" ("" when nothing was written)
    bool backup_created = false;  // written by this call (the first change ever)
    bool in_place = false;        // rename was refused (EBUSY: a bind-mounted file)
    bool created = false;         // there was no file: it was (or, dry, would be) created
};

// Reads `file` under an exclusive flock on its directory (so two golaunch processes do not
// interleave), calls `edit(old content)` and, unless `dry_run` or the text is unchanged,
// replaces the file. When the file or its directory is not writable (EACCES, EPERM, EROFS,
// immutable) throws golaunch::Error naming the file, with `denied_hint`; the file is untouched.
// When the disk is full (ENOSPC, EDQUOT), also in the in-place rewrite of a bind-mounted file,
// throws golaunch::Error naming the file and the free space, the file holding its old content.
// When nothing is at `file` (not even a dangling link) in an existing directory, `edit` gets ""
// and a non-empty result is written as a new file (mode 0644 on Linux; the directory's
// inherited ACL on Windows), with nothing to back up (`created`).
SafeEditResult edit_file_safely(const std::filesystem::path& file,
                                const std::function<std::string(const std::string&)>& edit,
                                bool dry_run, const std::string& denied_hint);

// For the platform halves of edit_file_safely. When nothing is at `file` (not even a dangling
// link) and its directory exists: the path to create it at, in that directory's real path.
std::optional<std::filesystem::path> creatable_path(const std::filesystem::path& file);

// The result for `target`, which is not there: `edit("")`, to be created when not empty.
SafeEditResult edit_of_missing_file(const std::filesystem::path& target,
                                    const std::function<std::string(const std::string&)>& edit);

} // namespace golaunch
