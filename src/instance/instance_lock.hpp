// .golaunch/lock: at most one `golaunch run` (or `golaunch fix`) per project directory.
//
// The lock is an OS lock on the file (Linux: flock; it dies with its process, so a kill -9
// never leaves it held). The file's content only says who holds it, for the refusal message:
// written once the lock is taken, cleared on a clean release. A record found when the lock is
// taken therefore names an owner that died without cleaning up: a stale lock, recovered.
// The file itself is never removed (removing a lock file races with a process opening it).
//
// .golaunch/state.json (instance/state_file.hpp) is a different thing: it remembers instances so
// that their leftover services can be recognised; this lock only keeps two instances apart.
#pragma once

#include "instance/state_file.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace golaunch {

// Who holds (or held) the lock.
struct LockOwner {
    InstanceRecord instance; // pid, start time, absolute manifest path
    std::string command;     // its command line, e.g. "golaunch run app.toml --json"
};

// <root_dir>/.golaunch/lock
std::filesystem::path instance_lock_path(const std::filesystem::path& root_dir);

// This process, running `manifest_path`.
LockOwner current_lock_owner(const std::filesystem::path& manifest_path);

// The file's content for `owner` (JSON) and back; nullopt for an empty or damaged record.
std::string format_lock_owner(const LockOwner& owner);
std::optional<LockOwner> parse_lock_owner(const std::string& text);

// "golaunch pid 1234 (since 2026-11-26T04:15:07Z, `golaunch run app.toml`)"
std::string describe_lock_owner(const LockOwner& owner);

class InstanceLock;

// What try_lock_instance found.
struct LockAttempt {
    std::unique_ptr<InstanceLock> lock; // set when the lock was taken
    // Lock taken: the record a dead owner left (a stale lock, now recovered), if any.
    // Lock refused: the record of the owner holding it (nullopt if it could not be read).
    std::optional<LockOwner> other;
};

// Held until destruction, which clears the record and releases the lock.
class InstanceLock {
  public:
    ~InstanceLock();
    InstanceLock(const InstanceLock&) = delete;
    InstanceLock& operator=(const InstanceLock&) = delete;

    // Takes the lock on `lock_file` (created with its directory if missing) without waiting,
    // and writes `me` into it. Throws golaunch::Error when the file cannot be opened.
    friend LockAttempt try_lock_instance(const std::filesystem::path& lock_file,
                                         const LockOwner& me);

  private:
    explicit InstanceLock(std::intptr_t handle) : m_handle(handle) {}
    std::intptr_t m_handle; // the platform's file descriptor or HANDLE
};

LockAttempt try_lock_instance(const std::filesystem::path& lock_file, const LockOwner& me);

// For `run` and `fix`: takes the lock of `manifest_path`'s directory or throws golaunch::Error
// (ExitCode::already_running) naming the instance that holds it. `stale` (if given) receives
// the record of a dead owner whose lock was recovered.
std::unique_ptr<InstanceLock> lock_instance_or_refuse(const std::filesystem::path& root_dir,
                                                      const std::filesystem::path& manifest_path,
                                                      std::optional<LockOwner>* stale);

// The log line for a recovered stale lock: "recovered stale lock of pid N (...)".
std::string stale_lock_message(const LockOwner& stale);

} // namespace golaunch
