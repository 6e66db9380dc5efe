// `golaunch export systemd|compose|kubernetes [app.toml] [-o DIR]`: writes the files
// export_files.hpp makes into DIR (default: .golaunch/export/<kind> next to the manifest), names
// each file on stdout and what could not be expressed on stderr.
#pragma once

#include <string>
#include <vector>

namespace golaunch {

struct ExportOptions {
    std::string kind; // "systemd", "compose" or "kubernetes"
    std::vector<std::string> positionals;
    std::string output_dir;
};

int run_export(const ExportOptions& options);

} // namespace golaunch
