// Everything `golaunch run` says: service log lines with coloured prefixes, golaunch's own
// messages, and (--json) one NDJSON event per line. Lines are formatted here and handed to an
// OutputWriter (a writer thread with a bounded queue), so a reader that stalls never blocks
// the caller: service lines are dropped and counted instead. In text mode service lines pass
// through the terminal-safe filter (util/terminal_text.hpp); JSON keeps them raw, escaped.
#pragma once

#include "util/color.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace golaunch {

class OutputWriter;

enum class OutputMode { text, json };

class Reporter {
  public:
    // `sink_file` "" means stdout. Call from one thread (the event loop's).
    Reporter(OutputMode mode, bool color, bool quiet, bool verbose,
             const std::string& sink_file = "");
    ~Reporter(); // finish()
    Reporter(const Reporter&) = delete;
    Reporter& operator=(const Reporter&) = delete;

    // Declares the services so prefixes line up and get stable colours.
    void set_services(const std::vector<std::string>& names);

    // One line a service printed. `stream` is "stdout" or "stderr".
    void service_line(const std::string& service, const std::string& stream,
                      const std::string& line);

    // golaunch's own messages, optionally about one service ("" = golaunch itself).
    void info(const std::string& service, const std::string& text);
    // A warning has a stable `id` (README, "Warnings during run") and the fields it is about
    // (port, address, pid, ...), written beside "message" in --json.
    void warn(const std::string& service, const std::string& id, const std::string& text,
              nlohmann::json fields = nlohmann::json::object());
    void error(const std::string& service, const std::string& text);
    void debug(const std::string& service, const std::string& text);

    // A structured event ("ready", "exited", ...). In text mode only `text` is shown (if any);
    // in JSON mode the fields are written with "event", "service" and "time". The "stopped"
    // event is golaunch's last word: it is held back and written by finish(), after any
    // service line still read from the pipes.
    void event(const std::string& name, const std::string& service, nlohmann::json fields,
               const std::string& text = "", int level = 0);

    // Runs `handler` (once, from another thread) when the reader of the output goes away
    // (EPIPE), or at once if it already has. Without a handler golaunch stops itself as on
    // SIGTERM (request_own_stop). Pass nullptr before `handler`'s target goes away.
    void set_on_output_closed(std::function<void()> handler);

    // Every event (as `run --json` writes it, whatever the mode) also goes to `tap`, called on
    // the caller's thread (the control socket's /events). nullptr to stop. The events reported
    // before the first tap (the preflight's findings, at most 1000) are given to it first.
    void set_event_tap(std::function<void(const nlohmann::json&)> tap);

    // Writes the held-back final event and drains the queue (bounded in time). Idempotent.
    void finish();

    const Palette& palette() const { return m_palette; }

  private:
    const std::string& prefix(const std::string& service);
    std::string make_prefix(const std::string& service) const;
    void write_own(const std::string& line);
    void output_closed();

    OutputMode m_mode;
    Palette m_palette;
    bool m_quiet;
    bool m_verbose;
    std::vector<std::string> m_names;
    std::vector<std::string> m_prefixes; // parallel to m_names
    std::string m_self_prefix;
    std::string m_other_prefix; // for a name not declared (cache of one)
    std::string m_other_name;
    std::size_t m_width = 8;
    std::string m_line; // reused for each service line
    std::string m_final_line;
    bool m_has_final = false;
    std::mutex m_closed_mutex;
    std::function<void()> m_on_closed; // guarded by m_closed_mutex
    std::function<void(const nlohmann::json&)> m_event_tap;
    std::vector<nlohmann::json> m_early_events; // before the first tap
    bool m_tapped = false;
    bool m_closed_seen = false; // guarded by m_closed_mutex
    std::unique_ptr<OutputWriter> m_writer;
};

} // namespace golaunch
