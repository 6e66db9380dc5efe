#include "manifest/dependency_order.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <map>

namespace golaunch {

namespace {

// Services by index in file order, each with the indexes of its known dependencies.
struct Graph {
    std::vector<std::string> names;
    std::vector<std::vector<std::size_t>> edges;
};

Graph build_graph(const Manifest& manifest, bool strict) {
    Graph graph;
    std::map<std::string, std::size_t> index;
    for (const auto& service : manifest.services) {
        index.emplace(service.name, graph.names.size());
        graph.names.push_back(service.name);
    }
    for (const auto& service : manifest.services) {
        auto& edges = graph.edges.emplace_back();
        for (const auto& dependency : service.depends_on) {
            const auto found = index.find(dependency);
            if (found != index.end()) {
                edges.push_back(found->second);
            } else if (strict) {
                throw usage_error("service '" + service.name + "' depends on unknown service '" +
                                  dependency + "'");
            }
        }
    }
    return graph;
}

enum class Mark { unvisited, in_progress, done };

// Depth-first search from `node`; fills `cycle` (as indexes) when it finds one.
bool find_cycle_from(const Graph& graph, std::size_t node, std::vector<Mark>& marks,
                     std::vector<std::size_t>& stack, std::vector<std::size_t>& cycle) {
    marks[node] = Mark::in_progress;
    stack.push_back(node);
    for (const std::size_t next : graph.edges[node]) {
        if (marks[next] == Mark::in_progress) {
            const auto start = std::find(stack.begin(), stack.end(), next);
            cycle.assign(start, stack.end());
            return true;
        }
        if (marks[next] == Mark::unvisited && find_cycle_from(graph, next, marks, stack, cycle)) {
            return true;
        }
    }
    stack.pop_back();
    marks[node] = Mark::done;
    return false;
}

std::vector<std::string> cycle_names(const Graph& graph, std::vector<std::size_t> cycle) {
    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
    std::vector<std::string> names;
    for (const std::size_t node : cycle) {
        names.push_back(graph.names[node]);
    }
    names.push_back(names.front());
    return names;
}

std::vector<std::string> find_cycle(const Graph& graph) {
    std::vector<Mark> marks(graph.names.size(), Mark::unvisited);
    std::vector<std::size_t> stack;
    std::vector<std::size_t> cycle;
    for (std::size_t node = 0; node < graph.names.size(); ++node) {
        if (marks[node] == Mark::unvisited && find_cycle_from(graph, node, marks, stack, cycle)) {
            return cycle_names(graph, cycle);
        }
    }
    return {};
}

// Marks the `selected` services and everything they depend on.
std::vector<bool> wanted_services(const Graph& graph, const std::vector<std::string>& selected) {
    std::vector<bool> wanted(graph.names.size(), selected.empty());
    std::vector<std::size_t> pending;
    for (const auto& name : selected) {
        const auto found = std::find(graph.names.begin(), graph.names.end(), name);
        if (found == graph.names.end()) {
            const std::string match = closest_match(name, graph.names);
            throw usage_error("unknown service '" + name + "'",
                              match.empty() ? "services: " + join(graph.names, ", ")
                                            : "did you mean '" + match + "'?");
        }
        pending.push_back(static_cast<std::size_t>(found - graph.names.begin()));
    }
    while (!pending.empty()) {
        const std::size_t node = pending.back();
        pending.pop_back();
        if (!wanted[node]) {
            wanted[node] = true;
            pending.insert(pending.end(), graph.edges[node].begin(), graph.edges[node].end());
        }
    }
    return wanted;
}

} // namespace

std::vector<std::string> find_dependency_cycle(const Manifest& manifest) {
    return find_cycle(build_graph(manifest, false));
}

std::vector<std::string> dependency_order(const Manifest& manifest,
                                          const std::vector<std::string>& selected) {
    const Graph graph = build_graph(manifest, true);
    if (const auto cycle = find_cycle(graph); !cycle.empty()) {
        throw usage_error("dependency cycle: " + join(cycle, " -> "));
    }
    const std::vector<bool> wanted = wanted_services(graph, selected);
    std::vector<bool> started(graph.names.size(), false);
    std::vector<std::string> order;
    // Each round starts the first service in file order whose dependencies have all started.
    while (true) {
        std::size_t next = graph.names.size();
        for (std::size_t node = 0; node < graph.names.size() && next == graph.names.size();
             ++node) {
            const auto& edges = graph.edges[node];
            if (wanted[node] && !started[node] &&
                std::all_of(edges.begin(), edges.end(),
                            [&](std::size_t dep) { return started[dep]; })) {
                next = node;
            }
        }
        if (next == graph.names.size()) {
            return order;
        }
        started[next] = true;
        order.push_back(graph.names[next]);
    }
}

} // namespace golaunch
