#include "preflight/name_rules.hpp"

#include "platform/hosts_file.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace golaunch {

namespace {

// Whole TLDs in Chromium's HSTS preload list (Google Registry's and a few others); Firefox and
// Safari ship the same list.
constexpr std::string_view k_hsts_tlds[] = {
    "android", "app",   "bank", "boo",   "chrome", "dad",     "day",    "dev",       "eat",  "esq",
    "fly",     "foo",   "gle",  "gmail", "google", "hangout", "ing",    "insurance", "meme", "mov",
    "new",     "nexus", "page", "phd",   "prof",   "rsvp",    "search", "youtube",   "zip",
};

constexpr std::string_view k_suggestion =
    "use a name under .test (RFC 6761, never delegated) or .localhost (resolves to loopback), "
    "e.g. api.shop.test";

std::string_view tld_of(std::string_view name) {
    if (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
    }
    const auto dot = name.rfind('.');
    return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

// The hosts line of nsswitch.conf when it sends names to mDNS ("" otherwise).
std::string nsswitch_mdns_line() {
    std::ifstream in("/etc/nsswitch.conf");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("hosts:", 0) == 0 && line.find("mdns") != std::string::npos) {
            return line;
        }
    }
    return "";
}

} // namespace

std::string hsts_preloaded_tld(std::string_view name) {
    const auto tld = lower_case(tld_of(name));
    const auto* end = std::end(k_hsts_tlds);
    return std::find(std::begin(k_hsts_tlds), end, tld) != end ? tld : "";
}

std::vector<Finding> name_rule_findings(const std::string& name, const std::string& origin) {
    std::vector<Finding> findings;
    if (const auto tld = hsts_preloaded_tld(name); !tld.empty()) {
        Finding finding;
        finding.id = "hsts-tld";
        finding.severity = Severity::warning;
        finding.subject = name;
        finding.fields.host = name;
        finding.message = name + " is under ." + tld +
                          ", which browsers force to HTTPS (HSTS preload list): http:// URLs "
                          "to it will not load in a browser";
        finding.evidence = {origin};
        finding.remedy = std::string(k_suggestion);
        findings.push_back(std::move(finding));
    }
    if (lower_case(tld_of(name)) == "local") {
        Finding finding;
        finding.id = "mdns-local";
        finding.severity = Severity::warning;
        finding.subject = name;
        finding.fields.host = name;
        finding.message = name + " is under .local, which is multicast DNS (RFC 6762): lookups "
                                 "go to avahi/nss-mdns on Linux and Bonjour on macOS and Windows, "
                                 "and can take seconds even with a hosts-file entry";
        finding.evidence = {origin};
        if (const auto line = nsswitch_mdns_line(); !line.empty()) {
            finding.evidence.push_back("/etc/nsswitch.conf: " + line);
        }
        finding.remedy = std::string(k_suggestion);
        findings.push_back(std::move(finding));
    }
    return findings;
}

} // namespace golaunch
