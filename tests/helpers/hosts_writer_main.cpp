// hosts_writer: apply_hosts_block in a process of its own, for the tests that kill it with
// SIGKILL mid-write or run it without the right to write.
//
//     hosts_writer FILE PROJECT [--dry-run] [NAME=ADDRESS...]
//
// Prints "changed" or "unchanged" (and "in-place" when rename was refused), then the notes.
// Exit 0 on success, 3 on golaunch::Error (message and hint on stderr), 4 on anything else.
#include "remedy/hosts_block.hpp"
#include "util/error.hpp"

#include <cstring>
#include <iostream>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: hosts_writer FILE PROJECT [--dry-run] [NAME=ADDRESS...]\n";
        return 2;
    }
    bool dry_run = false;
    std::vector<golaunch::HostEntry> entries;
    for (int i = 3; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--dry-run") {
            dry_run = true;
            continue;
        }
        const auto equals = arg.find('=');
        if (equals == std::string::npos) {
            std::cerr << "not NAME=ADDRESS: " << arg << "\n";
            return 2;
        }
        entries.push_back({arg.substr(0, equals), arg.substr(equals + 1), {}});
    }
    try {
        const auto edit = golaunch::apply_hosts_block(argv[1], argv[2], entries, dry_run);
        std::cout << (edit.changed ? "changed" : "unchanged") << (edit.in_place ? " in-place" : "")
                  << "\n";
        for (const auto& note : edit.notes) {
            std::cout << note << "\n";
        }
        return 0;
    } catch (const golaunch::Error& error) {
        std::cerr << "error: " << error.what() << "\nhint: " << error.hint() << "\n";
        return 3;
    } catch (const std::exception& error) {
        std::cerr << "unexpected: " << error.what() << "\n";
        return 4;
    }
}
