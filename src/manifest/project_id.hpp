// Which project a process or a cgroup belongs to: a short, stable id of the manifest's absolute
// path. Every process golaunch starts carries it (GOLAUNCH_PROJECT, beside GOLAUNCH_PID), and
// each run's cgroup is named after it, so that a later run of the same manifest recognises what
// an earlier one left, and never what another project left.
#pragma once

#include <filesystem>
#include <string>

namespace golaunch {

// 16 lowercase hex digits: FNV-1a (64 bit) of the absolute, lexically normal path. The same
// manifest gives the same id in every run and every build.
std::string project_id(const std::filesystem::path& manifest_path);

} // namespace golaunch
