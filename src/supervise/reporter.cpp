#include "supervise/reporter.hpp"

#include "supervise/output_writer.hpp"
#include "util/terminal_text.hpp"
#include "util/time_text.hpp"

#include <algorithm>
#include <chrono>

namespace golaunch {

namespace {

constexpr const char* k_self = "golaunch";

std::string iso_now() {
    return iso8601_utc(std::chrono::system_clock::now(), true);
}

// Our own messages may quote service output (the last lines before a timeout): filtered like
// service lines, each line of a multi-line message on its own.
std::string terminal_safe_lines(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (;;) {
        const auto newline = text.find('\n');
        append_terminal_safe(out, text.substr(0, newline));
        if (newline == std::string_view::npos) {
            return out;
        }
        out.push_back('\n');
        text.remove_prefix(newline + 1);
    }
}

std::string dump(const nlohmann::json& record) {
    return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

Reporter::Reporter(OutputMode mode, bool color, bool quiet, bool verbose,
                   const std::string& sink_file)
    : m_mode(mode), m_quiet(quiet), m_verbose(verbose) {
    m_palette.enabled = color && mode == OutputMode::text;
    auto target =
        sink_file.empty() ? OutputTarget::standard_output() : OutputTarget::file(sink_file);
    auto marker = [this](std::size_t dropped) {
        const std::string text = "[golaunch: " + std::to_string(dropped) + " lines dropped]";
        if (m_mode == OutputMode::json) {
            return dump(
                {{"event", "dropped"}, {"time", iso_now()}, {"lines", dropped}, {"message", text}});
        }
        return text; // alone on its line: formatted on the writer thread, no shared state
    };
    set_services({});
    m_writer = std::make_unique<OutputWriter>(std::move(target), marker);
    m_writer->set_on_closed([this] { output_closed(); });
}

Reporter::~Reporter() {
    finish();
}

void Reporter::finish() {
    if (m_has_final) {
        m_has_final = false;
        write_own(m_final_line);
    }
    m_writer->finish();
}

void Reporter::set_on_output_closed(std::function<void()> handler) {
    std::unique_lock lock(m_closed_mutex);
    m_on_closed = std::move(handler);
    if (m_closed_seen && m_on_closed) {
        auto call = m_on_closed;
        lock.unlock();
        call();
    }
}

void Reporter::set_event_tap(std::function<void(const nlohmann::json&)> tap) {
    m_event_tap = std::move(tap);
    if (m_event_tap && !m_tapped) {
        for (const auto& event : m_early_events) {
            m_event_tap(event);
        }
    }
    m_tapped = m_tapped || m_event_tap != nullptr;
    m_early_events.clear();
    m_early_events.shrink_to_fit();
}

void Reporter::output_closed() {
    std::unique_lock lock(m_closed_mutex);
    m_closed_seen = true;
    auto call = m_on_closed;
    lock.unlock();
    if (call) {
        call();
    } else {
        request_own_stop();
    }
}

void Reporter::set_services(const std::vector<std::string>& names) {
    m_names = names;
    m_width = std::string_view(k_self).size();
    for (const auto& name : names) {
        m_width = std::max(m_width, name.size());
    }
    m_prefixes.clear();
    for (const auto& name : names) {
        m_prefixes.push_back(make_prefix(name));
    }
    m_self_prefix = make_prefix("");
    m_other_name.clear();
    m_other_prefix.clear();
}

std::string Reporter::make_prefix(const std::string& service) const {
    const std::string& name = service.empty() ? std::string(k_self) : service;
    std::string padded = name + std::string(m_width > name.size() ? m_width - name.size() : 0, ' ');
    if (service.empty()) {
        return m_palette.bold(padded) + " | ";
    }
    const auto found = std::find(m_names.begin(), m_names.end(), service);
    const auto index = static_cast<std::size_t>(found - m_names.begin());
    return m_palette.paint(padded, service_color(index)) + " | ";
}

const std::string& Reporter::prefix(const std::string& service) {
    if (service.empty()) {
        return m_self_prefix;
    }
    for (std::size_t i = 0; i < m_names.size(); ++i) {
        if (m_names[i] == service) {
            return m_prefixes[i];
        }
    }
    if (m_other_name != service || m_other_prefix.empty()) {
        m_other_name = service;
        m_other_prefix = make_prefix(service);
    }
    return m_other_prefix;
}

void Reporter::write_own(const std::string& line) {
    m_writer->own_line(line);
}

void Reporter::service_line(const std::string& service, const std::string& stream,
                            const std::string& line) {
    if (m_mode == OutputMode::json) {
        m_writer->service_line(dump({{"event", "log"},
                                     {"time", iso_now()},
                                     {"service", service},
                                     {"stream", stream},
                                     {"line", line}}));
        return;
    }
    m_line.assign(prefix(service));
    append_terminal_safe(m_line, line);
    m_writer->service_line(m_line);
}

void Reporter::info(const std::string& service, const std::string& text) {
    event("message", service, {{"level", "info"}, {"message", text}}, text, 0);
}

void Reporter::warn(const std::string& service, const std::string& id, const std::string& text,
                    nlohmann::json fields) {
    fields["level"] = "warning";
    fields["id"] = id;
    fields["message"] = text;
    event("message", service, std::move(fields), text, 1);
}

void Reporter::error(const std::string& service, const std::string& text) {
    event("message", service, {{"level", "error"}, {"message", text}}, text, 2);
}

void Reporter::debug(const std::string& service, const std::string& text) {
    if (m_verbose) {
        event("message", service, {{"level", "debug"}, {"message", text}}, text, -1);
    }
}

void Reporter::event(const std::string& name, const std::string& service, nlohmann::json fields,
                     const std::string& text, int level) {
    std::string line;
    if (m_mode == OutputMode::json || m_event_tap || !m_tapped) {
        nlohmann::json record{{"event", name}, {"time", iso_now()}};
        if (!service.empty()) {
            record["service"] = service;
        }
        for (auto& [key, value] : fields.items()) {
            record[key] = value;
        }
        if (m_event_tap) {
            m_event_tap(record);
        } else if (!m_tapped && m_early_events.size() < 1000) {
            m_early_events.push_back(record);
        }
        if (m_mode == OutputMode::json) {
            line = dump(record);
        }
    }
    if (m_mode == OutputMode::text) {
        if (text.empty() || (m_quiet && level < 1)) {
            return;
        }
        std::string shown = terminal_safe_lines(text);
        if (level == 1) {
            shown = m_palette.yellow("warning: ") + shown;
        } else if (level >= 2) {
            shown = m_palette.red("error: ") + shown;
        }
        // golaunch's messages about a service carry the service's prefix, marked with '*'.
        line = prefix(service) + (service.empty() ? "" : m_palette.dim("* ")) + shown;
    }
    if (name == "stopped") {
        m_final_line = std::move(line);
        m_has_final = true;
        return;
    }
    write_own(line);
}

} // namespace golaunch
