// Reads a child's stdout or stderr pipe on the event loop and hands over whole lines.
#pragma once

#include <boost/asio/readable_pipe.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string>

namespace golaunch {

class LineReader : public std::enable_shared_from_this<LineReader> {
  public:
    using LineHandler = std::function<void(const std::string& line)>;
    using EofHandler = std::function<void()>;

    // Takes the pipe over; call start() once.
    LineReader(boost::asio::readable_pipe pipe, LineHandler on_line, EofHandler on_eof);
    void start();
    void close();
    // The pipe has ended (end of file, an error, or close()) and on_eof has run.
    bool finished() const { return m_finished; }

    // Lines longer than this are handed over in pieces.
    static constexpr std::size_t k_max_line = 64 * 1024;

  private:
    void read_more();
    void deliver(std::string_view data);

    boost::asio::readable_pipe m_pipe;
    LineHandler m_on_line;
    EofHandler m_on_eof;
    std::array<char, 16 * 1024> m_buffer{};
    std::string m_partial;
    bool m_finished = false;
};

} // namespace golaunch
