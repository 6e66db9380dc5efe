// The pure part of `golaunch init`: ports guessed from Go source, Procfile lines, the text.
#include "manifest/manifest_init.hpp"

#include "util/error.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

TEST(GuessPort, ReadsAListenAddressLiteralWithItsLine) {
    const auto guess = guess_port("package main\n\nimport \"net/http\"\n\nfunc main() {\n"
                                  "\t// http.ListenAndServe(\":1111\", nil) was the old one\n"
                                  "\thttp.ListenAndServe(\"127.0.0.1:18080\", nil)\n}\n");
    ASSERT_TRUE(guess);
    EXPECT_EQ(guess->port, 18080); // the commented-out literal is skipped
    EXPECT_EQ(guess->line, 7);
    EXPECT_EQ(guess->evidence, "\"127.0.0.1:18080\"");
    EXPECT_FALSE(guess->reads_env_port);
    EXPECT_EQ(guess->flag, "");
}

TEST(GuessPort, NamesTheAddressFlagWhoseDefaultItIs) {
    const auto guess =
        guess_port("addr := flag.String(\"listen\", \"127.0.0.1:8088\", \"address\")\n");
    ASSERT_TRUE(guess);
    EXPECT_EQ(guess->port, 8088);
    EXPECT_EQ(guess->flag, "listen");
    EXPECT_TRUE(guess->flag_is_address);
}

TEST(GuessPort, ReadingPortWithoutAFallbackIsPortZero) {
    const auto guess = guess_port("addr := \"127.0.0.1:\" + os.Getenv(\"PORT\")\n");
    ASSERT_TRUE(guess);
    EXPECT_EQ(guess->port, 0);
    EXPECT_TRUE(guess->reads_env_port);
}

TEST(GuessPort, ReadsAPortFlagsDefault) {
    const auto guess = guess_port("var port = flag.Int(\"port\", 9191, \"listen port\")\n");
    ASSERT_TRUE(guess);
    EXPECT_EQ(guess->port, 9191);
    EXPECT_EQ(guess->evidence, "flag \"port\" defaults to 9191");
    EXPECT_EQ(guess->flag, "port");
    EXPECT_FALSE(guess->flag_is_address);
}

TEST(GuessPort, ReadsTheFallbackOfGetenvPort) {
    const auto guess = guess_port("port := os.Getenv(\"PORT\")\nif port == \"\" {\n"
                                  "\tport = \"3000\"\n}\nhttp.ListenAndServe(\":\"+port, nil)\n");
    ASSERT_TRUE(guess);
    EXPECT_EQ(guess->port, 3000);
    EXPECT_EQ(guess->line, 3);
    EXPECT_TRUE(guess->reads_env_port);
}

TEST(GuessPort, NothingWithoutAPortAndNothingOutOfRange) {
    EXPECT_FALSE(guess_port("fmt.Println(\"a:b\", `raw\n:80x`, ':', \"host.example:8080\")\n"));
    EXPECT_FALSE(guess_port("http.ListenAndServe(\":70000\", nil)\n"));
    EXPECT_FALSE(guess_port("flag.String(\"report\", \"x\", \"\")\n"));
}

TEST(InitServiceName, LastPathElementMadeValidAndUnique) {
    std::vector<std::string> taken;
    EXPECT_EQ(init_service_name("example.com/shop/cmd/api", taken), "api");
    EXPECT_EQ(init_service_name("example.com/other/api", taken), "api-2");
    EXPECT_EQ(init_service_name("example.com/x/2fa", taken), "svc-2fa");
    EXPECT_EQ(init_service_name("example.com/x/my.tool", taken), "my-tool");
}

TEST(Procfile, ForemanPortsOnlyForCommandsThatUsePort) {
    const auto services = parse_procfile("# comment\n\nweb: bundle exec puma -p $PORT\r\n"
                                         "worker: sidekiq -q ${QUEUE}\n"
                                         "admin: ./admin --listen :${PORT}\n",
                                         "Procfile", 5000);
    ASSERT_EQ(services.size(), 3U);
    EXPECT_EQ(services[0].name, "web");
    EXPECT_EQ(services[0].shell, "bundle exec puma -p $PORT");
    EXPECT_EQ(services[0].port, 5000);
    EXPECT_FALSE(services[1].port);
    EXPECT_EQ(services[2].port, 5200); // the third process: base + 200, as foreman
}

TEST(Procfile, ABadLineIsALocatedErrorWithAHint) {
    try {
        parse_procfile("web: ./server\n  worker ./work\n", "Procfile", 5000);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_TRUE(error.is_located());
        EXPECT_NE(std::string(error.what()).find("Procfile:2:3: error: not a Procfile line"),
                  std::string::npos)
            << error.what();
        EXPECT_NE(error.hint().find("NAME: COMMAND"), std::string::npos);
    }
    EXPECT_THROW(parse_procfile("1web: x\n", "Procfile", 5000), Error);
    EXPECT_THROW(parse_procfile("web: x\nweb: y\n", "Procfile", 5000), Error);
    EXPECT_THROW(parse_procfile("web:\n", "Procfile", 5000), Error);
    EXPECT_THROW(parse_procfile("# nothing\n", "Procfile", 5000), Error);
}

TEST(InitManifest, SchemaLineFirstAndDollarsLeftForTheShell) {
    InitService web;
    web.name = "web";
    web.shell = "exec ./server -addr 127.0.0.1:$PORT \"quoted\"";
    web.port = 5000;
    web.port_comment = "$PORT, as foreman numbers it";
    InitService api;
    api.name = "api";
    api.go_package = "./cmd/api";
    api.comment = "No port found";
    const auto text = render_init_manifest("shop", "./.golaunch/golaunch.schema.json",
                                           "from Procfile", {web, api});
    EXPECT_EQ(text.rfind("#:schema ./.golaunch/golaunch.schema.json\n", 0), 0U) << text;
    EXPECT_NE(text.find("shell = \"exec ./server -addr 127.0.0.1:$$PORT \\\"quoted\\\"\"\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("ports = { http = 5000 } # $PORT, as foreman numbers it\n"),
              std::string::npos);
    EXPECT_NE(text.find("# No port found\n[services.api]\ngo = \"./cmd/api\"\n"), std::string::npos)
        << text;
}

} // namespace
} // namespace golaunch
