// Everything `golaunch run` says: service log lines with coloured prefixes, golaunch's own
// messages, and (--json) one NDJSON event per line. Written through spdlog, line-buffered.
#pragma once

#include "util/color.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace golaunch {

enum class OutputMode { text, json };

class Reporter {
  public:
    // `sink_file` "" means stdout.
    Reporter(OutputMode mode, bool color, bool quiet, bool verbose,
             const std::string& sink_file = "");
    ~Reporter();

    // Declares the services so prefixes line up and get stable colours.
    void set_services(const std::vector<std::string>& names);

    // One line a service printed. `stream` is "stdout" or "stderr".
    void service_line(const std::string& service, const std::string& stream,
                      const std::string& line);

    // golaunch's own messages, optionally about one service ("" = golaunch itself).
    void info(const std::string& service, const std::string& text);
    void warn(const std::string& service, const std::string& text);
    void error(const std::string& service, const std::string& text);
    void debug(const std::string& service, const std::string& text);

    // A structured event ("ready", "exited", ...). In text mode only `text` is shown (if any);
    // in JSON mode the fields are written with "event", "service" and "time".
    void event(const std::string& name, const std::string& service, nlohmann::json fields,
               const std::string& text = "", int level = 0);

    const Palette& palette() const { return m_palette; }

  private:
    std::string prefix(const std::string& service) const;
    void write_text(const std::string& line);

    OutputMode m_mode;
    Palette m_palette;
    bool m_quiet;
    bool m_verbose;
    std::vector<std::string> m_names;
    std::size_t m_width = 8;
    std::shared_ptr<spdlog::logger> m_logger;
};

} // namespace golaunch
