#include "manifest/service_reader.hpp"

#include "manifest/names.hpp"
#include "manifest/policy_reader.hpp"

#include <algorithm>
#include <charconv>

namespace golaunch {

namespace {

const std::vector<std::string> k_run_keys = {"go", "cmd", "shell"};

// Reads the keys of one service in source order.
class ServiceReader {
  public:
    ServiceReader(const TomlDocument& doc, const std::string& name, const Defaults& defaults)
        : m_doc(doc), m_policy(defaults) {
        m_read.spec.name = name;
    }

    ServiceRead read(const toml::table& table, const SourceLocation& where) {
        m_read.spec.where = where;
        check_keys(m_doc, table, service_keys(), "in " + label());
        for (const auto& entry : entries_in_order(table)) {
            read_key(*entry.key, *entry.node);
        }
        if (m_run_key.empty()) {
            m_doc.fail(where, "service '" + name() + "' needs one of go, cmd or shell",
                       "go = \"./cmd/" + name() +
                           "\" builds a Go package; cmd = [\"program\", \"arg\"] runs a program");
        }
        apply_policy(m_policy, m_read.spec);
        return std::move(m_read);
    }

  private:
    void read_key(const toml::key& key, const toml::node& node) {
        const std::string name(key.str());
        ServiceSpec& spec = m_read.spec;
        if (std::find(k_run_keys.begin(), k_run_keys.end(), name) != k_run_keys.end()) {
            read_run(key, node);
        } else if (name == "args") {
            spec.args = read_templates("args", node);
        } else if (name == "env") {
            read_env(node);
        } else if (name == "env_file") {
            spec.env_file = read_string(m_doc, name, node);
            spec.env_file_where = m_doc.where(key);
        } else if (name == "dir") {
            spec.dir = read_string(m_doc, name, node);
            spec.dir_where = m_doc.where(node);
        } else if (name == "ports") {
            read_ports(node);
        } else if (name == "hosts") {
            read_hosts(node);
        } else if (name == "depends_on") {
            read_depends_on(node);
        } else if (name == "ready") {
            read_ready(node);
        } else {
            read_policy_key(m_doc, name, node, "services." + this->name(), m_policy);
        }
    }

    void read_run(const toml::key& key, const toml::node& node) {
        const std::string kind(key.str());
        if (!m_run_key.empty()) {
            m_doc.fail(m_doc.where(key),
                       "service '" + name() + "' sets both " + m_run_key + " and " + kind,
                       "use exactly one of go, cmd or shell");
        }
        m_run_key = kind;
        ServiceSpec& spec = m_read.spec;
        if (kind == "go") {
            spec.go_package = read_string(m_doc, kind, node);
            spec.go_where = m_doc.where(node);
            require_non_empty(spec.go_package.empty(), node, "go", "e.g. go = \"./cmd/api\"");
        } else if (kind == "shell") {
            spec.shell = read_string(m_doc, kind, node);
            require_non_empty(spec.shell.empty(), node, "shell", "e.g. shell = \"make serve\"");
            m_read.sources.templates.emplace_back(spec.shell, m_doc.where(node));
        } else {
            spec.cmd = read_templates("cmd", node);
            require_non_empty(spec.cmd.empty() || spec.cmd.front().empty(), node, "cmd",
                              "e.g. cmd = [\"postgres\", \"-D\", \"./data\"]");
        }
    }

    void require_non_empty(bool empty, const toml::node& node, const std::string& key,
                           const std::string& example) const {
        if (empty) {
            m_doc.fail(m_doc.where(node), "'" + key + "' must not be empty", example);
        }
    }

    // A string array whose elements may hold ${...}.
    std::vector<std::string> read_templates(const std::string& key, const toml::node& node) {
        std::vector<std::string> values = read_string_array(m_doc, key, node);
        const toml::array& array = *node.as_array();
        for (std::size_t i = 0; i < values.size(); ++i) {
            m_read.sources.templates.emplace_back(values[i], m_doc.where(*array.get(i)));
        }
        return values;
    }

    void read_env(const toml::node& node) {
        for (const auto& entry : entries_in_order(read_table(m_doc, "env", node))) {
            const std::string key(entry.key->str());
            if (key.empty() || key.find_first_of(std::string("=\0", 2)) != std::string::npos) {
                m_doc.fail(m_doc.where(*entry.key),
                           "invalid environment variable name '" + key + "'");
            }
            const auto* text = entry.node->as_string();
            m_read.spec.env[key] = env_value(key, *entry.node);
            if (text != nullptr) {
                m_read.sources.templates.emplace_back(text->get(), m_doc.where(*entry.node));
            }
        }
    }

    std::string env_value(const std::string& key, const toml::node& node) const {
        if (const auto* text = node.as_string()) {
            return text->get();
        }
        if (const auto* number = node.as_integer()) {
            return std::to_string(number->get());
        }
        if (const auto* flag = node.as_boolean()) {
            return flag->get() ? "true" : "false";
        }
        if (const auto* number = node.as_floating_point()) {
            return float_text(number->get());
        }
        m_doc.fail(m_doc.where(node), "env value '" + key +
                                          "' must be a string, number or boolean, not " +
                                          type_phrase(node));
    }

    static std::string float_text(double value) {
        char buffer[64];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
        std::string text(buffer, result.ptr);
        if (text.find_first_of(".eEn") == std::string::npos) {
            text += ".0"; // 3.0 stays "3.0"; inf and nan have an 'n'
        }
        return text;
    }

    void read_ports(const toml::node& node) {
        for (const auto& entry : entries_in_order(read_table(m_doc, "ports", node))) {
            const std::string port_name(entry.key->str());
            if (!is_valid_port_name(port_name)) {
                m_doc.fail(m_doc.where(*entry.key), "invalid port name '" + port_name + "'",
                           "port names use letters, digits, '-' and '_'");
            }
            const std::string key = "ports." + port_name;
            PortSpec spec{port_name, 0, m_doc.where(*entry.node), ""};
            const toml::node* number_node = entry.node;
            if (const auto* table = entry.node->as_table()) {
                number_node = read_port_table(key, *table, spec);
            }
            const std::int64_t number = read_integer(m_doc, key, *number_node);
            if (number < 1 || number > 65535) {
                m_doc.fail(m_doc.where(*number_node), "'" + key +
                                                          "' must be between 1 and 65535, not " +
                                                          std::to_string(number));
            }
            spec.number = static_cast<std::uint16_t>(number);
            m_read.spec.ports.push_back(std::move(spec));
        }
    }

    // `http = { port = 8080, address = "127.0.0.1" }`: returns the node holding the number.
    const toml::node* read_port_table(const std::string& key, const toml::table& table,
                                      PortSpec& spec) const {
        check_keys(m_doc, table, {"port", "address"}, "in '" + key + "'");
        const toml::node* number = table.get("port");
        if (number == nullptr) {
            m_doc.fail(m_doc.where(table), "'" + key + "' needs a port number",
                       "e.g. " + spec.name + " = { port = 8080, address = \"127.0.0.1\" }");
        }
        if (const toml::node* address = table.get("address")) {
            spec.address = read_string(m_doc, key + ".address", *address);
            check_bind_address(key, spec.address, *address);
        }
        return number;
    }

    // A bind address is an IP literal: a name can resolve to several addresses (localhost to
    // 127.0.0.1 and ::1), and the preflight checks the very address that is bound.
    void check_bind_address(const std::string& key, const std::string& address,
                            const toml::node& node) const {
        if (is_ip_address(address)) {
            return;
        }
        const bool dotted_digits = address.find_first_not_of("0123456789.") == std::string::npos;
        if (dotted_digits || !is_valid_hostname(address)) {
            m_doc.fail(m_doc.where(node), "invalid address '" + address + "' for '" + key + "'",
                       "write an IP address without brackets or port, e.g. 127.0.0.1, ::1, "
                       "0.0.0.0 or ::");
        }
        m_doc.fail(m_doc.where(node),
                   "'" + key + "' must bind an IP address, not the host name '" + address + "'",
                   address == "localhost"
                       ? "write 127.0.0.1 or ::1: 'localhost' can mean either, and the preflight "
                         "checks the address that is bound"
                       : "write the IP address the service binds, e.g. 127.0.0.1, ::1, 0.0.0.0 or "
                         "::; its host names go in hosts = [...] and [hosts]");
    }

    void read_hosts(const toml::node& node) {
        m_read.spec.hosts = read_string_array(m_doc, "hosts", node);
        const toml::array& array = *node.as_array();
        for (std::size_t i = 0; i < m_read.spec.hosts.size(); ++i) {
            if (!is_valid_hostname(m_read.spec.hosts[i])) {
                m_doc.fail(
                    m_doc.where(*array.get(i)), "invalid host name '" + m_read.spec.hosts[i] + "'",
                    "use letters, digits and '-' in dot-separated labels, e.g. api.shop.test");
            }
        }
    }

    void read_depends_on(const toml::node& node) {
        auto& names = m_read.spec.depends_on;
        names = read_string_array(m_doc, "depends_on", node);
        const toml::array& array = *node.as_array();
        for (std::size_t i = 0; i < names.size(); ++i) {
            const SourceLocation where = m_doc.where(*array.get(i));
            if (std::find(names.begin(), names.begin() + static_cast<long>(i), names[i]) !=
                names.begin() + static_cast<long>(i)) {
                m_doc.fail(where, "'" + names[i] + "' is listed twice in depends_on");
            }
            m_read.sources.depends_on.push_back(where);
        }
    }

    void read_ready(const toml::node& node) const {
        const std::string hint = "only ready = \"ports\" is available in this version";
        const auto* text = node.as_string();
        if (text == nullptr) {
            m_doc.fail(m_doc.where(node), "unsupported readiness check: 'ready' must be \"ports\"",
                       hint);
        }
        if (text->get() != "ports") {
            m_doc.fail(m_doc.where(node), "invalid value '" + text->get() + "' for 'ready'", hint);
        }
    }

    const std::string& name() const { return m_read.spec.name; }
    std::string label() const { return "[services." + name() + "]"; }

    const TomlDocument& m_doc;
    Defaults m_policy;
    ServiceRead m_read;
    std::string m_run_key; // the one of go, cmd, shell seen so far
};

} // namespace

const std::vector<std::string>& service_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> all = {"go",  "cmd",   "shell", "args",       "env",  "env_file",
                                        "dir", "ports", "hosts", "depends_on", "ready"};
        all.insert(all.end(), policy_keys().begin(), policy_keys().end());
        return all;
    }();
    return keys;
}

ServiceRead read_service(const TomlDocument& doc, const toml::key& name, const toml::node& node,
                         const Defaults& defaults) {
    const std::string service(name.str());
    if (!is_valid_service_name(service)) {
        doc.fail(doc.where(name), "invalid service name '" + service + "'",
                 "service names start with a letter and use letters, digits, '-' and '_'");
    }
    const toml::table& table = read_table(doc, "services." + service, node);
    return ServiceReader(doc, service, defaults).read(table, doc.where(name));
}

} // namespace golaunch
