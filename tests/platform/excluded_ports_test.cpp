// netsh's excluded port ranges and dynamic port range, parsed by numbers only, from outputs
// laid out as Windows prints them (tests/data/netsh: English, German cp850, Japanese cp932,
// French cp850) and from garbage.
#include "platform/excluded_ports.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace golaunch {
namespace {

std::string recorded(const std::string& name) {
    std::ifstream in(std::string(GOLAUNCH_SOURCE_DIR) + "/tests/data/netsh/" + name,
                     std::ios::binary);
    EXPECT_TRUE(in) << name;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

ExcludedPortRange range(std::uint16_t first, std::uint16_t last, bool administered,
                        AddressFamily family = AddressFamily::ipv4) {
    return {family, {first, last}, administered};
}

TEST(ExcludedPorts, ParsesTheEnglishOutput) {
    const auto ranges =
        parse_excluded_port_ranges(recorded("excludedportrange-ipv4-en.txt"), AddressFamily::ipv4);
    const std::vector<ExcludedPortRange> expected{
        range(1080, 1179, false), range(5357, 5357, false), range(50000, 50059, true)};
    EXPECT_EQ(ranges, expected);
}

TEST(ExcludedPorts, ParsesLocalizedOutputsInTheirCodePages) {
    const auto german =
        parse_excluded_port_ranges(recorded("excludedportrange-ipv4-de.txt"), AddressFamily::ipv4);
    const std::vector<ExcludedPortRange> german_expected{
        range(2869, 2869, false), range(8005, 8104, false), range(50000, 50059, true)};
    EXPECT_EQ(german, german_expected);

    const auto japanese =
        parse_excluded_port_ranges(recorded("excludedportrange-ipv4-ja.txt"), AddressFamily::ipv4);
    const std::vector<ExcludedPortRange> japanese_expected{range(7890, 7989, false),
                                                           range(50000, 50059, true)};
    EXPECT_EQ(japanese, japanese_expected);

    const auto french =
        parse_excluded_port_ranges(recorded("excludedportrange-ipv6-fr.txt"), AddressFamily::ipv6);
    const std::vector<ExcludedPortRange> french_expected{
        range(3000, 3099, false, AddressFamily::ipv6)};
    EXPECT_EQ(french, french_expected);
}

TEST(ExcludedPorts, IgnoresGarbageAndImpossibleRanges) {
    EXPECT_TRUE(parse_excluded_port_ranges("", AddressFamily::ipv4).empty());
    EXPECT_TRUE(parse_excluded_port_ranges("The following command was not found: interface "
                                           "ipv4 show excludedportrange.\r\n",
                                           AddressFamily::ipv4)
                    .empty());
    const std::string garbage = "  9000   8000\n"       // start above end
                                "  70000  70010\n"      // above 65535
                                "  0      10\n"         // port 0
                                "  100    200   x\n"    // a third word that is not *
                                "  100    200   *  *\n" // too many words
                                "  1e3    2000\n"       // not decimal
                                "  -5     10\n"
                                "  123456 123457\n"
                                "\x01\x02\xff 10 20\n"
                                "  4000   4010\r\n"; // the one good line
    const auto ranges = parse_excluded_port_ranges(garbage, AddressFamily::ipv4);
    ASSERT_EQ(ranges.size(), 1U);
    EXPECT_EQ(ranges[0], range(4000, 4010, false));
}

TEST(ExcludedPorts, ParsesTheDynamicPortRangeInEveryLanguage) {
    const auto english = parse_dynamic_port_range(recorded("dynamicport-en.txt"));
    ASSERT_TRUE(english);
    EXPECT_EQ(*english, (PortRange{49152, 65535}));
    const auto german = parse_dynamic_port_range(recorded("dynamicport-de.txt"));
    ASSERT_TRUE(german);
    EXPECT_EQ(*german, (PortRange{1025, 65535}));
    const auto french = parse_dynamic_port_range(recorded("dynamicport-fr.txt"));
    ASSERT_TRUE(french);
    EXPECT_EQ(*french, (PortRange{49152, 65535}));
}

TEST(ExcludedPorts, RejectsDynamicRangesThatAreNotTwoSaneNumbers) {
    EXPECT_FALSE(parse_dynamic_port_range(""));
    EXPECT_FALSE(parse_dynamic_port_range("Start Port : 49152\r\n"));
    EXPECT_FALSE(parse_dynamic_port_range("a : 1\r\nb : 2\r\nc : 3\r\n"));
    EXPECT_FALSE(parse_dynamic_port_range("Start Port : 60000\r\nNumber of Ports : 16384\r\n"))
        << "60000 + 16384 runs past 65535";
    EXPECT_FALSE(parse_dynamic_port_range("Start Port : 49152\r\nNumber of Ports : 0\r\n"));
    EXPECT_FALSE(parse_dynamic_port_range("Start Port : x\r\nNumber of Ports : 10\r\n"));
    const auto spaced = parse_dynamic_port_range("Port :  2000 \nPorts:100");
    ASSERT_TRUE(spaced);
    EXPECT_EQ(*spaced, (PortRange{2000, 2099}));
}

TEST(ExcludedPorts, FindsTheRangeOfAPortAndNamesTheAdminCommands) {
    const std::vector<ExcludedPortRange> ranges{range(1080, 1179, false),
                                                range(50000, 50059, true)};
    ASSERT_NE(find_excluded_range(ranges, 1080), nullptr);
    EXPECT_EQ(find_excluded_range(ranges, 1179)->range.first, 1080);
    EXPECT_TRUE(find_excluded_range(ranges, 50059)->administered);
    EXPECT_EQ(find_excluded_range(ranges, 1180), nullptr);
    EXPECT_EQ(range_text({5357, 5357}), "5357");
    EXPECT_EQ(range_text({1080, 1179}), "1080-1179");
    const auto commands = excluded_range_admin_commands(1100);
    ASSERT_EQ(commands.size(), 4U);
    EXPECT_EQ(commands[0], "net stop winnat");
    EXPECT_EQ(commands[1],
              "netsh int ipv4 add excludedportrange protocol=tcp startport=1100 numberofports=1");
    EXPECT_EQ(commands[2], "net start winnat");
    EXPECT_EQ(commands[3], "netsh int ipv4 set dynamic tcp start=49152 num=16384");
}

} // namespace
} // namespace golaunch
