#include "instance/firewall_cache.hpp"

#include "instance/private_dir.hpp"

#include <nlohmann/json.hpp>

#include <system_error>

namespace golaunch {

namespace {

using Json = nlohmann::json;

constexpr int k_format = 1;

Json rule_json(const FirewallRule& rule) {
    Json ports = Json::array();
    for (const auto& range : rule.ports) {
        ports.push_back({range.first, range.last});
    }
    return {{"source", rule.source},
            {"family", rule.family},
            {"table", rule.table},
            {"chain", rule.chain},
            {"hook", rule.hook},
            {"verdict", rule.verdict},
            {"ports", ports},
            {"in_interface", rule.in_interface},
            {"out_interface", rule.out_interface},
            {"address", rule.address},
            {"text", rule.text},
            {"remove_command", rule.remove_command}};
}

FirewallRule rule_from(const Json& item) {
    FirewallRule rule;
    rule.source = item.at("source").get<std::string>();
    rule.family = item.at("family").get<std::string>();
    rule.table = item.at("table").get<std::string>();
    rule.chain = item.at("chain").get<std::string>();
    rule.hook = item.at("hook").get<std::string>();
    rule.verdict = item.at("verdict").get<std::string>();
    for (const auto& range : item.at("ports")) {
        rule.ports.push_back({range.at(0).get<std::uint16_t>(), range.at(1).get<std::uint16_t>()});
    }
    rule.in_interface = item.at("in_interface").get<std::string>();
    rule.out_interface = item.at("out_interface").get<std::string>();
    rule.address = item.at("address").get<std::string>();
    rule.text = item.at("text").get<std::string>();
    rule.remove_command = item.at("remove_command").get<std::string>();
    return rule;
}

} // namespace

std::filesystem::path firewall_cache_path(const std::filesystem::path& root_dir) {
    return root_dir / ".golaunch" / "firewall.json";
}

std::string firewall_cache_text(const std::string& key, const FirewallInspection& inspection) {
    Json rules = Json::array();
    for (const auto& rule : inspection.rules) {
        rules.push_back(rule_json(rule));
    }
    const Json document = {{"format", k_format},
                           {"key", key},
                           {"inspected", inspection.inspected},
                           {"skipped", inspection.skipped},
                           {"rules", rules}};
    return document.dump(2) + "\n";
}

std::optional<FirewallInspection> parse_firewall_cache(const std::string& text,
                                                       const std::string& key) {
    const Json document = Json::parse(text, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        return std::nullopt;
    }
    try {
        if (document.at("format").get<int>() != k_format ||
            document.at("key").get<std::string>() != key) {
            return std::nullopt;
        }
        FirewallInspection inspection;
        inspection.inspected = document.at("inspected").get<std::vector<std::string>>();
        inspection.skipped = document.at("skipped").get<std::vector<std::string>>();
        for (const auto& item : document.at("rules")) {
            inspection.rules.push_back(rule_from(item));
        }
        return inspection;
    } catch (const Json::exception&) {
        return std::nullopt; // a field missing or of another type: not ours, a miss
    }
}

std::optional<FirewallInspection> read_firewall_cache(const std::filesystem::path& root_dir,
                                                      const std::string& key) {
    try {
        const auto text = read_private_file(firewall_cache_path(root_dir));
        return text ? parse_firewall_cache(*text, key) : std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt; // a link, or unreadable: inspect instead
    }
}

void write_firewall_cache(const std::filesystem::path& root_dir, const std::string& key,
                          const FirewallInspection& inspection) {
    const auto path = firewall_cache_path(root_dir);
    std::error_code error;
    if (!std::filesystem::is_directory(path.parent_path(), error)) {
        return; // no .golaunch/ yet: not made for a cache
    }
    try {
        // A cache: a file lost to a power cut is a miss (and its key names the boot anyway).
        write_private_file(path, firewall_cache_text(key, inspection), Durability::running_only);
    } catch (const std::exception&) {
        // read-only project dir, a link refused: the next run inspects again
    }
}

} // namespace golaunch
