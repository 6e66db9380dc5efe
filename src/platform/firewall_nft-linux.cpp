// `nft -j list ruleset` -> FirewallRule.
#include "platform/firewall.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>

namespace golaunch {

namespace {

using Json = nlohmann::json;

struct ChainInfo {
    std::string hook;
};

void add_port(const Json& value, std::vector<PortRange>& ports, bool& understood) {
    if (value.is_number_integer()) {
        const auto port = value.get<long long>();
        if (port >= 0 && port <= 65535) {
            ports.push_back({static_cast<std::uint16_t>(port), static_cast<std::uint16_t>(port)});
            return;
        }
    } else if (value.is_object() && value.contains("range") && value["range"].is_array() &&
               value["range"].size() == 2 && value["range"][0].is_number_integer() &&
               value["range"][1].is_number_integer()) {
        ports.push_back({static_cast<std::uint16_t>(value["range"][0].get<long long>()),
                         static_cast<std::uint16_t>(value["range"][1].get<long long>())});
        return;
    } else if (value.is_object() && value.contains("set") && value["set"].is_array()) {
        for (const auto& item : value["set"]) {
            add_port(item, ports, understood);
        }
        return;
    }
    understood = false;
}

std::optional<std::string> address_text(const Json& value) {
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_object() && value.contains("prefix") && value["prefix"].is_object()) {
        const auto& prefix = value["prefix"];
        if (prefix.contains("addr") && prefix["addr"].is_string() && prefix.contains("len") &&
            prefix["len"].is_number_integer()) {
            return prefix["addr"].get<std::string>() + "/" +
                   std::to_string(prefix["len"].get<int>());
        }
    }
    return std::nullopt;
}

// One "match" expression; false when the rule cannot be understood (then it is left out).
bool read_match(const Json& match, FirewallRule& rule, bool& has_tcp_port) {
    const std::string op = match.value("op", "==");
    if (op != "==" && op != "in") {
        return false; // negations and comparisons: too clever for a read-only hint
    }
    const Json& left = match["left"];
    const Json& right = match["right"];
    if (left.contains("payload")) {
        const auto& payload = left["payload"];
        const std::string protocol = payload.value("protocol", "");
        const std::string field = payload.value("field", "");
        if ((protocol == "tcp" || protocol == "th") && field == "dport") {
            bool understood = true;
            add_port(right, rule.ports, understood);
            has_tcp_port = true;
            return understood;
        }
        if ((protocol == "ip" || protocol == "ip6") && field == "daddr") {
            const auto address = address_text(right);
            rule.address = address.value_or("");
            return address.has_value();
        }
        if ((protocol == "ip" || protocol == "ip6") && field == "saddr") {
            // Only a rule against loopback sources concerns local clients.
            const auto address = address_text(right);
            return address && (address->rfind("127.", 0) == 0 || *address == "::1");
        }
        return protocol != "udp" && protocol != "tcp" && protocol != "th";
    }
    if (left.contains("meta")) {
        const std::string key = left["meta"].value("key", "");
        if ((key == "iifname" || key == "oifname" || key == "iif" || key == "oif") &&
            right.is_string()) {
            (key[0] == 'i' ? rule.in_interface : rule.out_interface) = right.get<std::string>();
            return true;
        }
        if (key == "l4proto") {
            return right.is_string() && right.get<std::string>() == "tcp";
        }
        return key != "iifname" && key != "oifname";
    }
    return true; // ct state, counters etc. do not change which port is meant
}

std::string rule_text(const FirewallRule& rule) {
    std::string text = "table " + rule.family + " " + rule.table + " chain " + rule.chain + ":";
    if (!rule.in_interface.empty()) {
        text += " iifname " + rule.in_interface;
    }
    if (!rule.out_interface.empty()) {
        text += " oifname " + rule.out_interface;
    }
    if (!rule.address.empty()) {
        text += " daddr " + rule.address;
    }
    text += " tcp dport {";
    for (std::size_t i = 0; i < rule.ports.size(); ++i) {
        text += (i ? ", " : " ") + std::to_string(rule.ports[i].first);
        if (rule.ports[i].last != rule.ports[i].first) {
            text += "-" + std::to_string(rule.ports[i].last);
        }
    }
    return text + " } " + rule.verdict;
}

} // namespace

std::vector<FirewallRule> parse_nft_ruleset(const std::string& json) {
    return read_nft_ruleset(json).rules;
}

NftRuleset read_nft_ruleset(const std::string& json) {
    NftRuleset ruleset;
    auto& rules = ruleset.rules;
    const Json document = Json::parse(json, nullptr, false);
    if (document.is_discarded() || !document.contains("nftables") ||
        !document["nftables"].is_array()) {
        return ruleset;
    }
    std::map<std::string, ChainInfo> chains; // "family table chain"
    for (const auto& item : document["nftables"]) {
        if (item.contains("table")) {
            const auto& table = item["table"];
            ruleset.tables.push_back(table.value("family", "") + " " + table.value("name", ""));
        }
        if (item.contains("chain")) {
            const auto& chain = item["chain"];
            chains[chain.value("family", "") + " " + chain.value("table", "") + " " +
                   chain.value("name", "")] = {chain.value("hook", "")};
        }
        if (!item.contains("rule") || !item["rule"].contains("expr")) {
            continue;
        }
        const auto& entry = item["rule"];
        FirewallRule rule;
        rule.source = "nftables";
        rule.family = entry.value("family", "");
        rule.table = entry.value("table", "");
        rule.chain = entry.value("chain", "");
        const auto chain = chains.find(rule.family + " " + rule.table + " " + rule.chain);
        rule.hook = chain == chains.end() ? "" : chain->second.hook;
        bool understood = true;
        bool has_tcp_port = false;
        for (const auto& expr : entry["expr"]) {
            if (expr.contains("match")) {
                understood = understood && read_match(expr["match"], rule, has_tcp_port);
            } else if (expr.contains("drop")) {
                rule.verdict = "drop";
            } else if (expr.contains("reject")) {
                rule.verdict = "reject";
            } else if (expr.contains("xt")) {
                understood = false; // iptables-nft compat match: iptables-save shows it
            }
        }
        if (!understood || !has_tcp_port || rule.verdict.empty() || rule.ports.empty()) {
            continue;
        }
        const std::string handle = std::to_string(entry.value("handle", 0));
        rule.text = rule_text(rule) + " # handle " + handle;
        rule.remove_command = "sudo nft delete rule " + rule.family + " " + rule.table + " " +
                              rule.chain + " handle " + handle;
        rules.push_back(std::move(rule));
    }
    return ruleset;
}

} // namespace golaunch
