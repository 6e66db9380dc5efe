// File capabilities (`setcap`) of an executable: whether running it grants the right to bind a
// privileged port. `golaunch check` asks before it reports privileged-port for a `cmd`
// service, because golaunch then starts that program without its bind monitor (whose
// NO_NEW_PRIVS would cancel the capability) and the bind works. Windows has none.
#pragma once

#include <filesystem>

namespace golaunch {

// True when `executable` carries CAP_NET_BIND_SERVICE as a permitted file capability with the
// effective bit set (`setcap cap_net_bind_service=+ep`), so that exec raises it by itself.
// False when it carries none, or it cannot be read.
bool grants_net_bind_service(const std::filesystem::path& executable);

} // namespace golaunch
