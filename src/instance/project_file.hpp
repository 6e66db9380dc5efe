// Writing a file golaunch generates inside the project (`files = [{ ..., to = "..." }]`), never
// through a link: a cloned repository can ship `config -> /etc`, and golaunch often runs as root.
// Every directory from the project directory down to the file is checked without following a
// link (and made when missing), a link at the file itself is refused rather than replaced, and
// the content is replaced atomically (instance/atomic_file.hpp).
#pragma once

#include <filesystem>
#include <string>

namespace golaunch {

// Writes `content` to `root / relative`; `relative` is normal and inside `root`
// (manifest/file_templates.hpp: project_relative_target). The project directory itself may be
// a link. Throws golaunch::Error naming the link, or the file that could not be written.
void write_project_file(const std::filesystem::path& root, const std::filesystem::path& relative,
                        const std::string& content);

} // namespace golaunch
