// Whether a drop/reject rule applies to local traffic: the same on every platform.
#include "platform/firewall.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cstdlib>

namespace golaunch {

namespace {

// The 4 or 16 bytes of an address literal; empty when it is not one.
std::vector<unsigned char> address_bytes(const std::string& text) {
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(text, error);
    if (error) {
        return {};
    }
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        return {bytes.begin(), bytes.end()};
    }
    const auto bytes = address.to_v6().to_bytes();
    return {bytes.begin(), bytes.end()};
}

// True when `address` (canonical literal) lies in `network` ("10.0.0.0/8" or a literal).
bool address_in(const std::string& address, const std::string& network) {
    const auto slash = network.find('/');
    const std::string base = canonical_ip(network.substr(0, slash));
    if (slash == std::string::npos) {
        return base == address;
    }
    const int length = std::atoi(network.c_str() + slash + 1);
    const auto a = address_bytes(address);
    const auto b = address_bytes(base);
    if (a.empty() || a.size() != b.size()) {
        return false;
    }
    for (int bit = 0; bit < length && bit < static_cast<int>(a.size() * 8); ++bit) {
        const int mask = 0x80 >> (bit % 8);
        if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) {
            return false;
        }
    }
    return true;
}

bool loopback(const std::string& address) {
    return address.rfind("127.", 0) == 0 || address == "::1";
}

} // namespace

bool rule_blocks(const FirewallRule& rule, const std::string& address, std::uint16_t port) {
    if (std::none_of(rule.ports.begin(), rule.ports.end(),
                     [&](const PortRange& range) { return range.contains(port); })) {
        return false;
    }
    if (rule.hook == "forward") {
        return false; // local traffic never goes through forward
    }
    const std::string wanted = canonical_ip(address);
    const bool any = wanted.empty() || is_wildcard_address(wanted);
    if (!rule.address.empty() && !any && !address_in(wanted, rule.address)) {
        return false;
    }
    if (!rule.address.empty() && any && !address_in("127.0.0.1", rule.address) &&
        !address_in("::1", rule.address)) {
        return false; // a rule for some other address: loopback clients still get through
    }
    const std::string& interface =
        rule.in_interface.empty() ? rule.out_interface : rule.in_interface;
    if (!interface.empty() && interface != "lo" && (any || loopback(wanted))) {
        return false; // filters another interface; loopback clients are not affected
    }
    if ((rule.family == "ip" && wanted.find(':') != std::string::npos) ||
        (rule.family == "ip6" && !any && wanted.find(':') == std::string::npos)) {
        return false;
    }
    return true;
}

} // namespace golaunch
