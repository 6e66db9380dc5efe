#include "support/dns_server.hpp"

#include <fstream>
#include <sstream>

namespace golaunch::test {

DnsServer::DnsServer(const std::vector<std::string>& args) {
    const auto portfile = dir.path() / "port";
    std::vector<std::string> argv{fixture("dnsserver"),
                                  "-portfile",
                                  portfile.string(),
                                  "-log",
                                  (dir.path() / "queries.log").string(),
                                  "-inflight",
                                  (dir.path() / "inflight").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    child = std::make_unique<ChildProcess>(argv, (dir.path() / "out.log").string());
    // Under Wine the file has been seen empty right after the fixture's rename: waited for
    // until it holds a number, as a pid file is.
    port = static_cast<std::uint16_t>(wait_for_pidfile(portfile, std::chrono::seconds(10)));
}

std::vector<std::string> DnsServer::queries() const {
    std::istringstream in(read_file(dir.path() / "queries.log"));
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    return lines;
}

int DnsServer::most_unanswered() const {
    int number = 0;
    std::ifstream(dir.path() / "inflight") >> number; // no file yet: 0
    return number;
}

std::filesystem::path DnsServer::resolv_conf(const std::string& extra) const {
    return dir.write("resolv.conf", "# test resolver\nnameserver 127.0.0.1\n" + extra);
}

} // namespace golaunch::test
