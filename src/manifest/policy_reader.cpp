#include "manifest/policy_reader.hpp"

#include <limits>

namespace golaunch {

namespace {

const std::vector<std::string> k_restart_choices = {"no", "on-failure", "always"};
const RestartPolicy k_restart_values[] = {RestartPolicy::no, RestartPolicy::on_failure,
                                          RestartPolicy::always};

const std::vector<std::string> k_conflict_choices = {"fail", "next-free", "stop-stale"};
const PortConflictPolicy k_conflict_values[] = {
    PortConflictPolicy::fail, PortConflictPolicy::next_free, PortConflictPolicy::stop_stale};

const std::vector<std::string> k_backoff_keys = {"initial", "max"};

int read_max_restarts(const TomlDocument& doc, const toml::node& node) {
    const std::int64_t value = read_integer(doc, "max_restarts", node);
    if (value < 0) {
        doc.fail(doc.where(node), "'max_restarts' must be 0 or more, not " + std::to_string(value));
    }
    if (value > std::numeric_limits<int>::max()) {
        doc.fail(doc.where(node), "'max_restarts' is too large: " + std::to_string(value));
    }
    return static_cast<int>(value);
}

Backoff read_backoff(const TomlDocument& doc, const toml::node& node, const std::string& table,
                     Backoff backoff) {
    const toml::table& fields = read_table(doc, "backoff", node);
    check_keys(doc, fields, k_backoff_keys, "in [" + table + ".backoff]");
    if (const auto* initial = fields.get("initial")) {
        backoff.initial = read_duration(doc, "backoff.initial", *initial);
    }
    if (const auto* max = fields.get("max")) {
        backoff.max = read_duration(doc, "backoff.max", *max);
    }
    if (backoff.initial > backoff.max) {
        doc.fail(doc.where(node),
                 "backoff initial (" + format_duration(backoff.initial) + ") is longer than max (" +
                     format_duration(backoff.max) + ")",
                 "the delay grows from initial up to max; make initial <= max");
    }
    return backoff;
}

} // namespace

const std::vector<std::string>& policy_keys() {
    static const std::vector<std::string> keys = {
        "startup_timeout", "restart", "max_restarts", "backoff", "stop_grace", "on_port_conflict"};
    return keys;
}

bool read_policy_key(const TomlDocument& doc, const std::string& key, const toml::node& node,
                     const std::string& table, Defaults& policy) {
    if (key == "startup_timeout") {
        policy.startup_timeout = read_duration(doc, key, node);
    } else if (key == "restart") {
        policy.restart = k_restart_values[read_choice(doc, key, node, k_restart_choices)];
    } else if (key == "max_restarts") {
        policy.max_restarts = read_max_restarts(doc, node);
    } else if (key == "backoff") {
        policy.backoff = read_backoff(doc, node, table, policy.backoff);
    } else if (key == "stop_grace") {
        policy.stop_grace = read_duration(doc, key, node);
    } else if (key == "on_port_conflict") {
        policy.on_port_conflict =
            k_conflict_values[read_choice(doc, key, node, k_conflict_choices)];
    } else {
        return false;
    }
    return true;
}

void apply_policy(const Defaults& policy, ServiceSpec& service) {
    service.startup_timeout = policy.startup_timeout;
    service.restart = policy.restart;
    service.max_restarts = policy.max_restarts;
    service.backoff = policy.backoff;
    service.stop_grace = policy.stop_grace;
    service.on_port_conflict = policy.on_port_conflict;
}

} // namespace golaunch
