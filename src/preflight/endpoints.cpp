#include "preflight/endpoints.hpp"

#include "manifest/interpolate.hpp"
#include "util/error.hpp"

#include <cctype>

namespace golaunch {

namespace {

bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

bool is_host_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

// The address before the ':' at `colon`, or nullopt when this is not HOST:PORT (a URL).
std::optional<std::string> address_before(const std::string& text, std::size_t colon) {
    if (colon > 0 && text[colon - 1] == ']') {
        const auto open = text.rfind('[', colon - 1);
        if (open == std::string::npos) {
            return std::nullopt;
        }
        if (open >= 3 && text.compare(open - 3, 3, "://") == 0) {
            return std::nullopt;
        }
        return text.substr(open + 1, colon - 1 - open - 1);
    }
    std::size_t start = colon;
    while (start > 0 && is_host_char(text[start - 1])) {
        --start;
    }
    if (start >= 3 && text.compare(start - 3, 3, "://") == 0) {
        return std::nullopt;
    }
    if (start == colon) {
        // ":8080" alone; but "a::8080" or "x:y:8080" are something else.
        if (colon > 0 && text[colon - 1] == ':') {
            return std::nullopt;
        }
        return std::string("::");
    }
    return text.substr(start, colon - start);
}

std::string interpolated(const std::string& text, const std::string& service,
                         const PortAssignments& ports) {
    try {
        return interpolate(text, service, ports);
    } catch (const Error&) {
        return text; // the loader reports bad references; here it only costs the inference
    }
}

std::string inferred_address(const ServiceSpec& service, std::uint16_t port,
                             const PortAssignments& ports) {
    std::vector<const std::string*> texts;
    for (const auto& arg : service.args) {
        texts.push_back(&arg);
    }
    for (const auto& word : service.cmd) {
        texts.push_back(&word);
    }
    texts.push_back(&service.shell);
    for (const auto& [name, value] : service.env) {
        texts.push_back(&value);
    }
    for (const auto* text : texts) {
        const std::string address =
            address_for_port(interpolated(*text, service.name, ports), port);
        if (!address.empty()) {
            return address;
        }
    }
    return "";
}

} // namespace

std::string address_for_port(const std::string& text, std::uint16_t port) {
    const std::string number = std::to_string(port);
    for (std::size_t at = text.find(number); at != std::string::npos;
         at = text.find(number, at + 1)) {
        const std::size_t end = at + number.size();
        if (at == 0 || text[at - 1] != ':' || (end < text.size() && is_digit(text[end]))) {
            continue;
        }
        if (auto address = address_before(text, at - 1)) {
            if (address->empty() || *address == "[]") {
                continue;
            }
            return *address;
        }
    }
    return "";
}

std::vector<DeclaredEndpoint> declared_endpoints(const Manifest& manifest,
                                                 const std::vector<std::string>& services,
                                                 const PortAssignments& ports) {
    std::vector<const ServiceSpec*> selected;
    if (services.empty()) {
        for (const auto& service : manifest.services) {
            selected.push_back(&service);
        }
    } else {
        for (const auto& name : services) {
            if (const auto* service = manifest.find_service(name)) {
                selected.push_back(service);
            }
        }
    }
    std::vector<DeclaredEndpoint> endpoints;
    for (const auto* service : selected) {
        for (const auto& spec : service->ports) {
            DeclaredEndpoint endpoint{service->name, spec.name, spec.number, spec.address,
                                      !spec.address.empty()};
            if (const auto found = ports.find(service->name); found != ports.end()) {
                if (const auto number = found->second.find(spec.name);
                    number != found->second.end()) {
                    endpoint.port = number->second;
                }
            }
            if (endpoint.address.empty()) {
                endpoint.address = inferred_address(*service, endpoint.port, ports);
            }
            endpoints.push_back(std::move(endpoint));
        }
    }
    return endpoints;
}

FindingFields endpoint_fields(const DeclaredEndpoint& endpoint) {
    FindingFields fields;
    fields.service = endpoint.service;
    fields.port_name = endpoint.port_name;
    fields.port = endpoint.port;
    fields.address = endpoint.address;
    return fields;
}

} // namespace golaunch
