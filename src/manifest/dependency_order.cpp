#include "manifest/dependency_order.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>

namespace golaunch {

namespace {

// Services by index in file order, each with the indexes of its known dependencies.
struct Graph {
    std::vector<std::string> names;
    std::vector<std::vector<std::size_t>> edges;
};

Graph build_graph(const Manifest& manifest, bool strict) {
    Graph graph;
    std::unordered_map<std::string, std::size_t> index;
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

// Depth-first search over the whole graph (roots in file order, edges in depends_on order),
// iterative so that a chain of any length fits: an explicit stack of (node, next edge). Returns
// the first cycle met, as indexes in path order; empty when there is none. Linear.
std::vector<std::size_t> find_cycle_indexes(const Graph& graph) {
    struct Frame {
        std::size_t node;
        std::size_t next_edge;
    };
    std::vector<Mark> marks(graph.names.size(), Mark::unvisited);
    std::vector<std::size_t> position(graph.names.size(), 0); // in `stack`, while in progress
    std::vector<Frame> stack;
    for (std::size_t root = 0; root < graph.names.size(); ++root) {
        if (marks[root] != Mark::unvisited) {
            continue;
        }
        marks[root] = Mark::in_progress;
        stack.push_back({root, 0});
        while (!stack.empty()) {
            Frame& frame = stack.back();
            const auto& edges = graph.edges[frame.node];
            if (frame.next_edge == edges.size()) {
                marks[frame.node] = Mark::done;
                stack.pop_back();
                continue;
            }
            const std::size_t next = edges[frame.next_edge++];
            if (marks[next] == Mark::in_progress) {
                std::vector<std::size_t> cycle;
                for (std::size_t i = position[next]; i < stack.size(); ++i) {
                    cycle.push_back(stack[i].node);
                }
                return cycle;
            }
            if (marks[next] == Mark::unvisited) {
                marks[next] = Mark::in_progress;
                position[next] = stack.size();
                stack.push_back({next, 0}); // `frame` is not used after this
            }
        }
    }
    return {};
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
    const auto cycle = find_cycle_indexes(graph);
    return cycle.empty() ? std::vector<std::string>{} : cycle_names(graph, cycle);
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
    // Kahn's algorithm; among the services whose dependencies have all started, the first in
    // file order starts next (a min-heap of indexes). O((services + edges) log services).
    const std::size_t count = graph.names.size();
    std::vector<std::size_t> waiting_on(count, 0);
    std::vector<std::vector<std::size_t>> dependents(count);
    for (std::size_t node = 0; node < count; ++node) {
        if (!wanted[node]) {
            continue;
        }
        waiting_on[node] = graph.edges[node].size();
        for (const std::size_t dependency : graph.edges[node]) {
            dependents[dependency].push_back(node);
        }
    }
    std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
    for (std::size_t node = 0; node < count; ++node) {
        if (wanted[node] && waiting_on[node] == 0) {
            ready.push(node);
        }
    }
    std::vector<std::string> order;
    while (!ready.empty()) {
        const std::size_t next = ready.top();
        ready.pop();
        order.push_back(graph.names[next]);
        for (const std::size_t dependent : dependents[next]) {
            if (--waiting_on[dependent] == 0) {
                ready.push(dependent);
            }
        }
    }
    return order;
}

} // namespace golaunch
