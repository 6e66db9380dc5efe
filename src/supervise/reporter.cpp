#include "supervise/reporter.hpp"

#include "util/time_text.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace golaunch {

namespace {

constexpr const char* k_self = "golaunch";

std::string iso_now() {
    return iso8601_utc(std::chrono::system_clock::now(), true);
}

} // namespace

Reporter::Reporter(OutputMode mode, bool color, bool quiet, bool verbose,
                   const std::string& sink_file)
    : m_mode(mode), m_quiet(quiet), m_verbose(verbose) {
    m_palette.enabled = color && mode == OutputMode::text;
    if (sink_file.empty()) {
        m_logger = std::make_shared<spdlog::logger>(
            "golaunch-run", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    } else {
        m_logger = std::make_shared<spdlog::logger>(
            "golaunch-run", std::make_shared<spdlog::sinks::basic_file_sink_mt>(sink_file));
    }
    m_logger->set_pattern("%v");
    m_logger->flush_on(spdlog::level::trace); // line-buffered: every line reaches the terminal now
}

Reporter::~Reporter() {
    m_logger->flush();
}

void Reporter::set_services(const std::vector<std::string>& names) {
    m_names = names;
    m_width = std::string_view(k_self).size();
    for (const auto& name : names) {
        m_width = std::max(m_width, name.size());
    }
}

std::string Reporter::prefix(const std::string& service) const {
    const std::string& name = service.empty() ? std::string(k_self) : service;
    std::string padded = name + std::string(m_width > name.size() ? m_width - name.size() : 0, ' ');
    if (service.empty()) {
        return m_palette.bold(padded) + " | ";
    }
    const auto found = std::find(m_names.begin(), m_names.end(), service);
    const auto index = static_cast<std::size_t>(found - m_names.begin());
    return m_palette.paint(padded, service_color(index)) + " | ";
}

void Reporter::write_text(const std::string& line) {
    m_logger->info(line);
}

void Reporter::service_line(const std::string& service, const std::string& stream,
                            const std::string& line) {
    if (m_mode == OutputMode::json) {
        nlohmann::json record{{"event", "log"},
                              {"time", iso_now()},
                              {"service", service},
                              {"stream", stream},
                              {"line", line}};
        write_text(record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }
    write_text(prefix(service) + line);
}

void Reporter::info(const std::string& service, const std::string& text) {
    event("message", service, {{"level", "info"}, {"message", text}}, text, 0);
}

void Reporter::warn(const std::string& service, const std::string& text) {
    event("message", service, {{"level", "warning"}, {"message", text}}, text, 1);
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
    if (m_mode == OutputMode::json) {
        nlohmann::json record{{"event", name}, {"time", iso_now()}};
        if (!service.empty()) {
            record["service"] = service;
        }
        for (auto& [key, value] : fields.items()) {
            record[key] = value;
        }
        write_text(record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
    }
    if (text.empty() || (m_quiet && level < 1)) {
        return;
    }
    std::string shown = text;
    if (level == 1) {
        shown = m_palette.yellow("warning: ") + text;
    } else if (level >= 2) {
        shown = m_palette.red("error: ") + text;
    }
    // golaunch's messages about a service carry the service's prefix, marked with '*'.
    write_text(prefix(service.empty() ? "" : service) +
               (service.empty() ? "" : m_palette.dim("* ")) + shown);
}

} // namespace golaunch
