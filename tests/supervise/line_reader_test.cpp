// LineReader on a real pipe: lines, CRLF, and a line longer than k_max_line split into marked
// pieces.
#include "supervise/line_reader.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <unistd.h>

#include <thread>

namespace golaunch {
namespace {

// Everything `input` becomes, as the lines LineReader hands over.
std::vector<std::string> read_lines(const std::string& input, bool* finished) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    boost::asio::io_context io;
    std::vector<std::string> lines;
    bool eof = false;
    auto reader = std::make_shared<LineReader>(
        boost::asio::readable_pipe(io, fds[0]),
        [&](const std::string& line) { lines.push_back(line); }, [&] { eof = true; });
    std::thread writer([&] {
        std::string_view rest = input;
        while (!rest.empty()) {
            const auto n = ::write(fds[1], rest.data(), rest.size());
            if (n <= 0) {
                break;
            }
            rest.remove_prefix(static_cast<std::size_t>(n));
        }
        ::close(fds[1]);
    });
    reader->start();
    io.run();
    writer.join();
    EXPECT_TRUE(eof);
    *finished = reader->finished();
    return lines;
}

TEST(LineReader, SplitsLinesAndDropsTheCrOfCrlf) {
    bool finished = false;
    EXPECT_EQ(read_lines("one\r\ntwo\n\nlast without newline", &finished),
              (std::vector<std::string>{"one", "two", "", "last without newline"}));
    EXPECT_TRUE(finished);
}

TEST(LineReader, MarksEveryPieceOfAnOverlongLineButTheLast) {
    constexpr std::size_t max = LineReader::k_max_line;
    const std::string marker(LineReader::k_continued);
    const std::string exact(max, 'e');
    const std::string input = std::string(2 * max + 10, 'x') + "\n" + exact + "\nshort\n";
    bool finished = false;
    const auto lines = read_lines(input, &finished);
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], std::string(max, 'x') + marker);
    EXPECT_EQ(lines[1], std::string(max, 'x') + marker);
    EXPECT_EQ(lines[2], std::string(10, 'x'));
    EXPECT_EQ(lines[3], exact); // exactly k_max_line: whole, unmarked
    EXPECT_EQ(lines[4], "short");
}

} // namespace
} // namespace golaunch
