#include "supervise/line_reader.hpp"

#include <boost/asio/buffer.hpp>

namespace golaunch {

LineReader::LineReader(boost::asio::readable_pipe pipe, LineHandler on_line, EofHandler on_eof)
    : m_pipe(std::move(pipe)), m_on_line(std::move(on_line)), m_on_eof(std::move(on_eof)) {}

void LineReader::start() {
    read_more();
}

void LineReader::close() {
    boost::system::error_code ignored;
    m_pipe.close(ignored);
}

void LineReader::read_more() {
    m_pipe.async_read_some(
        boost::asio::buffer(m_buffer),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            if (n > 0) {
                self->deliver(std::string_view(self->m_buffer.data(), n));
            }
            if (ec) {
                if (!self->m_partial.empty()) {
                    self->m_on_line(self->m_partial);
                    self->m_partial.clear();
                }
                self->m_finished = true;
                if (self->m_on_eof) {
                    self->m_on_eof();
                }
                return;
            }
            self->read_more();
        });
}

// Splits at '\n' (a CR before it is dropped). A line longer than k_max_line goes out in pieces
// of k_max_line bytes, each but the last marked with k_continued; a line of exactly k_max_line
// bytes stays whole.
void LineReader::deliver(std::string_view data) {
    while (!data.empty()) {
        const auto newline = data.find('\n');
        std::string_view segment = data.substr(0, newline);
        while (m_partial.size() + segment.size() > k_max_line) {
            const std::size_t take = k_max_line - m_partial.size();
            m_partial.append(segment.substr(0, take)).append(k_continued);
            m_on_line(m_partial);
            m_partial.clear();
            segment.remove_prefix(take);
        }
        m_partial.append(segment);
        if (newline == std::string_view::npos) {
            return;
        }
        if (!m_partial.empty() && m_partial.back() == '\r') {
            m_partial.pop_back();
        }
        m_on_line(m_partial);
        m_partial.clear();
        data.remove_prefix(newline + 1);
    }
}

} // namespace golaunch
