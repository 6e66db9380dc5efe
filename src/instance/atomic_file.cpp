#include "instance/atomic_file.hpp"

namespace golaunch {

std::string FileWriteFailure::what() const {
    switch (step) {
    case Step::create:
        return "create";
    case Step::owner:
        return "set the owner of";
    case Step::mode:
        return "set the mode of";
    case Step::write:
        return "write";
    case Step::sync:
        return "fsync";
    case Step::rename:
        return "replace";
    }
    return "write";
}

} // namespace golaunch
