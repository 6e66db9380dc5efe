#include "remedy/hosts_block.hpp"

#include "manifest/names.hpp"
#include "platform/hosts_file.hpp"
#include "platform/hosts_path.hpp"
#include "remedy/safe_edit.hpp"
#include "util/error.hpp"

#include <set>

namespace golaunch {

namespace {

struct Line {
    std::size_t start = 0; // offset of the first byte
    std::size_t end = 0;   // offset after the line ending (or end of text)
    std::string_view text; // without the line ending
    bool has_eol = false;
};

std::vector<Line> split_lines(std::string_view content) {
    std::vector<Line> lines;
    std::size_t start = 0;
    while (start < content.size()) {
        const auto newline = content.find('\n', start);
        Line line;
        line.start = start;
        line.has_eol = newline != std::string_view::npos;
        line.end = line.has_eol ? newline + 1 : content.size();
        auto text = content.substr(start, (line.has_eol ? newline : content.size()) - start);
        if (!text.empty() && text.back() == '\r') {
            text.remove_suffix(1);
        }
        line.text = text;
        lines.push_back(line);
        start = line.end;
    }
    return lines;
}

// The file's own line ending: the first line's, LF for an empty or one-line file.
std::string line_ending(std::string_view content) {
    const auto newline = content.find('\n');
    return newline != std::string_view::npos && newline > 0 && content[newline - 1] == '\r' ? "\r\n"
                                                                                            : "\n";
}

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

struct BlockRange {
    std::size_t begin = 0; // index of the BEGIN line
    std::size_t end = 0;   // index of the END line
};

[[noreturn]] void marker_error(const std::string& file_label, std::size_t index,
                               const std::string& message, const std::string& missing) {
    throw Error(file_label + ":" + std::to_string(index + 1) + ":1: " + message,
                ExitCode::service_failed,
                "add the line '" + missing + "' where the block should end, or delete the " +
                    "marker line (a backup may be in " + file_label + ".golaunch.bak)");
}

std::vector<BlockRange> find_blocks(const std::vector<Line>& lines, const std::string& begin,
                                    const std::string& end, const std::string& file_label) {
    std::vector<BlockRange> blocks;
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::size_t open = none;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto text = trimmed(lines[i].text);
        if (text == begin) {
            if (open != none) {
                marker_error(file_label, open, "'" + begin + "' has no matching '" + end + "'",
                             end);
            }
            open = i;
        } else if (text == end) {
            if (open == none) {
                marker_error(file_label, i, "'" + end + "' without a '" + begin + "' before it",
                             begin);
            }
            blocks.push_back({open, i});
            open = none;
        }
    }
    if (open != none) {
        marker_error(file_label, open, "'" + begin + "' has no matching '" + end + "'", end);
    }
    return blocks;
}

std::string block_text(const std::vector<Line>& lines, const BlockRange& block) {
    std::string text;
    for (std::size_t i = block.begin; i <= block.end; ++i) {
        text += std::string(lines[i].text) + (i < block.end ? "\n" : "");
    }
    return text;
}

bool inside(const std::vector<BlockRange>& blocks, int line_number) {
    for (const auto& block : blocks) {
        if (line_number >= static_cast<int>(block.begin) + 1 &&
            line_number <= static_cast<int>(block.end) + 1) {
            return true;
        }
    }
    return false;
}

void validate(const std::string& project, const std::vector<HostEntry>& entries) {
    if (project.empty() || project.find_first_of("\r\n") != std::string::npos) {
        throw Error("invalid project name for the hosts block: '" + project + "'", ExitCode::usage,
                    "set `name = \"...\"` in the manifest (one line)");
    }
    // Marker lines are compared without their surrounding blanks: "# BEGIN golaunch shop " would
    // be written, never found again, and every fix would add another block.
    if (trimmed(project) != project) {
        throw Error("the project name '" + project +
                        "' starts or ends with a space, and golaunch marks its hosts block "
                        "with it",
                    ExitCode::usage,
                    "remove the spaces: `name = \"" + std::string(trimmed(project)) +
                        "\"` in the manifest");
    }
    for (const auto& entry : entries) {
        if (!is_valid_hostname(entry.name) || !is_ip_address(entry.address)) {
            throw Error("refusing to write '" + entry.address + " " + entry.name +
                            "' into a hosts file: not a host name and an IP address",
                        ExitCode::usage);
        }
    }
}

// The block's entry lines, leaving out names the rest of the file already maps.
std::vector<std::string> entry_lines(const HostsFile& parsed, const std::vector<BlockRange>& blocks,
                                     const std::vector<HostEntry>& entries,
                                     std::vector<std::string>& notes) {
    std::vector<std::string> lines;
    std::set<std::string> seen;
    for (const auto& entry : entries) {
        if (!seen.insert(canonical_host_name(entry.name)).second) {
            continue;
        }
        std::vector<HostsAddress> outside;
        for (const auto& found : parsed.lookup(entry.name)) {
            if (!inside(blocks, found.line)) {
                outside.push_back(found);
            }
        }
        if (outside.empty()) {
            lines.push_back(entry.address + " " + entry.name);
        } else if (same_address(outside.front().address, entry.address)) {
            notes.push_back(entry.name + " already maps to " + outside.front().address +
                            " at line " + std::to_string(outside.front().line) + ": not added");
        } else {
            notes.push_back(entry.name + " maps to " + outside.front().address + " at line " +
                            std::to_string(outside.front().line) +
                            ", outside the golaunch block: not changed (edit that line to " +
                            entry.address + " yourself)");
        }
    }
    return lines;
}

} // namespace

HostsBlockPlan plan_hosts_block(std::string_view content, const std::string& project,
                                const std::vector<HostEntry>& entries,
                                const std::string& file_label) {
    validate(project, entries);
    const std::string begin = "# BEGIN golaunch " + project;
    const std::string end = "# END golaunch " + project;
    const auto lines = split_lines(content);
    const auto blocks = find_blocks(lines, begin, end, file_label);
    const std::string eol = line_ending(content);

    HostsBlockPlan plan;
    const auto body = entry_lines(parse_hosts(content), blocks, entries, plan.notes);
    std::string block;
    if (!body.empty()) {
        plan.new_block = begin + "\n";
        for (const auto& line : body) {
            plan.new_block += line + "\n";
        }
        plan.new_block += end;
        block = begin + eol;
        for (const auto& line : body) {
            block += line + eol;
        }
        block += end;
    }
    if (!blocks.empty()) {
        plan.old_block = block_text(lines, blocks.front());
    }
    // Copy everything outside the blocks; the first block's place gets the new one.
    std::size_t copied = 0;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        const Line& first = lines[blocks[b].begin];
        const Line& last = lines[blocks[b].end];
        const bool removed = block.empty() || b > 0;
        std::size_t stop = first.start;
        if (removed && !last.has_eol && blocks[b].begin > 0 &&
            lines[blocks[b].begin - 1].start >= copied) {
            // The block ended the file without a final newline: drop the newline before it
            // too, so removing the block restores a file without a final newline.
            const Line& previous = lines[blocks[b].begin - 1];
            stop = previous.start + previous.text.size();
        }
        plan.content.append(content.substr(copied, stop - copied));
        if (b == 0 && !block.empty()) {
            plan.content += block + (last.has_eol ? eol : "");
        }
        copied = last.end;
    }
    plan.content.append(content.substr(copied));
    if (blocks.empty() && !block.empty()) {
        if (!plan.content.empty() && plan.content.back() != '\n') {
            plan.content += eol + block; // no final newline before: none after
        } else {
            plan.content += block + eol;
        }
    }
    return plan;
}

HostsEdit apply_hosts_block(const std::filesystem::path& hosts_file, const std::string& project,
                            const std::vector<HostEntry>& entries, bool dry_run) {
    const std::string hint = hosts_edit_hint(hosts_file);
    HostsBlockPlan plan;
    const auto result = edit_file_safely(
        hosts_file,
        [&](const std::string& content) {
            plan = plan_hosts_block(content, project, entries, hosts_file.string());
            return plan.content;
        },
        dry_run, hint);
    HostsEdit edit;
    edit.changed = result.changed;
    edit.old_block = plan.old_block;
    edit.new_block = plan.new_block;
    edit.notes = plan.notes;
    edit.backup = result.backup;
    edit.backup_created = result.backup_created;
    edit.in_place = result.in_place;
    edit.created = result.created;
    return edit;
}

} // namespace golaunch
