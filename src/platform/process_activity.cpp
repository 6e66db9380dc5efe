// The portable part of the process-activity facts: the text of /proc/PID/task/TID/syscall.
#include "platform/process_activity.hpp"

#include <charconv>

namespace golaunch {

namespace {

bool parse_decimal(std::string_view text, long& out) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

} // namespace

ThreadActivity parse_syscall_text(std::string_view text) {
    ThreadActivity thread;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.remove_suffix(1);
    }
    if (text == "running") {
        thread.running = true;
        return thread;
    }
    std::vector<std::string_view> fields;
    while (!text.empty()) {
        const auto space = text.find(' ');
        fields.push_back(text.substr(0, space));
        text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    }
    long number = -1;
    if (fields.size() < 9 || !parse_decimal(fields[0], number) || number < 0) {
        return thread;
    }
    for (std::size_t i = 0; i < 6; ++i) {
        std::string_view arg = fields[i + 1];
        if (arg.substr(0, 2) == "0x") {
            arg.remove_prefix(2);
        }
        std::uint64_t value = 0;
        const auto [end, error] = std::from_chars(arg.data(), arg.data() + arg.size(), value, 16);
        if (error != std::errc() || end != arg.data() + arg.size()) {
            return thread;
        }
        thread.args[i] = value;
    }
    thread.syscall = number;
    return thread;
}

} // namespace golaunch
