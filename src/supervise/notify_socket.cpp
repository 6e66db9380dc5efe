#include "supervise/notify_socket.hpp"

#include <sstream>

namespace golaunch {

std::map<std::string, std::string> parse_notify_message(const std::string& datagram) {
    std::map<std::string, std::string> fields;
    std::istringstream lines(datagram);
    std::string line;
    while (std::getline(lines, line)) {
        const auto equals = line.find('=');
        if (equals != std::string::npos && equals > 0) {
            fields[line.substr(0, equals)] = line.substr(equals + 1);
        }
    }
    return fields;
}

} // namespace golaunch
