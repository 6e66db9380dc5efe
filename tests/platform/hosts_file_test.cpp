#include "platform/hosts_file.hpp"
#include "platform/hosts_path.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

std::vector<std::string> addresses(const HostsFile& file, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& found : file.lookup(name)) {
        out.push_back(found.address + "@" + std::to_string(found.line));
    }
    return out;
}

TEST(HostsFile, ReadsCommentsTabsCrlfAndNoFinalNewline) {
    const auto file = parse_hosts("# a comment line\r\n"
                                  "127.0.0.1\tlocalhost\r\n"
                                  "\r\n"
                                  "  ::1   localhost  ip6-localhost # trailing comment\r\n"
                                  "10.0.0.5 api.shop.test\tAPI # x\r\n"
                                  "#127.0.0.2 commented.test\r\n"
                                  "192.168.1.1 last.test");
    EXPECT_EQ(addresses(file, "localhost"), (std::vector<std::string>{"127.0.0.1@2", "::1@4"}));
    EXPECT_EQ(addresses(file, "ip6-localhost"), std::vector<std::string>{"::1@4"});
    EXPECT_EQ(addresses(file, "api"), std::vector<std::string>{"10.0.0.5@5"});
    EXPECT_TRUE(file.lookup("commented.test").empty());
    EXPECT_EQ(addresses(file, "last.test"), std::vector<std::string>{"192.168.1.1@7"});
    EXPECT_EQ(file.lines().size(), 4u);
}

TEST(HostsFile, LookupIgnoresCaseAndTrailingDotKeepsFileOrder) {
    const auto file = parse_hosts("10.0.0.1 Api.Shop.Test.\n"
                                  "127.0.0.1 api.shop.test other\n"
                                  "::1 API.SHOP.TEST\n");
    EXPECT_EQ(addresses(file, "api.shop.test."),
              (std::vector<std::string>{"10.0.0.1@1", "127.0.0.1@2", "::1@3"}));
    EXPECT_TRUE(file.lookup("shop.test").empty());
}

TEST(HostsFile, SkipsLinesWithoutNamesOrWithInvalidAddresses) {
    const auto file = parse_hosts("127.0.0.1\n"
                                  "127.0.0.l typo.test\n"
                                  "999.1.1.1 bad.test\n"
                                  "127.0.0.1 good.test\n");
    EXPECT_TRUE(file.lookup("typo.test").empty());
    EXPECT_TRUE(file.lookup("bad.test").empty());
    EXPECT_EQ(addresses(file, "good.test"), std::vector<std::string>{"127.0.0.1@4"});
    ASSERT_EQ(file.invalid_lines().size(), 2u);
    EXPECT_EQ(file.invalid_lines()[0]->line, 2);
    EXPECT_EQ(file.invalid_lines()[1]->address, "999.1.1.1");
}

TEST(HostsFile, EmptyAndCommentOnlyTextHaveNoEntries) {
    EXPECT_TRUE(parse_hosts("").lines().empty());
    EXPECT_TRUE(parse_hosts("\n\n# only\n   \t\n").lines().empty());
}

TEST(HostsFile, AddressesCompareWhateverTheSpelling) {
    EXPECT_TRUE(same_address("::1", "0:0:0:0:0:0:0:1"));
    EXPECT_TRUE(same_address("127.0.0.1", "127.0.0.1"));
    EXPECT_FALSE(same_address("127.0.0.1", "::1"));
    EXPECT_FALSE(same_address("127.0.0.1", "127.0.0.2"));
    EXPECT_FALSE(same_address("nonsense", "nonsense"));
    EXPECT_EQ(normalized_address("2001:DB8::0:1"), "2001:db8::1");
    EXPECT_EQ(normalized_address("localhost"), "");
}

TEST(HostsFile, ReadsARealFileAndReportsAMissingOne) {
    test::TempDir dir;
    const auto path = dir.write("hosts", "127.0.0.1 localhost\n127.0.0.1 api.shop.test\n");
    std::string error;
    const auto file = read_hosts_file(path, &error);
    ASSERT_TRUE(file.has_value()) << error;
    EXPECT_EQ(addresses(*file, "api.shop.test"), std::vector<std::string>{"127.0.0.1@2"});

    const auto missing = read_hosts_file(dir.path() / "nope", &error);
    EXPECT_FALSE(missing.has_value());
    EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

} // namespace
} // namespace golaunch
