// `iptables-save` / `ip6tables-save` text -> FirewallRule.
#include "platform/firewall.hpp"

#include "util/strings.hpp"

#include <sstream>

namespace golaunch {

namespace {

std::vector<std::string> words_of(const std::string& line) {
    std::vector<std::string> words;
    std::istringstream in(line);
    std::string word;
    while (in >> word) {
        words.push_back(word);
    }
    return words;
}

// "8080", "8000:8010", "1000,2000:2010" -> ranges; false when malformed.
bool read_ports(const std::string& text, std::vector<PortRange>& ports) {
    for (const auto& part : split(text, ',')) {
        std::string range = part;
        for (char& c : range) {
            c = c == ':' ? '-' : c;
        }
        const auto parsed = parse_reserved_ports(range);
        if (parsed.size() != 1) {
            return false;
        }
        ports.push_back(parsed.front());
    }
    return !ports.empty();
}

std::string family_of(const std::string& source) {
    return source == "ip6tables" ? "ip6" : "ip";
}

std::string chain_hook(const std::string& chain) {
    if (chain == "INPUT" || chain == "OUTPUT" || chain == "FORWARD") {
        std::string hook = chain;
        for (char& c : hook) {
            c = static_cast<char>(c - 'A' + 'a');
        }
        return hook;
    }
    return "";
}

// Reads "-A CHAIN ..." words into `rule`; false when it has a negation or is not TCP.
bool read_rule(const std::vector<std::string>& words, FirewallRule& rule) {
    bool tcp = false;
    for (std::size_t i = 2; i < words.size(); ++i) {
        const std::string& word = words[i];
        const std::string next = i + 1 < words.size() ? words[i + 1] : "";
        if (word == "!") {
            return false;
        }
        if (word == "-p" || word == "--protocol") {
            tcp = next == "tcp" || next == "6";
            ++i;
        } else if (word == "--dport" || word == "--destination-port" || word == "--dports" ||
                   word == "--destination-ports") {
            if (!read_ports(next, rule.ports)) {
                return false;
            }
            ++i;
        } else if (word == "-i" || word == "--in-interface") {
            rule.in_interface = next;
            ++i;
        } else if (word == "-o" || word == "--out-interface") {
            rule.out_interface = next;
            ++i;
        } else if (word == "-s" || word == "--source") {
            if (next.rfind("127.", 0) != 0 && next.rfind("::1", 0) != 0) {
                return false; // only a rule against loopback sources concerns local clients
            }
            ++i;
        } else if (word == "-d" || word == "--destination") {
            rule.address = next;
            ++i;
        } else if (word == "-j" || word == "--jump") {
            if (next == "DROP") {
                rule.verdict = "drop";
            } else if (next == "REJECT") {
                rule.verdict = "reject";
            }
            ++i;
        }
    }
    return tcp;
}

// "127.0.0.1/32" -> "127.0.0.1"; "::1/128" -> "::1"; others unchanged.
std::string single_host(const std::string& address) {
    for (const char* suffix : {"/32", "/128"}) {
        const std::string tail(suffix);
        if (address.size() > tail.size() &&
            address.compare(address.size() - tail.size(), tail.size(), tail) == 0) {
            return address.substr(0, address.size() - tail.size());
        }
    }
    return address;
}

} // namespace

std::vector<FirewallRule> parse_iptables_save(const std::string& text, const std::string& source) {
    std::vector<FirewallRule> rules;
    std::string table;
    for (const auto& raw : split(text, '\n')) {
        const std::string line(trim(raw));
        if (line.size() > 1 && line[0] == '*') {
            table = line.substr(1);
            continue;
        }
        const auto words = words_of(line);
        if (words.size() < 2 || words[0] != "-A") {
            continue;
        }
        FirewallRule rule;
        rule.source = source;
        rule.family = family_of(source);
        rule.table = table;
        rule.chain = words[1];
        rule.hook = chain_hook(rule.chain);
        if (!read_rule(words, rule) || rule.verdict.empty() || rule.ports.empty()) {
            continue;
        }
        rule.address = single_host(rule.address);
        rule.text = "-t " + table + " " + line;
        rule.remove_command = "sudo " + source + " -t " + table + " -D" + line.substr(2);
        rules.push_back(std::move(rule));
    }
    return rules;
}

} // namespace golaunch
