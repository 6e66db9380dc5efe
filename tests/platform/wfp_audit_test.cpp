// Event 5155 as Windows renders it (EvtRenderEventXml), and matching its NT device path to the
// exe golaunch started.
#include "platform/wfp_audit.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

const std::string k_event =
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Microsoft-Windows-Security-Auditing' "
    "Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/><EventID>5155</EventID><Version>0</Version>"
    "<Level>0</Level><Task>12810</Task><Opcode>0</Opcode><Keywords>0x8010000000000000</Keywords>"
    "<TimeCreated SystemTime='2026-12-06T03:50:01.1234567Z'/><EventRecordID>81234</EventRecordID>"
    "<Correlation/><Execution ProcessID='4' ThreadID='9912'/><Channel>Security</Channel>"
    "<Computer>DEVBOX</Computer><Security/></System><EventData>"
    "<Data Name='ProcessId'>7420</Data>"
    "<Data Name='Application'>\\device\\harddiskvolume3\\work\\shop\\.golaunch\\bin\\api.exe</Data>"
    "<Data Name='SourceAddress'>0.0.0.0</Data><Data Name='SourcePort'>8080</Data>"
    "<Data Name='Protocol'>6</Data><Data Name='FilterRTID'>68412</Data>"
    "<Data Name='LayerName'>%%14609</Data><Data Name='LayerRTID'>38</Data></EventData></Event>";

TEST(WfpAudit, ParsesEvent5155) {
    const auto event = parse_wfp_block_event(k_event);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->time, "2026-12-06T03:50:01.1234567Z");
    EXPECT_EQ(event->pid, 7420u);
    EXPECT_EQ(event->application, "\\device\\harddiskvolume3\\work\\shop\\.golaunch\\bin\\api.exe");
    EXPECT_EQ(event->address, "0.0.0.0");
    EXPECT_EQ(event->port, 8080);
    EXPECT_EQ(event->protocol, 6);
}

TEST(WfpAudit, OtherEventsAndJunkAreNotBlocks) {
    std::string other = k_event;
    other.replace(other.find("5155"), 4, "5156");
    EXPECT_FALSE(parse_wfp_block_event(other));
    EXPECT_FALSE(parse_wfp_block_event(""));
    EXPECT_FALSE(parse_wfp_block_event("<EventID>5155"));
    const auto bare = parse_wfp_block_event("<Event><System><EventID>5155</EventID></System>"
                                            "<EventData><Data Name=\"SourcePort\">99999</Data>"
                                            "<Data Name='Application'/></EventData></Event>");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->port, 0) << "out of range";
    EXPECT_TRUE(bare->application.empty());
}

TEST(WfpAudit, MatchesTheExeByItsPathAfterTheVolume) {
    const auto event = *parse_wfp_block_event(k_event);
    EXPECT_TRUE(names_exe(event, "C:\\work\\shop\\.golaunch\\bin\\api.exe"));
    EXPECT_TRUE(names_exe(event, "D:/Work/Shop/.golaunch/bin/API.exe"));
    EXPECT_FALSE(names_exe(event, "C:\\work\\shop\\.golaunch\\bin\\web.exe"));
    EXPECT_FALSE(names_exe(event, "C:\\shop\\.golaunch\\bin\\api.exe"));
    EXPECT_FALSE(names_exe(event, "api.exe"));
    WfpBlockEvent deeper = event;
    deeper.application = "\\device\\harddiskvolume3\\other\\work\\shop\\.golaunch\\bin\\api.exe";
    EXPECT_FALSE(names_exe(deeper, "C:\\work\\shop\\.golaunch\\bin\\api.exe"));
}

} // namespace
} // namespace golaunch
