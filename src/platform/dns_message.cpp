#include "platform/dns_message.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include <array>

namespace golaunch {

namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value & 0xff));
}

class Reader {
  public:
    Reader(const std::uint8_t* data, std::size_t size) : m_data(data), m_size(size) {}

    bool read16(std::uint16_t& value) {
        if (m_offset + 2 > m_size) {
            return false;
        }
        value = static_cast<std::uint16_t>((m_data[m_offset] << 8) | m_data[m_offset + 1]);
        m_offset += 2;
        return true;
    }

    bool skip(std::size_t count) {
        if (m_offset + count > m_size) {
            return false;
        }
        m_offset += count;
        return true;
    }

    // A (possibly compressed) name: labels until a zero byte or a pointer.
    bool skip_name() {
        for (int labels = 0; labels < 128; ++labels) {
            if (m_offset >= m_size) {
                return false;
            }
            const std::uint8_t length = m_data[m_offset];
            if ((length & 0xc0) == 0xc0) {
                return skip(2);
            }
            if (length == 0) {
                return skip(1);
            }
            if (!skip(1u + length)) {
                return false;
            }
        }
        return false;
    }

    const std::uint8_t* here() const { return m_data + m_offset; }

  private:
    const std::uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_offset = 0;
};

std::string address_text(const std::uint8_t* data, std::uint16_t type) {
    if (type == static_cast<std::uint16_t>(DnsType::a)) {
        std::array<unsigned char, 4> bytes{};
        std::copy(data, data + 4, bytes.begin());
        return boost::asio::ip::address_v4(bytes).to_string();
    }
    std::array<unsigned char, 16> bytes{};
    std::copy(data, data + 16, bytes.begin());
    return boost::asio::ip::address_v6(bytes).to_string();
}

} // namespace

std::vector<std::uint8_t> encode_dns_query(std::uint16_t id, std::string_view name, DnsType type) {
    if (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
    }
    if (name.empty() || name.size() > 253) {
        return {};
    }
    std::vector<std::uint8_t> out;
    put16(out, id);
    put16(out, 0x0100); // standard query, recursion desired
    put16(out, 1);      // one question
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    std::size_t start = 0;
    while (start <= name.size()) {
        auto dot = name.find('.', start);
        if (dot == std::string_view::npos) {
            dot = name.size();
        }
        const auto label = name.substr(start, dot - start);
        if (label.empty() || label.size() > 63) {
            return {};
        }
        out.push_back(static_cast<std::uint8_t>(label.size()));
        out.insert(out.end(), label.begin(), label.end());
        start = dot + 1;
    }
    out.push_back(0);
    put16(out, static_cast<std::uint16_t>(type));
    put16(out, 1); // class IN
    return out;
}

std::optional<DnsReply> decode_dns_reply(const std::uint8_t* data, std::size_t size) {
    Reader reader(data, size);
    std::uint16_t flags = 0;
    std::uint16_t questions = 0;
    std::uint16_t answers = 0;
    DnsReply reply;
    if (!reader.read16(reply.id) || !reader.read16(flags) || !reader.read16(questions) ||
        !reader.read16(answers) || !reader.skip(4) || (flags & 0x8000) == 0) {
        return std::nullopt;
    }
    reply.rcode = flags & 0x000f;
    reply.truncated = (flags & 0x0200) != 0;
    for (int i = 0; i < questions; ++i) {
        if (!reader.skip_name() || !reader.skip(4)) {
            return std::nullopt;
        }
    }
    for (int i = 0; i < answers; ++i) {
        std::uint16_t type = 0;
        std::uint16_t rclass = 0;
        std::uint16_t length = 0;
        if (!reader.skip_name() || !reader.read16(type) || !reader.read16(rclass) ||
            !reader.skip(4) || !reader.read16(length)) {
            return std::nullopt;
        }
        const std::uint8_t* rdata = reader.here();
        if (!reader.skip(length)) {
            return std::nullopt;
        }
        const bool is_a = type == static_cast<std::uint16_t>(DnsType::a) && length == 4;
        const bool is_aaaa = type == static_cast<std::uint16_t>(DnsType::aaaa) && length == 16;
        if (rclass == 1 && (is_a || is_aaaa)) {
            reply.addresses.push_back(address_text(rdata, type));
        }
    }
    return reply;
}

} // namespace golaunch
