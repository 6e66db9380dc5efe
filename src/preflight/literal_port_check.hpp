// A port moved (next-free in `run`, or `golaunch fix`) reaches args, env and `files`, but not a
// config file the service reads on its own: prometheus kept scraping the old port of a moved
// exporter, and golaunch said nothing (issue 13). This check reads the files named in the
// services' arguments (`--config.file=prometheus.yml`, or a bare path argument that is a file in
// the project) and warns at each line that still holds a moved port's old number, pointing to
// `files`.
#pragma once

#include "manifest/manifest.hpp"
#include "preflight/finding.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace golaunch {

struct PortMove {
    std::string service;
    std::string port_name;
    std::uint16_t from = 0;
    std::uint16_t to = 0;
};

// The ports whose number in `ports` differs from the manifest's.
std::vector<PortMove> port_moves(const Manifest& manifest, const PortAssignments& ports);

// A warning "port-literal-in-file" per file and move: subject "scrape.yml:7" (the first line),
// evidence the lines ("scrape.yml:7: - targets: ['127.0.0.1:31100']"), remedy `files`.
// Files are read from the args (and cmd arguments) of `services` (empty = all): the value after
// '=' of an option, or a bare argument, naming a regular text file inside the project; the
// generated `files` targets are skipped. The old number counts only as a whole number.
std::vector<Finding> check_literal_ports(const Manifest& manifest,
                                         const std::vector<std::string>& services,
                                         const std::vector<PortMove>& moves);

} // namespace golaunch
