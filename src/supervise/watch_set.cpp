#include "supervise/watch_set.hpp"

#include "util/error.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

namespace golaunch {

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool editor_temporary(const std::string& name) {
    return name.empty() || ends_with(name, "~") || ends_with(name, ".swp") ||
           ends_with(name, ".swx") || ends_with(name, ".swo") || ends_with(name, ".tmp") ||
           name == "4913" || name.rfind(".#", 0) == 0 ||
           (name.size() > 1 && name.front() == '#' && name.back() == '#');
}

} // namespace

WatchSet watch_set_from_go_list(const std::string& output) {
    WatchSet set;
    std::istringstream in(output);
    while (true) {
        in >> std::ws;
        if (in.peek() == std::char_traits<char>::eof()) {
            break;
        }
        nlohmann::json package;
        try {
            in >> package;
        } catch (const nlohmann::json::exception& e) {
            throw Error(std::string("`go list -deps -json` printed something else: ") + e.what());
        }
        const auto module = package.find("Module");
        if (module == package.end() || !module->is_object() || !module->value("Main", false)) {
            continue; // the standard library and other modules: not edited here
        }
        const std::filesystem::path dir = package.value("Dir", "");
        if (dir.empty()) {
            continue;
        }
        set.dirs.insert(dir);
        set.packages.insert(package.value("ImportPath", ""));
        for (const auto& file : package.value("EmbedFiles", std::vector<std::string>{})) {
            set.files.insert(dir / file);
        }
        const std::filesystem::path go_mod = module->value("GoMod", "");
        if (!go_mod.empty()) {
            set.files.insert(go_mod);
            set.files.insert(go_mod.parent_path() / "go.sum");
        }
    }
    return set;
}

std::string glob_to_regex(const std::string& glob) {
    std::string out = "^";
    for (std::size_t i = 0; i < glob.size(); ++i) {
        const char c = glob[i];
        if (c == '*' && i + 1 < glob.size() && glob[i + 1] == '*') {
            out += ".*";
            ++i;
            if (i + 1 < glob.size() && glob[i + 1] == '/') {
                ++i; // "**/" also matches no directory at all
                out += "/?";
            }
        } else if (c == '*') {
            out += "[^/]*";
        } else if (c == '?') {
            out += "[^/]";
        } else if (std::string("\\^$.|+()[]{}").find(c) != std::string::npos) {
            out += '\\';
            out += c;
        } else {
            out += c;
        }
    }
    return out + "$";
}

std::string glob_base(const std::string& glob) {
    const auto wild = glob.find_first_of("*?[");
    const std::string head = glob.substr(0, wild);
    const auto slash = head.rfind('/');
    if (wild == std::string::npos) {
        return slash == std::string::npos ? "" : head.substr(0, slash);
    }
    return slash == std::string::npos ? "" : head.substr(0, slash);
}

void add_globs(WatchSet& set, const std::filesystem::path& root,
               const std::vector<std::string>& globs) {
    set.root = root;
    for (const auto& glob : globs) {
        set.globs.emplace_back(glob_to_regex(glob));
        set.glob_texts.push_back(glob);
    }
}

bool is_relevant(const WatchSet& set, const std::filesystem::path& path) {
    const std::string name = path.filename().string();
    if (editor_temporary(name)) {
        return false;
    }
    for (const auto& part : path) {
        if (part == ".golaunch") {
            return false;
        }
    }
    if (set.files.count(path) != 0) {
        return true;
    }
    if (ends_with(name, ".go") && !ends_with(name, "_test.go") &&
        set.dirs.count(path.parent_path()) != 0) {
        return true;
    }
    if (!set.globs.empty()) {
        const std::string relative = path.lexically_relative(set.root).generic_string();
        if (!relative.empty() && relative.rfind("..", 0) != 0) {
            for (const auto& glob : set.globs) {
                if (glob.search(relative)) {
                    return true;
                }
            }
        }
    }
    return false;
}

} // namespace golaunch
