#include "instance/state_file.hpp"

#include "instance/atomic_file.hpp"
#include "instance/private_dir.hpp"
#include "manifest/project_id.hpp"
#include "platform/port_owners.hpp"
#include "util/regular_file.hpp"
#include "util/time_text.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace golaunch {

namespace {

constexpr int k_state_version = 1;

std::filesystem::path lock_path(const std::filesystem::path& state_file) {
    return state_file.parent_path() / "state.lock";
}

nlohmann::json to_json(const InstanceRecord& record) {
    return {{"pid", record.pid},
            {"start_ticks", record.start_ticks},
            {"manifest", record.manifest},
            {"manifest_hash", record.manifest_hash},
            {"started_at", record.started_at}};
}

void write_records(const std::filesystem::path& state_file,
                   const std::vector<InstanceRecord>& records) {
    if (records.empty()) {
        remove_private_file(state_file);
        return;
    }
    nlohmann::json instances = nlohmann::json::array();
    for (const auto& record : records) {
        instances.push_back(to_json(record));
    }
    const nlohmann::json document{{"version", k_state_version},
                                  {"comment", "written by golaunch run; safe to delete when no "
                                              "golaunch runs in this directory"},
                                  {"instances", std::move(instances)}};
    // Records of running processes: a power cut ends them, so no fsync (Durability).
    write_private_file(state_file, document.dump(2) + "\n", Durability::running_only);
}

// A record is worth keeping while its instance runs, or while processes it started remain
// (they are what `golaunch fix` and stop-stale look for).
bool worth_keeping(const InstanceRecord& record) {
    return instance_alive(record) || !marked_processes(record.pid).empty();
}

} // namespace

const char* to_string(HolderKind kind) {
    switch (kind) {
    case HolderKind::foreign:
        return "foreign";
    case HolderKind::this_golaunch:
        return "this-golaunch";
    case HolderKind::live_golaunch:
        return "running-golaunch";
    case HolderKind::running_ours:
        return "running-ours";
    case HolderKind::stale_ours:
        return "stale-ours";
    case HolderKind::stale_unknown:
        return "stale-unknown";
    }
    return "?";
}

std::filesystem::path state_file_path(const std::filesystem::path& root_dir) {
    return root_dir / ".golaunch" / "state.json";
}

std::string content_hash(const std::string& bytes) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return std::string("fnv1a64:") + text;
}

InstanceRecord current_instance(const std::filesystem::path& manifest_path,
                                const std::string& hash) {
    InstanceRecord record;
    record.pid = ::getpid();
    if (const auto self = read_process_info(record.pid)) {
        record.start_ticks = self->start_ticks;
        record.started_at = iso8601_utc(self->start_time);
    }
    record.manifest = std::filesystem::absolute(manifest_path).lexically_normal().string();
    record.manifest_hash = hash;
    return record;
}

bool instance_alive(const InstanceRecord& record) {
    if (record.pid <= 0) {
        return false;
    }
    const auto info = read_process_info(record.pid);
    return info && info->state != 'Z' && info->start_ticks == record.start_ticks;
}

std::vector<InstanceRecord> read_instances(const std::filesystem::path& state_file,
                                           std::string* problem) {
    // A link throws: it is not "damaged", it must not be used.
    check_private_dirs(state_file.parent_path());
    refuse_link(state_file);
    std::error_code error;
    if (!std::filesystem::exists(state_file, error)) {
        return {};
    }
    std::vector<InstanceRecord> records;
    try {
        const FileContent file = read_regular_file(state_file); // a FIFO here never blocks
        if (!file.ok()) {
            throw std::runtime_error(file.problem);
        }
        const auto document = nlohmann::json::parse(file.bytes);
        for (const auto& item : document.at("instances")) {
            InstanceRecord record;
            record.pid = item.at("pid").get<pid_t>();
            record.start_ticks = item.at("start_ticks").get<std::uint64_t>();
            record.manifest = item.at("manifest").get<std::string>();
            record.manifest_hash = item.value("manifest_hash", "");
            record.started_at = item.value("started_at", "");
            if (record.pid > 0) {
                records.push_back(std::move(record));
            }
        }
    } catch (const std::exception& e) {
        if (problem) {
            *problem = state_file.string() + " is damaged (" + e.what() + ")";
        }
        return {};
    }
    return records;
}

void record_instance(const std::filesystem::path& state_file, const InstanceRecord& record) {
    const FileLock lock(lock_path(state_file));
    auto records = read_instances(state_file);
    std::erase_if(records, [&](const InstanceRecord& old) {
        return old.pid == record.pid || !worth_keeping(old);
    });
    records.push_back(record);
    write_records(state_file, records);
}

void forget_instance(const std::filesystem::path& state_file, pid_t pid) {
    const FileLock lock(lock_path(state_file));
    auto records = read_instances(state_file);
    const auto before = records.size();
    // A clean exit that left marked processes behind (a daemon that escaped its process group
    // where no cgroup holds the services) keeps its record: it is what makes them ours for
    // `fix`, stop-stale and `check` once this golaunch is gone. prune drops it with the last.
    std::erase_if(records, [&](const InstanceRecord& old) {
        return old.pid == pid && marked_processes(pid).empty();
    });
    if (records.size() != before || records.empty()) {
        write_records(state_file, records);
    }
}

void prune_instances(const std::filesystem::path& state_file) {
    refuse_link(state_file);
    if (!std::filesystem::exists(state_file)) {
        return;
    }
    const FileLock lock(lock_path(state_file));
    auto records = read_instances(state_file);
    const auto before = records.size();
    std::erase_if(records, [](const InstanceRecord& old) { return !worth_keeping(old); });
    if (records.size() != before) {
        write_records(state_file, records);
    }
}

std::vector<ProcessInfo> marked_processes(pid_t golaunch_pid) {
    std::vector<ProcessInfo> out;
    std::error_code error;
    for (std::filesystem::directory_iterator it("/proc", error), end; !error && it != end;
         it.increment(error)) {
        const std::string name = it->path().filename().string();
        pid_t pid = 0;
        const auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
        if (ec != std::errc() || ptr != name.data() + name.size() || pid <= 0) {
            continue;
        }
        auto info = read_process_info(pid);
        if (info && info->golaunch_pid == golaunch_pid && info->state != 'Z') {
            out.push_back(std::move(*info));
        }
    }
    return out;
}

HolderKind classify_holder(const ProcessInfo& holder, const std::vector<InstanceRecord>& records,
                           const std::filesystem::path& manifest_path) {
    if (holder.golaunch_pid <= 0 || holder.golaunch_pid == holder.pid) {
        return HolderKind::foreign;
    }
    if (holder.golaunch_pid == ::getpid()) {
        return HolderKind::this_golaunch;
    }
    const std::string manifest =
        std::filesystem::absolute(manifest_path).lexically_normal().string();
    // A mark of another project (or a forged one that does not name this manifest) is never
    // ours, whatever pid it names. Processes of golaunch before the project mark carry none.
    const bool other_project =
        !holder.golaunch_project.empty() && holder.golaunch_project != project_id(manifest_path);
    if (started_by_golaunch(holder)) {
        const bool recorded = std::any_of(records.begin(), records.end(), [&](const auto& record) {
            return record.pid == holder.golaunch_pid && record.manifest == manifest &&
                   instance_alive(record);
        });
        return recorded && !other_project ? HolderKind::running_ours : HolderKind::live_golaunch;
    }
    if (other_project) {
        return HolderKind::stale_unknown;
    }
    for (const auto& record : records) {
        if (record.pid != holder.golaunch_pid || record.manifest != manifest) {
            continue;
        }
        if (instance_alive(record)) {
            return HolderKind::live_golaunch;
        }
        // The holder must have been started after that golaunch: otherwise the mark is a
        // coincidence (a pid reused by a later golaunch cannot have started it).
        if (holder.start_ticks == 0 || record.start_ticks <= holder.start_ticks) {
            return HolderKind::stale_ours;
        }
    }
    return HolderKind::stale_unknown;
}

} // namespace golaunch
