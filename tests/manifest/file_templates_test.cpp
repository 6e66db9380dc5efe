// `files` templates (issue 13, item 4): checked when the manifest loads, rendered with the ports
// of a run. Errors as exact text, located in the template (or at `from` when it cannot be read).
#include "manifest/file_templates.hpp"
#include "manifest/loader.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace golaunch {
namespace {

Error error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "no error";
    return Error("no error");
}

// A manifest with one service `web` (ports http, admin) that renders `from` to .golaunch/web.conf.
std::filesystem::path write_manifest(const test::TempDir& dir, const std::string& from = "web.in") {
    return dir.write("app.toml", "version = 1\n"
                                 "[services.web]\n"
                                 "cmd = [\"true\"]\n"
                                 "ports = { http = 8080, admin = 8081 }\n"
                                 "files = [{ from = \"" +
                                     from + "\", to = \".golaunch/web.conf\" }]\n");
}

TEST(FileTemplates, UnknownReferenceIsLocatedInTheTemplateWithCaretAndHint) {
    const test::TempDir dir;
    dir.write("web.in", "# web\nlisten: \"127.0.0.1:${ports.web.htp}\"\n");
    const auto manifest = write_manifest(dir);
    const Error error = error_of([&] { load_manifest(manifest); });
    EXPECT_EQ(std::string(error.what()),
              (dir.path() / "web.in").string() +
                  ":2:20: error: unknown reference '${ports.web.htp}' in a template of service "
                  "'web'\n"
                  "    2 | listen: \"127.0.0.1:${ports.web.htp}\"\n"
                  "      |                    ^");
    EXPECT_EQ(error.hint(), "service 'web' has no port 'htp'; did you mean 'http'?");
    EXPECT_EQ(error.code(), ExitCode::usage);
}

TEST(FileTemplates, UnknownNameCountsCodePointsAndKeepsTabs) {
    const test::TempDir dir;
    dir.write("web.in", "a: 1\r\n\tnamé: ${nope}\r\n");
    const auto manifest = write_manifest(dir);
    const Error error = error_of([&] { load_manifest(manifest); });
    EXPECT_EQ(std::string(error.what()),
              (dir.path() / "web.in").string() +
                  ":2:8: error: unknown reference '${nope}' in a template of service 'web'\n"
                  "    2 | \tnamé: ${nope}\n"
                  "      | \t      ^");
    EXPECT_EQ(error.hint(),
              "write ${ports.SERVICE.NAME}, ${ports.NAME} or ${port}; $$ is a literal $");
}

TEST(FileTemplates, UnterminatedReferenceIsCutAtTheEndOfItsLine) {
    const test::TempDir dir;
    dir.write("web.in", "x = 1\ny = ${ports.http\nz = 3\n");
    const auto manifest = write_manifest(dir);
    const Error error = error_of([&] { load_manifest(manifest); });
    EXPECT_EQ(std::string(error.what()),
              (dir.path() / "web.in").string() +
                  ":2:5: error: unterminated reference '${ports.http' in a template of service "
                  "'web'\n"
                  "    2 | y = ${ports.http\n"
                  "      |     ^");
    EXPECT_EQ(error.hint(), "close the reference with '}', or write $$ for a literal $");
}

TEST(FileTemplates, MissingTemplateIsLocatedAtFrom) {
    const test::TempDir dir;
    const auto manifest = write_manifest(dir, "missing.in");
    const Error error = error_of([&] { load_manifest(manifest); });
    EXPECT_EQ(std::string(error.what()),
              manifest.string() + ":5:19: error: cannot read template 'missing.in' (" +
                  (dir.path() / "missing.in").string() +
                  ") of service 'web': No such file or directory\n"
                  "    5 | files = [{ from = \"missing.in\", to = \".golaunch/web.conf\" }]\n"
                  "      |                   ^");
    EXPECT_EQ(error.hint(), "create the template or correct 'from' (relative to the manifest)");
}

TEST(FileTemplates, ADirectoryIsNotATemplate) {
    const test::TempDir dir;
    std::filesystem::create_directory(dir.path() / "conf.d");
    const auto manifest = write_manifest(dir, "conf.d");
    const Error error = error_of([&] { load_manifest(manifest); });
    EXPECT_NE(std::string(error.what()).find(":5:19: error: cannot read template 'conf.d' ("),
              std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("not a regular file"), std::string::npos)
        << error.what();
    EXPECT_EQ(error.hint(), "a template is a regular text file of at most 16 MiB, relative to the "
                            "manifest");
}

TEST(FileTemplates, RendersThePortsOfTheRunLiterallyElsewhere) {
    const test::TempDir dir;
    dir.write("web.in", "listen ${port}\nadmin ${ports.admin}\nweb ${ports.web.http}\n"
                        "cost $$5 and $HOME\n");
    const auto manifest = load_manifest(write_manifest(dir).string());
    const ServiceSpec& web = manifest.services.front();
    ASSERT_EQ(web.files.size(), 1u);
    PortAssignments ports = declared_ports(manifest);
    ports["web"]["http"] = 18080;
    const std::string text = test::read_file(dir.path() / "web.in");
    EXPECT_EQ(render_file_template(text, template_display_name(manifest, web.files.front()), web,
                                   manifest, ports),
              "listen 18080\nadmin 8081\nweb 18080\ncost $5 and $HOME\n");
}

} // namespace
} // namespace golaunch
