// The hosts-file remedy: golaunch's names in one marked block,
//     # BEGIN golaunch <project>
//     127.0.0.1 api.shop.test
//     # END golaunch <project>
// everything outside the block kept byte for byte, written safely (remedy/safe_edit.hpp).
#pragma once

#include "manifest/manifest.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

struct HostsEdit {
    bool changed = false;
    std::string old_block;        // the block's lines before ("" when there was none), '\n'-joined
    std::string new_block;        // after ("" when removed or still absent)
    std::filesystem::path backup; // "<file>.golaunch.bak" when the file was written
    bool backup_created = false;  // this edit made the backup (the first change)
    bool in_place = false;        // rename refused (bind-mounted file): rewritten in place
    bool created = false;         // there was no hosts file: it was (dry: would be) created
    // For a person: names left out of the block and why ("api.shop.test already maps to
    // 127.0.0.1 at line 4", "... maps to 10.0.0.5 at line 7, outside the golaunch block").
    std::vector<std::string> notes;
};

// The text after the edit, without touching any file. Throws golaunch::Error (with
// "file:line:column:") when the file holds a BEGIN marker without its END, or the reverse.
struct HostsBlockPlan {
    std::string content;
    std::string old_block;
    std::string new_block;
    std::vector<std::string> notes;
};
HostsBlockPlan plan_hosts_block(std::string_view content, const std::string& project,
                                const std::vector<HostEntry>& entries,
                                const std::string& file_label);

// Makes `hosts_file` hold exactly one golaunch block for `project` with `entries` (names already
// mapped to the same address elsewhere in the file are left out, with a note); an empty list
// removes the block. Idempotent: when nothing changes, the file is not written at all. A
// missing file reads as empty, as resolvers read it, and is created when there is a block.
// Not permitted (EACCES, EPERM, EROFS): golaunch::Error naming the file, hint
// "sudo golaunch fix --hosts-file <path>", the file intact.
HostsEdit apply_hosts_block(const std::filesystem::path& hosts_file, const std::string& project,
                            const std::vector<HostEntry>& entries, bool dry_run);

} // namespace golaunch
