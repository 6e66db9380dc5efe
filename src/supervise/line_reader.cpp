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

void LineReader::deliver(std::string_view data) {
    while (!data.empty()) {
        const auto newline = data.find('\n');
        if (newline == std::string_view::npos) {
            m_partial.append(data);
            if (m_partial.size() >= k_max_line) {
                m_on_line(m_partial);
                m_partial.clear();
            }
            return;
        }
        m_partial.append(data.substr(0, newline));
        if (!m_partial.empty() && m_partial.back() == '\r') {
            m_partial.pop_back();
        }
        m_on_line(m_partial);
        m_partial.clear();
        data.remove_prefix(newline + 1);
    }
}

} // namespace golaunch
