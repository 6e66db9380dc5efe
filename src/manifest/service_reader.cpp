#include "manifest/service_reader.hpp"

#include "manifest/file_templates.hpp"
#include "manifest/names.hpp"
#include "manifest/policy_reader.hpp"
#include "manifest/reserved_env.hpp"
#include "util/regex.hpp"

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
        if (m_read.spec.build_where.line != 0 && m_read.spec.go_package.empty()) {
            m_doc.fail(m_read.spec.build_where,
                       "build_flags, build_env and watch_* are for go services, but service '" +
                           name() + "' sets " + m_run_key,
                       "golaunch runs `go build` only for `go = \"./cmd/...\"` services");
        }
        if (m_read.spec.watch && m_read.spec.go_package.empty()) {
            m_doc.fail(m_read.spec.watch_where,
                       "watch is for go services, but service '" + name() + "' sets " + m_run_key,
                       "golaunch rebuilds and restarts a `go = \"...\"` service when its sources "
                       "change; `golaunch restart " +
                           name() + "` restarts any service");
        }
        if (m_read.spec.ready.kind == ReadyKind::exit && !m_read.spec.ports.empty()) {
            m_doc.fail(m_read.spec.ready.where,
                       "ready = \"exit\" is for a one-shot, but service '" + name() +
                           "' declares ports",
                       "a server is ready when it serves: drop `ready` (its ports), or use "
                       "ready = { http = \"http://127.0.0.1:${port}/health\" }");
        }
        check_env_keys();
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
        } else if (name == "health") {
            read_health(node);
        } else if (name == "files") {
            read_files(node);
        } else if (name == "watch") {
            read_watch(node);
        } else if (name == "watch_debounce") {
            spec.watch_debounce = read_duration(m_doc, name, node);
            note_go_only(node);
        } else if (name == "watch_dependents") {
            spec.watch_dependents = read_bool(name, node);
            note_go_only(node);
        } else if (name == "build_flags") {
            spec.build_flags = read_string_array(m_doc, name, node);
            note_go_only(node);
        } else if (name == "build_env") {
            for (const auto& entry : entries_in_order(read_table(m_doc, name, node))) {
                const std::string key(entry.key->str());
                if (key.empty() || key.find('=') != std::string::npos) {
                    m_doc.fail(m_doc.where(*entry.key),
                               "invalid environment variable name '" + key + "'");
                }
                spec.build_env[key] = env_value(key, *entry.node);
            }
            note_go_only(node);
        } else {
            read_policy_key(m_doc, name, node, "services." + this->name(), m_policy);
        }
    }

    bool read_bool(const std::string& key, const toml::node& node) const {
        if (const auto* flag = node.as_boolean()) {
            return flag->get();
        }
        m_doc.fail(m_doc.where(node),
                   "'" + key + "' must be true or false, not " + type_phrase(node));
    }

    // build_* and watch_* are for go services: where the first one is, for the check at the end.
    void note_go_only(const toml::node& node) {
        if (m_read.spec.build_where.line == 0) {
            m_read.spec.build_where = m_doc.where(node);
        }
    }

    void read_watch(const toml::node& node) {
        ServiceSpec& spec = m_read.spec;
        spec.watch_where = m_doc.where(node);
        if (const auto* flag = node.as_boolean()) {
            spec.watch = flag->get();
            return;
        }
        if (node.as_array() == nullptr) {
            m_doc.fail(
                m_doc.where(node),
                "watch must be true, false or a list of globs, not " + type_phrase(node),
                "e.g. watch = true, or watch = [\"templates/**\"] to also watch those files");
        }
        spec.watch = true;
        spec.watch_globs = read_string_array(m_doc, "watch", node);
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
            m_env_keys.emplace_back(key, m_doc.where(*entry.key));
            m_read.spec.env[key] = env_value(key, *entry.node);
            if (text != nullptr) {
                m_read.sources.templates.emplace_back(text->get(), m_doc.where(*entry.node));
            }
        }
    }

    // After every key, when the ports are known: golaunch's own variables are not the manifest's.
    void check_env_keys() const {
        for (const auto& [key, where] : m_env_keys) {
            if (const auto reserved = reserved_env(key, m_read.spec)) {
                m_doc.fail(where, reserved->message, reserved->hint);
            }
        }
    }

    // `files = [{ from = "x.in", to = ".golaunch/x" }]`; the templates are read by the loader.
    void read_files(const toml::node& node) {
        const std::string example = "e.g. files = [{ from = \"" + name() +
                                    ".conf.in\", to = \".golaunch/" + name() + ".conf\" }]";
        for (const toml::node& element : read_array(m_doc, "files", node)) {
            const auto* table = element.as_table();
            if (table == nullptr) {
                m_doc.fail(m_doc.where(element),
                           "'files' must hold only tables, not " + type_phrase(element));
            }
            check_keys(m_doc, *table, {"from", "to"}, "in a 'files' entry");
            const toml::node* from = table->get("from");
            const toml::node* to = table->get("to");
            if (from == nullptr || to == nullptr) {
                m_doc.fail(m_doc.where(*table),
                           std::string("'files' entry needs '") + (from ? "to" : "from") + "'",
                           example);
            }
            FileTemplate file{read_string(m_doc, "from", *from), read_string(m_doc, "to", *to),
                              m_doc.where(*from), m_doc.where(*to)};
            require_non_empty(file.from.empty(), *from, "from", example);
            if (project_relative_target(file.to).empty()) {
                m_doc.fail(file.to_where,
                           "'to' must name a file inside the project directory, not '" + file.to +
                               "'",
                           "write a path relative to the manifest, e.g. to = \".golaunch/" +
                               name() + ".conf\"");
            }
            m_read.spec.files.push_back(std::move(file));
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

    // `depends_on = ["db"]`, or `depends_on = { db = "ready", migrate = "completed" }`.
    void read_depends_on(const toml::node& node) {
        auto& names = m_read.spec.depends_on;
        if (const auto* table = node.as_table()) {
            for (const auto& entry : entries_in_order(*table)) {
                const std::string dependency(entry.key->str());
                const auto chosen = read_choice(m_doc, "depends_on." + dependency, *entry.node,
                                                {"started", "ready", "completed"});
                names.push_back(dependency);
                m_read.spec.conditions[dependency] = static_cast<DependencyCondition>(chosen);
                m_read.sources.depends_on.push_back(m_doc.where(*entry.key));
            }
            return;
        }
        if (node.as_array() == nullptr) {
            m_doc.fail(m_doc.where(node),
                       "'depends_on' must be an array of service names or a table of "
                       "conditions, not " +
                           type_phrase(node),
                       "depends_on = [\"db\"] or depends_on = { db = \"ready\", migrate = "
                       "\"completed\", cache = \"started\" }");
        }
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

    // `ready = "ports" | "exit"`, or a table with exactly one of http, log, exec.
    void read_ready(const toml::node& node) {
        ReadySpec& ready = m_read.spec.ready;
        ready.where = m_doc.where(node);
        const std::string hint = "ready = \"ports\" (the default), \"exit\", \"notify\", { http = "
                                 "\"http://127.0.0.1:${port}/health\" }, { log = \"regex\" } "
                                 "or { exec = [\"cmd\", \"arg\"] }";
        if (node.as_string() != nullptr) {
            const auto chosen = read_choice(m_doc, "ready", node, {"ports", "exit", "notify"});
            ready.kind = chosen == 0   ? ReadyKind::ports
                         : chosen == 1 ? ReadyKind::exit
                                       : ReadyKind::notify;
            return;
        }
        if (node.as_table() == nullptr) {
            m_doc.fail(m_doc.where(node),
                       "'ready' must be a string or a table, not " + type_phrase(node), hint);
        }
        const toml::table& table = *node.as_table();
        check_keys(m_doc, table, {"http", "status", "body", "log", "exec", "timeout"},
                   "in 'ready'");
        const int kinds = (table.contains("http") ? 1 : 0) + (table.contains("log") ? 1 : 0) +
                          (table.contains("exec") ? 1 : 0);
        if (kinds != 1) {
            m_doc.fail(m_doc.where(node), "'ready' needs exactly one of http, log or exec", hint);
        }
        if (const auto* url = table.get("http")) {
            ready.kind = ReadyKind::http;
            ready.url = read_string(m_doc, "ready.http", *url);
            if (ready.url.rfind("http://", 0) != 0) {
                m_doc.fail(m_doc.where(*url), "'ready.http' must be an http:// URL",
                           "e.g. http = \"http://127.0.0.1:${port}/health\" (https is not "
                           "probed: point it at a plain-HTTP port, or use exec)");
            }
            m_read.sources.templates.emplace_back(ready.url, m_doc.where(*url));
        } else if (const auto* pattern = table.get("log")) {
            ready.kind = ReadyKind::log;
            ready.pattern = read_regex("ready.log", *pattern);
        } else {
            ready.kind = ReadyKind::exec;
            ready.command = read_templates("ready.exec", *table.get("exec"));
            require_non_empty(ready.command.empty() || ready.command.front().empty(),
                              *table.get("exec"), "ready.exec",
                              "e.g. exec = [\"pg_isready\", \"-p\", \"${port}\"]");
        }
        if (const auto* status = table.get("status")) {
            require_http(ready, *status, "status");
            for (const auto& code : read_array(m_doc, "ready.status", *status)) {
                const auto value = read_integer(m_doc, "ready.status", code);
                if (value < 100 || value > 599) {
                    m_doc.fail(m_doc.where(code), "HTTP status " + std::to_string(value) +
                                                      " in 'ready.status' is not between 100 "
                                                      "and 599");
                }
                ready.status.push_back(static_cast<int>(value));
            }
        }
        if (const auto* body = table.get("body")) {
            require_http(ready, *body, "body");
            ready.body = read_regex("ready.body", *body);
        }
        if (const auto* timeout = table.get("timeout")) {
            if (ready.kind == ReadyKind::log) {
                m_doc.fail(m_doc.where(*timeout), "'ready.timeout' applies to http and exec",
                           "a log line has no attempts to time out; startup_timeout bounds it");
            }
            ready.timeout = read_duration(m_doc, "ready.timeout", *timeout);
        }
    }

    // `health = { http = "..." | exec = [...], status, body, interval, timeout, failures }`.
    void read_health(const toml::node& node) {
        HealthSpec& health = m_read.spec.health;
        health.enabled = true;
        health.where = m_doc.where(node);
        const toml::table& table = read_table(m_doc, "health", node);
        check_keys(m_doc, table,
                   {"http", "status", "body", "exec", "interval", "timeout", "failures"},
                   "in 'health'");
        if (table.contains("http") == table.contains("exec")) {
            m_doc.fail(m_doc.where(node), "'health' needs exactly one of http or exec",
                       "health = { http = \"http://127.0.0.1:${port}/health\", interval = "
                       "\"5s\", timeout = \"1s\", failures = 3 }");
        }
        if (const auto* url = table.get("http")) {
            health.kind = ReadyKind::http;
            health.url = read_string(m_doc, "health.http", *url);
            if (health.url.rfind("http://", 0) != 0) {
                m_doc.fail(m_doc.where(*url), "'health.http' must be an http:// URL",
                           "e.g. http = \"http://127.0.0.1:${port}/health\"");
            }
            m_read.sources.templates.emplace_back(health.url, m_doc.where(*url));
        } else {
            health.kind = ReadyKind::exec;
            health.command = read_templates("health.exec", *table.get("exec"));
            require_non_empty(health.command.empty() || health.command.front().empty(),
                              *table.get("exec"), "health.exec",
                              "e.g. exec = [\"pg_isready\", \"-p\", \"${port}\"]");
        }
        if (const auto* status = table.get("status")) {
            if (health.kind != ReadyKind::http) {
                m_doc.fail(m_doc.where(*status), "'health.status' applies to http only");
            }
            for (const auto& code : read_array(m_doc, "health.status", *status)) {
                const auto value = read_integer(m_doc, "health.status", code);
                if (value < 100 || value > 599) {
                    m_doc.fail(m_doc.where(code), "HTTP status " + std::to_string(value) +
                                                      " in 'health.status' is not between 100 "
                                                      "and 599");
                }
                health.status.push_back(static_cast<int>(value));
            }
        }
        if (const auto* body = table.get("body")) {
            if (health.kind != ReadyKind::http) {
                m_doc.fail(m_doc.where(*body), "'health.body' applies to http only");
            }
            health.body = read_regex("health.body", *body);
        }
        if (const auto* interval = table.get("interval")) {
            health.interval = read_duration(m_doc, "health.interval", *interval);
            if (health.interval.count() <= 0) {
                m_doc.fail(m_doc.where(*interval), "'health.interval' must be longer than 0");
            }
        }
        if (const auto* timeout = table.get("timeout")) {
            health.timeout = read_duration(m_doc, "health.timeout", *timeout);
        }
        if (const auto* failures = table.get("failures")) {
            const auto value = read_integer(m_doc, "health.failures", *failures);
            if (value < 1 || value > 1000) {
                m_doc.fail(m_doc.where(*failures),
                           "'health.failures' must be between 1 and 1000, not " +
                               std::to_string(value));
            }
            health.failures = static_cast<int>(value);
        }
    }

    void require_http(const ReadySpec& ready, const toml::node& node,
                      const std::string& key) const {
        if (ready.kind != ReadyKind::http) {
            m_doc.fail(m_doc.where(node), "'ready." + key + "' applies to http readiness only");
        }
    }

    // A regular expression (ECMAScript syntax), checked here so that a mistake is located.
    std::string read_regex(const std::string& key, const toml::node& node) const {
        std::string text = read_string(m_doc, key, node);
        if (const auto error = regex_error(text)) {
            m_doc.fail(m_doc.where(node), "invalid regular expression in '" + key + "': " + *error,
                       "ECMAScript syntax, as in JavaScript; in a TOML basic string a backslash "
                       "is written twice, or use a 'literal string'");
        }
        return text;
    }

    const std::string& name() const { return m_read.spec.name; }
    std::string label() const { return "[services." + name() + "]"; }

    const TomlDocument& m_doc;
    Defaults m_policy;
    ServiceRead m_read;
    std::string m_run_key; // the one of go, cmd, shell seen so far
    std::vector<std::pair<std::string, SourceLocation>> m_env_keys; // env keys and where
};

} // namespace

const std::vector<std::string>& service_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> all = {"go",
                                        "cmd",
                                        "shell",
                                        "args",
                                        "env",
                                        "env_file",
                                        "dir",
                                        "ports",
                                        "hosts",
                                        "depends_on",
                                        "ready",
                                        "health",
                                        "files",
                                        "watch",
                                        "watch_debounce",
                                        "watch_dependents",
                                        "build_flags",
                                        "build_env"};
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
