// libFuzzer target for the manifest loader: bytes -> parse_manifest (TOML syntax, validation,
// ${...} reference checks), then on success every later manifest step (dependency order,
// declared ports, interpolation of args/env/cmd/shell); the same bytes also go through the
// .env parser. Every input must end in success or a golaunch::Error naming the file; anything
// else (another exception type, an unlocated error, a throw after a successful load) aborts.
#include "manifest/dependency_order.hpp"
#include "manifest/env_file.hpp"
#include "manifest/interpolate.hpp"
#include "manifest/loader.hpp"
#include "util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

namespace {

constexpr const char* k_manifest_name = "fuzz.toml";
constexpr const char* k_env_name = "fuzz.env";

[[noreturn]] void die(const char* what, const std::string& detail) {
    std::fprintf(stderr, "manifest_fuzzer: %s: %s\n", what, detail.c_str());
    std::abort();
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

// A manifest error is located ("fuzz.toml:LINE:COL: error: ..." or "fuzz.toml: error: ...")
// and a usage error (exit code 2).
void check_manifest_error(const golaunch::Error& error) {
    const std::string_view message = error.what();
    const std::string prefix = std::string(k_manifest_name) + ":";
    if (!error.is_located() || error.code() != golaunch::ExitCode::usage ||
        !starts_with(message, prefix) || message.find(" error: ") == std::string_view::npos) {
        die("manifest error without file:line:col", std::string(message));
    }
}

// An .env error names the file and line: "fuzz.env:3: expected KEY=VALUE".
void check_env_error(const golaunch::Error& error) {
    const std::string_view message = error.what();
    if (error.code() != golaunch::ExitCode::usage ||
        !starts_with(message, std::string(k_env_name) + ":")) {
        die("env file error without file:line", std::string(message));
    }
}

// After a successful load nothing may throw: validation promised every reference resolves and
// there is no dependency cycle.
void use_loaded_manifest(const golaunch::Manifest& manifest) {
    const auto order = golaunch::dependency_order(manifest);
    if (order.size() != manifest.services.size()) {
        die("dependency order", "lost services");
    }
    const auto ports = golaunch::declared_ports(manifest);
    for (const auto& service : manifest.services) {
        (void)golaunch::dependency_order(manifest, {service.name});
        const auto expand = [&](const std::string& text) {
            (void)golaunch::interpolate(text, service.name, ports);
        };
        for (const auto& arg : service.args) {
            expand(arg);
        }
        for (const auto& part : service.cmd) {
            expand(part);
        }
        for (const auto& entry : service.env) {
            expand(entry.second);
        }
        expand(service.shell);
    }
}

void fuzz_manifest(std::string_view text) {
    golaunch::Manifest manifest;
    try {
        manifest = golaunch::parse_manifest(text, k_manifest_name, "/nonexistent/fuzz");
    } catch (const golaunch::Error& error) {
        check_manifest_error(error);
        return;
    } catch (const std::exception& error) {
        die("parse_manifest threw a non-golaunch exception", error.what());
    } catch (...) {
        die("parse_manifest threw", "an unknown exception");
    }
    try {
        use_loaded_manifest(manifest);
    } catch (const std::exception& error) {
        die("a loaded manifest failed later", error.what());
    } catch (...) {
        die("a loaded manifest failed later", "an unknown exception");
    }
}

void fuzz_env_file(std::string_view text) {
    try {
        (void)golaunch::parse_env_file(text, k_env_name);
    } catch (const golaunch::Error& error) {
        check_env_error(error);
    } catch (const std::exception& error) {
        die("parse_env_file threw a non-golaunch exception", error.what());
    } catch (...) {
        die("parse_env_file threw", "an unknown exception");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz_manifest(text);
    fuzz_env_file(text);
    return 0;
}
