#include "util/color.hpp"

#include <unistd.h>

namespace golaunch {

StreamKind stream_kind(std::FILE* stream) {
    return ::isatty(::fileno(stream)) == 1 ? StreamKind::terminal : StreamKind::other;
}

} // namespace golaunch
