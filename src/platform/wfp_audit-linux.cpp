#include "platform/wfp_audit.hpp"

namespace golaunch {

WfpAudit read_wfp_blocks(const std::string&, std::chrono::seconds) {
    WfpAudit audit;
    audit.unread = "no Windows Security log on Linux";
    return audit;
}

} // namespace golaunch
