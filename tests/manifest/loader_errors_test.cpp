// Manifest errors: exact text (file:line:col, the source line, a caret) and hints.
#include "manifest/loader.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace golaunch {
namespace {

// The error parse_manifest throws for `text`, as app.toml in /work/shop.
Error manifest_error(const std::string& text) {
    try {
        parse_manifest(text, "app.toml", "/work/shop");
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return Error("no error");
}

TEST(ManifestErrors, UnknownKeyWithDidYouMean) {
    const Error error = manifest_error("version = 1\n"
                                       "[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "prots = { http = 8080 }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:4:1: error: unknown key 'prots' in [services.api]\n"
              "    4 | prots = { http = 8080 }\n"
              "      | ^");
    EXPECT_EQ(error.hint(), "did you mean 'ports'?");
    EXPECT_EQ(error.code(), ExitCode::usage);
}

TEST(ManifestErrors, UnknownKeyIndentedCaretLinesUp) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "\t  prots = { http = 8080 }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:4: error: unknown key 'prots' in [services.api]\n"
              "    3 | \t  prots = { http = 8080 }\n"
              "      | \t  ^");
}

TEST(ManifestErrors, UnknownKeyWithoutCloseMatchListsValidKeys) {
    const Error error = manifest_error("[defaults]\n"
                                       "colour = \"red\"\n"
                                       "[services.api]\n"
                                       "go = \"./cmd/api\"\n");
    EXPECT_EQ(std::string(error.what()), "app.toml:2:1: error: unknown key 'colour' in [defaults]\n"
                                         "    2 | colour = \"red\"\n"
                                         "      | ^");
    EXPECT_EQ(error.hint(), "valid keys here: startup_timeout, restart, max_restarts, backoff, "
                            "stop_grace, on_port_conflict");
}

TEST(ManifestErrors, UnknownTopLevelKey) {
    const Error error = manifest_error("version = 1\n"
                                       "servics = {}\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:2:1: error: unknown key 'servics' at the top level\n"
              "    2 | servics = {}\n"
              "      | ^");
    EXPECT_EQ(error.hint(), "did you mean 'services'?");
}

TEST(ManifestErrors, WrongType) {
    const Error error = manifest_error("[defaults]\n"
                                       "max_restarts = \"5\"\n"
                                       "[services.api]\n"
                                       "go = \"./cmd/api\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:2:16: error: 'max_restarts' must be an integer, not a string\n"
              "    2 | max_restarts = \"5\"\n"
              "      |                ^");
    EXPECT_EQ(error.code(), ExitCode::usage);
}

TEST(ManifestErrors, WrongTypeInArrayElement) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "args = [\"-v\", 3]\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:15: error: 'args' must hold only strings, not an integer\n"
              "    3 | args = [\"-v\", 3]\n"
              "      |               ^");
}

TEST(ManifestErrors, TomlSyntaxError) {
    const Error error = manifest_error("version = 1\n"
                                       "[services.api]\n"
                                       "go = \"./cmd/api\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:16: error: syntax error in string: missing closing quote\n"
              "    3 | go = \"./cmd/api\n"
              "      |                ^");
    EXPECT_EQ(error.code(), ExitCode::usage);
}

TEST(ManifestErrors, TomlSyntaxErrorAtTopLevel) {
    const Error error = manifest_error("version = 1\n"
                                       "[services.api]\n"
                                       "go = ./cmd/api\n");
    EXPECT_EQ(
        std::string(error.what()),
        "app.toml:3:6: error: syntax error in floating-point: expected decimal digit, saw '.'\n"
        "    3 | go = ./cmd/api\n"
        "      |      ^");
}

TEST(ManifestErrors, MissingGoCmdOrShell) {
    const Error error = manifest_error("[services.api]\n"
                                       "ports = { http = 8080 }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:1:11: error: service 'api' needs one of go, cmd or shell\n"
              "    1 | [services.api]\n"
              "      |           ^");
    EXPECT_EQ(
        error.hint(),
        "go = \"./cmd/api\" builds a Go package; cmd = [\"program\", \"arg\"] runs a program");
}

TEST(ManifestErrors, MoreThanOneOfGoCmdShell) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "shell = \"make run\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:1: error: service 'api' sets both go and shell\n"
              "    3 | shell = \"make run\"\n"
              "      | ^");
    EXPECT_EQ(error.hint(), "use exactly one of go, cmd or shell");
}

TEST(ManifestErrors, EmptyCmd) {
    const Error error = manifest_error("[services.db]\n"
                                       "cmd = []\n");
    EXPECT_EQ(std::string(error.what()), "app.toml:2:7: error: 'cmd' must not be empty\n"
                                         "    2 | cmd = []\n"
                                         "      |       ^");
}

TEST(ManifestErrors, UnknownDependencyWithSuggestion) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "depends_on = [\"cache\", \"dbb\"]\n"
                                       "[services.db]\n"
                                       "cmd = [\"postgres\"]\n"
                                       "[services.cache]\n"
                                       "cmd = [\"redis-server\"]\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:24: error: unknown service 'dbb' in depends_on\n"
              "    3 | depends_on = [\"cache\", \"dbb\"]\n"
              "      |                        ^");
    EXPECT_EQ(error.hint(), "did you mean 'db'?");
}

TEST(ManifestErrors, DependsOnItself) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "depends_on = [\"api\"]\n");
    EXPECT_EQ(std::string(error.what()), "app.toml:3:15: error: service 'api' depends on itself\n"
                                         "    3 | depends_on = [\"api\"]\n"
                                         "      |               ^");
}

TEST(ManifestErrors, DependencyCycle) {
    const Error error = manifest_error("[services.web]\n"
                                       "go = \"./cmd/web\"\n"
                                       "[services.a]\n"
                                       "cmd = [\"a\"]\n"
                                       "depends_on = [\"b\"]\n"
                                       "[services.b]\n"
                                       "cmd = [\"b\"]\n"
                                       "depends_on = [\"c\"]\n"
                                       "[services.c]\n"
                                       "cmd = [\"c\"]\n"
                                       "depends_on = [\"a\"]\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:5:15: error: dependency cycle: a -> b -> c -> a\n"
              "    5 | depends_on = [\"b\"]\n"
              "      |               ^");
}

TEST(ManifestErrors, DuplicatePortNamesTheFirst) {
    const Error error = manifest_error("version = 1\n"
                                       "[services.db]\n"
                                       "cmd = [\"postgres\"]\n"
                                       "ports = { pg = 8080 }\n"
                                       "[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "ports = { admin = 9000, http = 8080 }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:7:32: error: port 8080 is already declared by db.pg (app.toml:4:16)\n"
              "    7 | ports = { admin = 9000, http = 8080 }\n"
              "      |                                ^");
}

TEST(ManifestErrors, BadDuration) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "stop_grace = \"5x\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:14: error: invalid duration '5x' (write e.g. 500ms, 30s or 1m30s)\n"
              "    3 | stop_grace = \"5x\"\n"
              "      |              ^");
}

TEST(ManifestErrors, BackoffInitialAboveMax) {
    const Error error = manifest_error("[defaults]\n"
                                       "backoff = { initial = \"1m\" }\n"
                                       "[services.api]\n"
                                       "go = \"./cmd/api\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:2:11: error: backoff initial (1m0s) is longer than max (30.0s)\n"
              "    2 | backoff = { initial = \"1m\" }\n"
              "      |           ^");
}

TEST(ManifestErrors, BadEnumWithDidYouMean) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "restart = \"alway\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:11: error: invalid value 'alway' for 'restart' (expected no, on-failure "
              "or always)\n"
              "    3 | restart = \"alway\"\n"
              "      |           ^");
    EXPECT_EQ(error.hint(), "did you mean 'always'?");
}

TEST(ManifestErrors, ReadyHttpMustBeAnHttpUrl) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "ready = { http = \"/health\" }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:18: error: 'ready.http' must be an http:// URL\n"
              "    3 | ready = { http = \"/health\" }\n"
              "      |                  ^");
    EXPECT_EQ(error.hint(), "e.g. http = \"http://127.0.0.1:${port}/health\" (https is not "
                            "probed: point it at a plain-HTTP port, or use exec)");
}

TEST(ManifestErrors, ReadyUnknownKind) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "ready = \"exited\"\n");
    EXPECT_EQ(std::string(error.what()), "app.toml:3:9: error: invalid value 'exited' for 'ready' "
                                         "(expected ports, exit or notify)\n"
                                         "    3 | ready = \"exited\"\n"
                                         "      |         ^");
    EXPECT_EQ(error.hint(), "did you mean 'exit'?");
}

TEST(ManifestErrors, ReadyNeedsExactlyOneProbe) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "ready = { log = \"up\", exec = [\"true\"] }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:9: error: 'ready' needs exactly one of http, log or exec\n"
              "    3 | ready = { log = \"up\", exec = [\"true\"] }\n"
              "      |         ^");
}

TEST(ManifestErrors, ReadyLogInvalidRegex) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "ready = { log = \"listening (on\" }\n");
    const std::string what = error.what();
    EXPECT_EQ(what.substr(0, what.find('\n')),
              "app.toml:3:17: error: invalid regular expression in 'ready.log': Unmatched marking "
              "parenthesis ( or \\(.")
        << what;
    EXPECT_NE(what.find("    3 | ready = { log = \"listening (on\" }\n"
                        "      |                 ^"),
              std::string::npos)
        << what;
}

TEST(ManifestErrors, ReadyStatusOutOfRange) {
    const Error error =
        manifest_error("[services.api]\n"
                       "go = \"./cmd/api\"\n"
                       "ready = { http = \"http://127.0.0.1:8080/\", status = [200, 99] }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:59: error: HTTP status 99 in 'ready.status' is not between 100 and 599\n"
              "    3 | ready = { http = \"http://127.0.0.1:8080/\", status = [200, 99] }\n"
              "      |                                                           ^");
}

TEST(ManifestErrors, ReadyExitWithPorts) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "ports = { http = 8080 }\n"
                                       "ready = \"exit\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:4:9: error: ready = \"exit\" is for a one-shot, but service 'api' "
              "declares ports\n"
              "    4 | ready = \"exit\"\n"
              "      |         ^");
}

TEST(ManifestErrors, DependsOnUnknownCondition) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "depends_on = { db = \"healthy\" }\n"
                                       "[services.db]\n"
                                       "cmd = [\"postgres\"]\n");
    EXPECT_EQ(
        std::string(error.what()),
        "app.toml:3:21: error: invalid value 'healthy' for 'depends_on.db' (expected started, "
        "ready or completed)\n"
        "    3 | depends_on = { db = \"healthy\" }\n"
        "      |                     ^");
}

TEST(ManifestErrors, DependsOnTableNamesAnUnknownService) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "depends_on = { dbb = \"ready\" }\n"
                                       "[services.db]\n"
                                       "cmd = [\"postgres\"]\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:16: error: unknown service 'dbb' in depends_on\n"
              "    3 | depends_on = { dbb = \"ready\" }\n"
              "      |                ^");
}

TEST(ManifestErrors, UnresolvedInterpolation) {
    const Error error =
        manifest_error("[services.api]\n"
                       "go = \"./cmd/api\"\n"
                       "env = { DB_URL = \"postgres://127.0.0.1:${ports.db.pgx}/shop\" }\n"
                       "[services.db]\n"
                       "cmd = [\"postgres\"]\n"
                       "ports = { pg = 5432 }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:18: error: unknown reference '${ports.db.pgx}'\n"
              "    3 | env = { DB_URL = \"postgres://127.0.0.1:${ports.db.pgx}/shop\" }\n"
              "      |                  ^");
    EXPECT_EQ(error.hint(), "service 'db' has no port 'pgx'; did you mean 'pg'?");
}

TEST(ManifestErrors, UnresolvedInterpolationInArgs) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "args = [\"-addr\", \"127.0.0.1:${port}\"]\n");
    EXPECT_EQ(std::string(error.what()), "app.toml:3:18: error: unknown reference '${port}'\n"
                                         "    3 | args = [\"-addr\", \"127.0.0.1:${port}\"]\n"
                                         "      |                  ^");
    EXPECT_EQ(error.hint(), "service 'api' declares no ports");
}

TEST(ManifestErrors, InvalidServiceName) {
    const Error error = manifest_error("[services.1api]\n"
                                       "go = \"./cmd/api\"\n");
    EXPECT_EQ(std::string(error.what()), "app.toml:1:11: error: invalid service name '1api'\n"
                                         "    1 | [services.1api]\n"
                                         "      |           ^");
}

TEST(ManifestErrors, PortOutOfRange) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "ports = { http = 70000 }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:18: error: 'ports.http' must be between 1 and 65535, not 70000\n"
              "    3 | ports = { http = 70000 }\n"
              "      |                  ^");
}

TEST(ManifestErrors, BadHostAddressAndName) {
    Error error = manifest_error("[hosts]\n"
                                 "\"api.shop.test\" = \"localhost\"\n"
                                 "[services.api]\n"
                                 "go = \"./cmd/api\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:2:19: error: invalid address 'localhost' for host 'api.shop.test'\n"
              "    2 | \"api.shop.test\" = \"localhost\"\n"
              "      |                   ^");
    error = manifest_error("[services.api]\n"
                           "go = \"./cmd/api\"\n"
                           "hosts = [\"api_shop.test\"]\n");
    EXPECT_EQ(std::string(error.what()), "app.toml:3:10: error: invalid host name 'api_shop.test'\n"
                                         "    3 | hosts = [\"api_shop.test\"]\n"
                                         "      |          ^");
}

// The project name goes into the hosts file's "# BEGIN golaunch NAME" markers, which are matched
// after trimming: a name starting or ending with a space would never find its own block again.
TEST(ManifestErrors, NameWithLeadingOrTrailingSpace) {
    Error error = manifest_error("version = 1\n"
                                 "name = \" shop\"\n"
                                 "[services.api]\n"
                                 "go = \"./cmd/api\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:2:8: error: 'name' must not start or end with a space\n"
              "    2 | name = \" shop\"\n"
              "      |        ^");
    EXPECT_EQ(error.hint(), "the name marks the project's block in the hosts file; write "
                            "name = \"shop\"");
    EXPECT_EQ(error.code(), ExitCode::usage);
    error = manifest_error("name = 'my shop  '\n"
                           "[services.api]\n"
                           "go = \"./cmd/api\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:1:8: error: 'name' must not start or end with a space\n"
              "    1 | name = 'my shop  '\n"
              "      |        ^");
    EXPECT_EQ(error.hint(), "the name marks the project's block in the hosts file; write "
                            "name = \"my shop\"");
    error = manifest_error("name = \"   \"\n"
                           "[services.api]\n"
                           "go = \"./cmd/api\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:1:8: error: 'name' must be a non-empty single line\n"
              "    1 | name = \"   \"\n"
              "      |        ^");
}

TEST(ManifestErrors, UnsupportedVersion) {
    const Error error = manifest_error("version = 2\n");
    EXPECT_EQ(std::string(error.what()), "app.toml:1:11: error: unsupported manifest version 2\n"
                                         "    1 | version = 2\n"
                                         "      |           ^");
}

TEST(ManifestErrors, NoServices) {
    EXPECT_EQ(std::string(manifest_error("version = 1\n").what()),
              "app.toml: error: no services defined");
    EXPECT_EQ(std::string(manifest_error("version = 1\n[services]\n").what()),
              "app.toml:2:1: error: no services defined\n"
              "    2 | [services]\n"
              "      | ^");
}

TEST(ManifestErrors, CaretCountsCodePointsNotBytes) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "args = [\"é\", 1]\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:14: error: 'args' must hold only strings, not an integer\n"
              "    3 | args = [\"é\", 1]\n"
              "      |              ^");
}

TEST(ManifestErrors, MissingFile) {
    try {
        load_manifest("/nonexistent-golaunch-dir/app.toml");
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()),
                  "cannot read /nonexistent-golaunch-dir/app.toml: No such file or directory");
        EXPECT_EQ(error.hint(), "run golaunch in the directory that holds golaunch.toml or "
                                "app.toml, or name the manifest");
        EXPECT_EQ(error.code(), ExitCode::usage);
    }
}

// Issue 13, item 5: an env key golaunch sets itself is an error, never silently overridden.
TEST(ManifestErrors, EnvPortIsSetByGolaunch) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "env = { PORT = \"1\" }\n"
                                       "ports = { http = 8080 }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:9: error: env 'PORT' would be overridden: golaunch sets PORT to the "
              "first port of service 'api' (http)\n"
              "    3 | env = { PORT = \"1\" }\n"
              "      |         ^");
    EXPECT_EQ(error.hint(), "use another name: golaunch sets PORT and PORT_<NAME> for the "
                            "service's ports itself, and ${ports.NAME} puts a port into any "
                            "env value or argument");
    EXPECT_EQ(error.code(), ExitCode::usage);
}

TEST(ManifestErrors, EnvPortOfANamedPortIsSetByGolaunch) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "ports = { http = 8080, admin-ui = 8081 }\n"
                                       "[services.api.env]\n"
                                       "PORT_HTTPS = \"1\"\n"
                                       "PORT_ADMIN_UI = \"31110\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:6:1: error: env 'PORT_ADMIN_UI' would be overridden: golaunch sets "
              "PORT_ADMIN_UI to port 'admin-ui' of service 'api'\n"
              "    6 | PORT_ADMIN_UI = \"31110\"\n"
              "      | ^");
}

TEST(ManifestErrors, EnvGolaunchNamesAreReserved) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "env = { A = \"1\", GOLAUNCH_SERVICE = \"web\" }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:18: error: env 'GOLAUNCH_SERVICE' is reserved: golaunch sets "
              "GOLAUNCH_SERVICE, GOLAUNCH_PID and GOLAUNCH_PROJECT in every process it starts\n"
              "    3 | env = { A = \"1\", GOLAUNCH_SERVICE = \"web\" }\n"
              "      |                  ^");
    EXPECT_EQ(error.hint(), "use another name: names starting with GOLAUNCH_ are golaunch's own");
}

TEST(ManifestErrors, EnvPortIsFreeForAServiceWithoutPorts) {
    const Manifest manifest = parse_manifest("[services.job]\n"
                                             "cmd = [\"true\"]\n"
                                             "env = { PORT = \"1\", PORT_HTTP = \"2\" }\n",
                                             "app.toml", "/work/shop");
    EXPECT_EQ(manifest.services.front().env.at("PORT"), "1");
}

TEST(ManifestErrors, FilesEntryNeedsFromAndTo) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "files = [{ to = \".golaunch/api.conf\" }]\n");
    EXPECT_EQ(std::string(error.what()), "app.toml:3:10: error: 'files' entry needs 'from'\n"
                                         "    3 | files = [{ to = \".golaunch/api.conf\" }]\n"
                                         "      |          ^");
    EXPECT_EQ(error.hint(),
              "e.g. files = [{ from = \"api.conf.in\", to = \".golaunch/api.conf\" }]");
}

TEST(ManifestErrors, FilesEntryUnknownKey) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "files = [{ form = \"a.in\", to = \"a\" }]\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:12: error: unknown key 'form' in a 'files' entry\n"
              "    3 | files = [{ form = \"a.in\", to = \"a\" }]\n"
              "      |            ^");
    EXPECT_EQ(error.hint(), "did you mean 'from'?");
}

TEST(ManifestErrors, FilesEntryMustBeATable) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "files = [\"a.in\"]\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:10: error: 'files' must hold only tables, not a string\n"
              "    3 | files = [\"a.in\"]\n"
              "      |          ^");
}

TEST(ManifestErrors, FilesTargetMustStayInsideTheProject) {
    for (const std::string to : {"../out.conf", "/etc/out.conf", "a/../../out.conf", ".", "a/.."}) {
        const std::string line = "files = [{ from = \"a.in\", to = \"" + to + "\" }]";
        const Error error = manifest_error("[services.api]\ngo = \"./cmd/api\"\n" + line + "\n");
        EXPECT_EQ(std::string(error.what()),
                  "app.toml:3:32: error: 'to' must name a file inside the project directory, "
                  "not '" +
                      to + "'\n    3 | " + line + "\n      |                                ^")
            << to;
        EXPECT_EQ(error.hint(),
                  "write a path relative to the manifest, e.g. to = \".golaunch/api.conf\"");
    }
}

TEST(ManifestErrors, FilesTargetWrittenTwice) {
    const Error error =
        manifest_error("[services.api]\n"
                       "go = \"./cmd/api\"\n"
                       "files = [{ from = \"a.in\", to = \"out/a.conf\" }]\n"
                       "[services.web]\n"
                       "go = \"./cmd/web\"\n"
                       "files = [{ from = \"b.in\", to = \"out/../out/a.conf\" }]\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:6:32: error: 'out/../out/a.conf' is already written by service 'api' "
              "(app.toml:3:32)\n"
              "    6 | files = [{ from = \"b.in\", to = \"out/../out/a.conf\" }]\n"
              "      |                                ^");
    EXPECT_EQ(error.hint(), "give each generated file its own 'to'");
}

TEST(ManifestErrors, FilesTargetWouldOverwriteATemplate) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "files = [{ from = \"a.conf\", to = \"./a.conf\" }]\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:34: error: './a.conf' is the template 'a.conf' (app.toml:3:19); "
              "golaunch would overwrite it\n"
              "    3 | files = [{ from = \"a.conf\", to = \"./a.conf\" }]\n"
              "      |                                  ^");
    EXPECT_EQ(error.hint(), "write the generated file elsewhere, e.g. to = \".golaunch/a.conf\"");
}

TEST(ManifestErrors, WatchIsForGoServices) {
    const Error error = manifest_error("[services.db]\n"
                                       "cmd = [\"postgres\"]\n"
                                       "watch = true\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:9: error: watch is for go services, but service 'db' sets cmd\n"
              "    3 | watch = true\n"
              "      |         ^");
    EXPECT_EQ(error.hint(), "golaunch rebuilds and restarts a `go = \"...\"` service when its "
                            "sources change; `golaunch restart db` restarts any service");
}

TEST(ManifestErrors, WatchIsTrueFalseOrGlobs) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "watch = \"yes\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:9: error: watch must be true, false or a list of globs, not a string\n"
              "    3 | watch = \"yes\"\n"
              "      |         ^");
    const auto manifest = parse_manifest("[services.api]\ngo = \"./cmd/api\"\n"
                                         "watch = [\"templates/**\"]\n",
                                         "app.toml", "/work/shop");
    EXPECT_TRUE(manifest.services.at(0).watch);
    EXPECT_EQ(manifest.services.at(0).watch_globs, std::vector<std::string>{"templates/**"});
}

TEST(ManifestErrors, BuildOptionsAreForGoServices) {
    const Error error = manifest_error("[services.db]\n"
                                       "cmd = [\"postgres\"]\n"
                                       "build_flags = [\"-race\"]\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:15: error: build_flags, build_env and watch_* are for go services, but "
              "service 'db' sets cmd\n"
              "    3 | build_flags = [\"-race\"]\n"
              "      |               ^");
}

} // namespace
} // namespace golaunch
