// Reads a child's stdout or stderr pipe on the event loop and hands over whole lines.
#pragma once

#include <boost/asio/readable_pipe.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace golaunch {

class LineReader : public std::enable_shared_from_this<LineReader> {
  public:
    using LineHandler = std::function<void(const std::string& line)>;
    using EofHandler = std::function<void()>;

    // Takes the pipe over; call start() once.
    LineReader(boost::asio::readable_pipe pipe, LineHandler on_line, EofHandler on_eof);
    void start();
    void close();
    // True once the end of the pipe (or a read error) has been handled: the last partial
    // line delivered and on_eof run.
    bool finished() const { return m_finished; }

    // Lines longer than this are handed over in pieces of this size; every piece but the last
    // ends with k_continued, so a reader can tell a split from a line break.
    static constexpr std::size_t k_max_line = 64 * 1024;
    static constexpr std::string_view k_continued = " [continued]";

  private:
    void read_more();
    void deliver(std::string_view data);

    boost::asio::readable_pipe m_pipe;
    LineHandler m_on_line;
    EofHandler m_on_eof;
    // Not zeroed on purpose: a page of it counts in golaunch's RSS only once a read reaches
    // it, and most services print far less than 64 KB at once (zeroed, two readers a service
    // cost 128 kB each: idle RSS with 50 services 15.7 MB instead of ~9.5 MB).
    std::array<char, 64 * 1024> m_buffer;
    std::string m_partial;
    bool m_finished = false;
};

} // namespace golaunch
