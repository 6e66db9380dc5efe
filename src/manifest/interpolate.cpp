#include "manifest/interpolate.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <optional>
#include <string_view>

namespace golaunch {

namespace {

constexpr const char* k_syntax_hint =
    "write ${ports.SERVICE.NAME}, ${ports.NAME} or ${port}; $$ is a literal $";
constexpr const char* k_unterminated_hint =
    "close the reference with '}', or write $$ for a literal $";

// A piece of text: plain, "$$", "${...}" or a "${..." that never closes.
struct Token {
    enum class Kind { literal, dollar, reference, unterminated } kind;
    std::string_view raw;   // exactly as written
    std::string_view inner; // between "${" and "}" for references
};

std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> tokens;
    std::size_t literal_start = 0;
    std::size_t i = 0;
    const auto flush_literal = [&](std::size_t end) {
        if (end > literal_start) {
            tokens.push_back(
                {Token::Kind::literal, text.substr(literal_start, end - literal_start), {}});
        }
    };
    while (i < text.size()) {
        if (text[i] != '$' || i + 1 == text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
            ++i;
            continue;
        }
        flush_literal(i);
        if (text[i + 1] == '$') {
            tokens.push_back({Token::Kind::dollar, text.substr(i, 2), {}});
            i += 2;
        } else if (const auto close = text.find('}', i + 2); close == std::string_view::npos) {
            tokens.push_back({Token::Kind::unterminated, text.substr(i), text.substr(i + 2)});
            i = text.size();
        } else {
            tokens.push_back({Token::Kind::reference, text.substr(i, close + 1 - i),
                              text.substr(i + 2, close - i - 2)});
            i = close + 1;
        }
        literal_start = i;
    }
    flush_literal(text.size());
    return tokens;
}

struct Reference {
    std::string service;
    std::string port;        // empty for ${port}
    bool first_port = false; // ${port}
};

std::optional<Reference> parse_reference(std::string_view inner, const std::string& own_service) {
    if (inner == "port") {
        return Reference{own_service, "", true};
    }
    const auto parts = split(inner, '.');
    const auto all_named = [&] {
        for (const auto& part : parts) {
            if (part.empty()) {
                return false;
            }
        }
        return true;
    };
    if (parts.front() != "ports" || !all_named()) {
        return std::nullopt;
    }
    if (parts.size() == 2) {
        return Reference{own_service, parts[1]};
    }
    if (parts.size() == 3) {
        return Reference{parts[1], parts[2]};
    }
    return std::nullopt;
}

// The number for `reference`, or nullopt when the assignments lack it.
std::optional<std::uint16_t> resolve(const Reference& reference, const PortAssignments& ports) {
    const auto service = ports.find(reference.service);
    if (service == ports.end()) {
        return std::nullopt;
    }
    if (reference.first_port) {
        if (service->second.size() != 1) {
            return std::nullopt;
        }
        return service->second.begin()->second;
    }
    const auto port = service->second.find(reference.port);
    if (port == service->second.end()) {
        return std::nullopt;
    }
    return port->second;
}

bool resolves_in(const Reference& reference, const Manifest& manifest) {
    const ServiceSpec* service = manifest.find_service(reference.service);
    if (service == nullptr) {
        return false;
    }
    return reference.first_port ? !service->ports.empty()
                                : service->find_port(reference.port) != nullptr;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
    const std::string match = closest_match(word, candidates);
    return match.empty() ? std::string() : "; did you mean '" + match + "'?";
}

} // namespace

std::string interpolate(const std::string& text, const std::string& service_name,
                        const PortAssignments& ports) {
    std::string out;
    for (const Token& token : tokenize(text)) {
        switch (token.kind) {
        case Token::Kind::literal:
            out += token.raw;
            break;
        case Token::Kind::dollar:
            out += '$';
            break;
        case Token::Kind::unterminated:
            throw usage_error("unterminated reference '" + std::string(token.raw) +
                                  "' in service '" + service_name + "'",
                              k_unterminated_hint);
        case Token::Kind::reference: {
            const auto reference = parse_reference(token.inner, service_name);
            const auto number = reference ? resolve(*reference, ports) : std::nullopt;
            if (!number) {
                throw usage_error("unknown reference '" + std::string(token.raw) +
                                      "' in service '" + service_name + "'",
                                  reference && reference->first_port
                                      ? "${port} needs exactly one port; write ${ports.NAME}"
                                      : k_syntax_hint);
            }
            out += std::to_string(*number);
            break;
        }
        }
    }
    return out;
}

std::vector<ReferenceAt> unresolved_references_at(std::string_view text,
                                                  const std::string& service_name,
                                                  const Manifest& manifest) {
    std::vector<ReferenceAt> unresolved;
    for (const Token& token : tokenize(text)) {
        bool bad = token.kind == Token::Kind::unterminated;
        if (token.kind == Token::Kind::reference) {
            const auto reference = parse_reference(token.inner, service_name);
            bad = !reference || !resolves_in(*reference, manifest);
        }
        if (bad) {
            unresolved.push_back(
                {static_cast<std::size_t>(token.raw.data() - text.data()), std::string(token.raw)});
        }
    }
    return unresolved;
}

std::vector<std::string> unresolved_references(const std::string& text,
                                               const std::string& service_name,
                                               const Manifest& manifest) {
    std::vector<std::string> unresolved;
    for (auto& reference : unresolved_references_at(text, service_name, manifest)) {
        unresolved.push_back(std::move(reference.text));
    }
    return unresolved;
}

std::string explain_reference(const std::string& reference, const std::string& service_name,
                              const Manifest& manifest) {
    const auto tokens = tokenize(reference);
    if (tokens.size() != 1 || tokens.front().kind == Token::Kind::unterminated) {
        return k_unterminated_hint;
    }
    const auto parsed = parse_reference(tokens.front().inner, service_name);
    if (!parsed) {
        return k_syntax_hint;
    }
    const ServiceSpec* service = manifest.find_service(parsed->service);
    if (service == nullptr) {
        std::vector<std::string> names;
        for (const auto& candidate : manifest.services) {
            names.push_back(candidate.name);
        }
        return "there is no service '" + parsed->service + "'" +
               did_you_mean(parsed->service, names);
    }
    std::vector<std::string> port_names;
    for (const auto& port : service->ports) {
        port_names.push_back(port.name);
    }
    if (port_names.empty()) {
        return "service '" + service->name + "' declares no ports";
    }
    if (parsed->first_port || service->find_port(parsed->port) != nullptr) {
        return {};
    }
    const std::string suggestion = did_you_mean(parsed->port, port_names);
    return "service '" + service->name + "' has no port '" + parsed->port + "'" +
           (suggestion.empty() ? "; its ports are " + join(port_names, ", ") : suggestion);
}

std::string canonical_references(const std::string& text, const ServiceSpec& service) {
    if (service.ports.empty()) {
        return text;
    }
    std::string out;
    for (const Token& token : tokenize(text)) {
        if (token.kind == Token::Kind::reference && token.inner == "port") {
            out += "${ports." + service.name + "." + service.ports.front().name + "}";
        } else {
            out += token.raw;
        }
    }
    return out;
}

} // namespace golaunch
