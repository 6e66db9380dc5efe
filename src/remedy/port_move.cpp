#include "remedy/port_move.hpp"

#include "instance/atomic_file.hpp"
#include "manifest/loader.hpp"
#include "platform/port_finder.hpp"
#include "platform/socket_table.hpp"
#include "remedy/manifest_port_edit.hpp"
#include "remedy/port_override_edit.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <memory>

namespace golaunch {

namespace {

constexpr const char* k_ports_toml_shown = ".golaunch/ports.toml";

std::string label(const std::string& service, const std::string& port_name) {
    return service + "." + port_name;
}

std::string line_of(const std::string& text, int line) {
    std::size_t begin = 0;
    for (int current = 1; current < line && begin != std::string::npos; ++current) {
        begin = text.find('\n', begin);
        begin = begin == std::string::npos ? begin : begin + 1;
    }
    if (begin == std::string::npos) {
        return "";
    }
    const auto end = text.find('\n', begin);
    std::string found =
        text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    if (!found.empty() && found.back() == '\r') {
        found.pop_back();
    }
    return found;
}

// --write: the numbers for the manifest, written together at the end.
class ManifestWrite {
  public:
    explicit ManifestWrite(const FixRequest& request) : m_request(request) {}

    // The manifest as declared (without the overrides); throws golaunch::Error.
    const Manifest& declared() {
        if (!m_declared) {
            m_declared = std::make_unique<Manifest>(load_manifest(m_request.manifest.path));
            m_text = read_whole_file(m_declared->path);
        }
        return *m_declared;
    }

    // Checks `edit` against the manifest and adds it for `action`, with the line it changes
    // in the action's details; throws golaunch::Error when the number cannot be written.
    void add(FixAction& action, std::size_t index, const PortEdit& edit) {
        const Manifest& manifest = declared();
        const std::string edited =
            replace_port_number(m_text, manifest, edit.service, edit.port_name, edit.number);
        const int line = manifest.find_service(edit.service)->find_port(edit.port_name)->where.line;
        action.details.push_back(manifest.path.string() + ":" + std::to_string(line) + ": " +
                                 line_of(m_text, line) + "  ->  " + line_of(edited, line));
        m_edits.push_back(edit);
        m_actions.push_back(index);
    }

    // Writes every edit at once (unless dry run); marks the actions done, or failed.
    // Returns the edits written.
    std::vector<PortEdit> commit(std::vector<FixAction>& actions) {
        if (m_edits.empty() || m_request.dry_run) {
            return {};
        }
        try {
            write_port_numbers(declared(), m_edits);
        } catch (const Error& e) {
            for (const auto index : m_actions) {
                auto& action = actions[index];
                action.failed = true;
                action.text = "cannot write " + label_of(action) + " into " +
                              m_request.manifest.path.string() + ": " + e.what();
                action.hint = e.hint();
            }
            return {};
        }
        for (const auto index : m_actions) {
            actions[index].done = true;
        }
        return m_edits;
    }

  private:
    static std::string label_of(const FixAction& action) {
        return action.subject.substr(0, action.subject.find(' '));
    }

    const FixRequest& m_request;
    std::unique_ptr<Manifest> m_declared;
    std::string m_text;
    std::vector<PortEdit> m_edits;
    std::vector<std::size_t> m_actions;
};

FixAction cannot_write(FixAction action, const std::string& what, const Error& e) {
    action.failed = true;
    action.details.clear();
    action.text = "cannot move " + what + " in the manifest: " + e.what();
    action.hint = e.hint();
    return action;
}

std::string holder_text(const PortConflict& conflict) {
    if (conflict.holders.empty()) {
        return "a socket whose owner is hidden";
    }
    const auto& first = conflict.holders.front();
    std::string text = "pid " + std::to_string(first.info.pid);
    if (first.kind == HolderKind::live_golaunch || first.kind == HolderKind::running_ours) {
        text += " of a running golaunch (pid " + std::to_string(first.info.golaunch_pid) + ")";
    }
    return text;
}

FixAction move_port(const FixRequest& request, const PortConflict& conflict,
                    std::set<std::uint16_t>& reserved, std::vector<PortOverride>& overrides,
                    ManifestWrite& write, std::vector<FixAction>& actions) {
    const std::string name = label(conflict.service, conflict.port_name);
    FixAction action;
    action.kind = "move-port";
    action.subject = name + " :" + std::to_string(conflict.port);
    action.from = conflict.port;
    const auto moved = next_free_port(system_socket_table(), conflict.port, reserved);
    if (!moved) {
        action.failed = true;
        action.text = "no free port found to move " + name + " to";
        action.hint = "stop the holder (`golaunch who " + std::to_string(conflict.port) + "`)";
        return action;
    }
    reserved.insert(*moved);
    action.to = *moved;
    const std::string move = name + " " + std::to_string(conflict.port) + " -> " +
                             std::to_string(*moved) + " (" + std::to_string(conflict.port) +
                             " is held by " + holder_text(conflict) + ")";
    const std::string verb = request.dry_run ? "would move " : "moved ";
    if (request.write_manifest) {
        try {
            action.text = verb + move + " in " + write.declared().path.string();
            write.add(action, actions.size(), {conflict.service, conflict.port_name, *moved});
            overrides = without_override(overrides, conflict.service, conflict.port_name);
        } catch (const Error& e) {
            return cannot_write(std::move(action), name, e);
        }
        return action;
    }
    overrides = with_override(overrides, conflict.service, conflict.port_name, *moved);
    action.done = !request.dry_run;
    action.text = verb + move + ": port override in " + k_ports_toml_shown;
    return action;
}

bool among(const std::vector<const PortConflict*>& conflicts, const PortOverride& entry) {
    return std::any_of(conflicts.begin(), conflicts.end(), [&](const PortConflict* conflict) {
        return conflict->service == entry.service && conflict->port_name == entry.port_name;
    });
}

// --write: an override of ports.toml (not moved again) goes into the manifest.
void promote_overrides(const FixRequest& request, const std::vector<const PortConflict*>& moved,
                       std::vector<PortOverride>& overrides, ManifestWrite& write,
                       std::vector<FixAction>& actions) {
    for (const auto& entry : request.overrides) {
        if (among(moved, entry)) {
            continue;
        }
        const std::string name = label(entry.service, entry.port_name);
        FixAction action;
        action.kind = "override-into-manifest";
        action.subject = name + " :" + std::to_string(entry.number);
        action.to = entry.number;
        action.text = std::string(request.dry_run ? "would move" : "moved") +
                      " the port override " + name + " " + std::to_string(entry.number) + " from " +
                      k_ports_toml_shown + " into " + request.manifest.path.string();
        try {
            const auto* service = write.declared().find_service(entry.service);
            const auto* port = service ? service->find_port(entry.port_name) : nullptr;
            if (port == nullptr || port->number == entry.number) {
                continue; // port-override-unknown, or nothing to change
            }
            action.from = port->number;
            write.add(action, actions.size(), {entry.service, entry.port_name, entry.number});
            overrides = without_override(overrides, entry.service, entry.port_name);
        } catch (const Error& e) {
            action = cannot_write(std::move(action), "the port override of " + name, e);
        }
        actions.push_back(std::move(action));
    }
}

} // namespace

std::vector<FixAction> move_ports(const FixRequest& request,
                                  const std::vector<const PortConflict*>& conflicts,
                                  std::set<std::uint16_t> reserved) {
    std::vector<FixAction> actions;
    auto overrides = request.overrides;
    ManifestWrite write(request);
    for (const auto* conflict : conflicts) {
        actions.push_back(move_port(request, *conflict, reserved, overrides, write, actions));
    }
    if (request.write_manifest) {
        promote_overrides(request, conflicts, overrides, write, actions);
    }
    const auto written = write.commit(actions);
    if (request.dry_run) {
        return actions;
    }
    // Entries whose number did not reach the manifest stay in ports.toml.
    auto kept = overrides;
    if (request.write_manifest) {
        kept = request.overrides;
        for (const auto& edit : written) {
            kept = without_override(kept, edit.service, edit.port_name);
        }
    }
    const bool changed = kept.size() != request.overrides.size() ||
                         !std::equal(kept.begin(), kept.end(), request.overrides.begin(),
                                     [](const PortOverride& a, const PortOverride& b) {
                                         return a.service == b.service &&
                                                a.port_name == b.port_name && a.number == b.number;
                                     });
    if (!changed) {
        return actions;
    }
    try {
        write_port_overrides(port_override_path(request.manifest.root_dir), kept);
    } catch (const Error& e) {
        for (auto& action : actions) {
            if (!action.done) {
                continue;
            }
            if (request.write_manifest) {
                // The manifest has the number; the stale entry only repeats it.
                action.details.push_back(std::string("could not remove it from ") +
                                         k_ports_toml_shown + ": " + e.what() +
                                         " (it now equals the manifest and changes nothing)");
            } else {
                action.done = false;
                action.failed = true;
                action.text += std::string(" (not saved: ") + e.what() + ")";
                action.hint = e.hint();
            }
        }
    }
    return actions;
}

} // namespace golaunch
