#include "instance/instance_lock.hpp"

#include "instance/private_dir.hpp"
#include "platform/process_info.hpp"
#include "util/error.hpp"

#include <nlohmann/json.hpp>

namespace golaunch {

std::filesystem::path instance_lock_path(const std::filesystem::path& root_dir) {
    return root_dir / ".golaunch" / "lock";
}

LockOwner current_lock_owner(const std::filesystem::path& manifest_path) {
    LockOwner owner;
    owner.instance = current_instance(manifest_path, "");
    if (const auto self = read_process_info(owner.instance.pid)) {
        for (const auto& arg : self->cmdline) {
            owner.command += (owner.command.empty() ? "" : " ") + arg;
        }
    }
    return owner;
}

std::string format_lock_owner(const LockOwner& owner) {
    const nlohmann::json record{{"pid", owner.instance.pid},
                                {"start_ticks", owner.instance.start_ticks},
                                {"started_at", owner.instance.started_at},
                                {"manifest", owner.instance.manifest},
                                {"command", owner.command}};
    return record.dump() + "\n";
}

std::optional<LockOwner> parse_lock_owner(const std::string& text) {
    const auto record = nlohmann::json::parse(text, nullptr, false);
    if (!record.is_object() || !record.contains("pid") || !record["pid"].is_number_integer()) {
        return std::nullopt;
    }
    LockOwner owner;
    owner.instance.pid = record["pid"].get<pid_t>();
    owner.instance.start_ticks = record.value("start_ticks", std::uint64_t{0});
    owner.instance.started_at = record.value("started_at", "");
    owner.instance.manifest = record.value("manifest", "");
    owner.command = record.value("command", "");
    if (owner.instance.pid <= 0) {
        return std::nullopt;
    }
    return owner;
}

namespace {

// "since 2026-11-26T04:15:07Z, `golaunch run app.toml`" (what is known of it)
std::string owner_details(const LockOwner& owner) {
    std::string details;
    if (!owner.instance.started_at.empty()) {
        details = "since " + owner.instance.started_at;
    }
    if (!owner.command.empty()) {
        details += (details.empty() ? "`" : ", `") + owner.command + "`";
    }
    return details;
}

} // namespace

std::string describe_lock_owner(const LockOwner& owner) {
    const std::string text = "golaunch pid " + std::to_string(owner.instance.pid);
    const std::string details = owner_details(owner);
    return details.empty() ? text : text + " (" + details + ")";
}

std::unique_ptr<InstanceLock> lock_instance_or_refuse(const std::filesystem::path& root_dir,
                                                      const std::filesystem::path& manifest_path,
                                                      std::optional<LockOwner>* stale) {
    const auto file = instance_lock_path(root_dir);
    // Every link directly in .golaunch/ is refused before anything is opened or written.
    refuse_links_in(file.parent_path());
    auto attempt = try_lock_instance(file, current_lock_owner(manifest_path));
    if (attempt.lock) {
        if (stale) {
            *stale = std::move(attempt.other);
        }
        return std::move(attempt.lock);
    }
    std::string message = "another golaunch is already running in " + root_dir.string() + ": ";
    std::string hint = "`golaunch ps`, `golaunch logs -f` and `golaunch restart SERVICE` work on "
                       "it; or stop it first (Ctrl-C in its terminal";
    if (attempt.other) {
        message += describe_lock_owner(*attempt.other);
        const auto& manifest = attempt.other->instance.manifest;
        if (!manifest.empty() && manifest != current_instance(manifest_path, "").manifest) {
            message += ", running " + manifest + " (manifests of one directory share .golaunch/)";
        }
        hint += ", or `" + kill_command_text({attempt.other->instance.pid}) + "`";
    } else {
        message += "it holds " + file.string();
    }
    hint += "); `golaunch check` works while it runs";
    throw Error(message, ExitCode::already_running, hint);
}

std::string stale_lock_message(const LockOwner& stale) {
    std::string text = "recovered stale lock of pid " + std::to_string(stale.instance.pid);
    const std::string details = owner_details(stale);
    text += details.empty() ? std::string() : " (" + details + ")";
    return text + (instance_alive(stale.instance) ? ": it no longer holds the lock"
                                                  : ": it ended without releasing it");
}

} // namespace golaunch
