// .golaunch/state.json: the golaunch instances running (or killed without cleaning up) for the
// manifests of one directory, so that a later golaunch can tell its own stale services from
// anybody else's processes.
//
// Every process golaunch starts carries GOLAUNCH_PID=<golaunch pid> in its environment. A
// holder whose GOLAUNCH_PID names an instance recorded here for this manifest, while that
// instance is gone (pid dead, or reused: the start time differs), is "our stale instance".
#pragma once

#include "platform/process_info.hpp"

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace golaunch {

// Who holds a port, as golaunch sees it (classify_holder below decides).
enum class HolderKind {
    foreign,       // not started by golaunch (or its mark is unreadable)
    this_golaunch, // started by the golaunch asking
    live_golaunch, // started by another golaunch that still runs: never touched
    running_ours,  // started by a golaunch that still runs this very manifest (recorded here)
    stale_ours,    // left by a recorded instance of this manifest that is gone
    stale_unknown, // marked by a golaunch that is gone, not recorded for this manifest
};

const char* to_string(HolderKind kind); // "foreign", "this-golaunch", "running-golaunch", ...

struct InstanceRecord {
    pid_t pid = 0;
    std::uint64_t start_ticks = 0; // /proc/PID/stat field 22: pid + this = one process
    std::string manifest;          // absolute path of the manifest it ran
    std::string manifest_hash;     // "fnv1a64:0123456789abcdef" of the manifest's bytes
    std::string started_at;        // ISO-8601, for people
};

// <root_dir>/.golaunch/state.json
std::filesystem::path state_file_path(const std::filesystem::path& root_dir);

// "fnv1a64:<16 hex digits>" of `bytes`.
std::string content_hash(const std::string& bytes);

// The record for this process running `manifest_path` (whose bytes hash to `hash`).
InstanceRecord current_instance(const std::filesystem::path& manifest_path,
                                const std::string& hash);

// True while the recorded process still exists with the same start time.
bool instance_alive(const InstanceRecord& record);

// Every record in the file; an absent file gives none. A damaged file gives none too (it is
// ours, rewritten on the next run); `problem` (if given) then says what was wrong.
std::vector<InstanceRecord> read_instances(const std::filesystem::path& state_file,
                                           std::string* problem = nullptr);

// Adds `record` (replacing one with the same pid), under a lock, written atomically. Records of
// instances that are gone and left no process carrying their mark are dropped on the way.
void record_instance(const std::filesystem::path& state_file, const InstanceRecord& record);

// Removes the record of `pid`; removes the file when no record is left.
void forget_instance(const std::filesystem::path& state_file, pid_t pid);

// Removes the records of instances that are gone and left no marked process.
void prune_instances(const std::filesystem::path& state_file);

// Live processes whose GOLAUNCH_PID is `golaunch_pid` (a /proc scan).
std::vector<ProcessInfo> marked_processes(pid_t golaunch_pid);

// Classifies `holder` against the records of `manifest_path` (absolute).
HolderKind classify_holder(const ProcessInfo& holder, const std::vector<InstanceRecord>& records,
                           const std::filesystem::path& manifest_path);

} // namespace golaunch
