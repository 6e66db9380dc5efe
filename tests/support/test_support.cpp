// The portable half of the test support (temp dirs, files, fixtures); the sockets and child
// processes are in test_support-linux.cpp / test_support-win32.cpp.
#include "support/test_support.hpp"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace golaunch::test {

TempDir::TempDir() {
    std::random_device random;
    const auto base = std::filesystem::temp_directory_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto candidate = base / ("golaunch-test-" + std::to_string(random()));
        if (std::filesystem::create_directory(candidate)) {
            m_path = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temp dir");
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& content) const {
    const auto file = m_path / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << content;
    return file;
}

std::vector<std::uint16_t> pick_free_ports(std::size_t count) {
    std::vector<std::uint16_t> ports;
    for (int attempt = 0; ports.size() < count && attempt < 100; ++attempt) {
        const auto port = pick_free_port();
        if (std::find(ports.begin(), ports.end(), port) == ports.end()) {
            ports.push_back(port);
        }
    }
    if (ports.size() < count) {
        throw std::runtime_error("could not pick distinct free ports");
    }
    return ports;
}

std::string toml_quoted(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

std::string fixture(const std::string& name) {
    return std::string(GOLAUNCH_FIXTURE_DIR) + "/" + name + GOLAUNCH_EXE_SUFFIX;
}

std::string golaunch_binary() {
    return GOLAUNCH_BINARY;
}

std::filesystem::path test_tools() {
    return std::filesystem::path(GOLAUNCH_SOURCE_DIR) / "tests" / "tools";
}

FixtureServer::FixtureServer(const std::vector<std::string>& extra_env, const std::string& name)
    : port(pick_free_port()) {
    const auto pidfile = dir.path() / "server.pid";
    child = std::make_unique<ChildProcess>(
        std::vector<std::string>{fixture("httpserver"), "-name", name, "-addr",
                                 "127.0.0.1:" + std::to_string(port), "-pidfile", pidfile.string()},
        (dir.path() / "out.log").string(), extra_env);
    if (eventually([&] { return std::filesystem::exists(pidfile); }, std::chrono::seconds(10))) {
        pid = std::stoi(read_file(pidfile));
    }
}

std::string http_get(std::uint16_t port, const std::string& path) {
    const std::string response =
        http_exchange(port, "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    const auto body = response.find("\r\n\r\n");
    return body == std::string::npos ? "" : response.substr(body + 4);
}

std::string dashboard_get(const std::string& url, const std::string& path, bool with_token) {
    const std::string lead = "http://127.0.0.1:";
    const auto slash = url.find('/', lead.size());
    const auto token = url.find("token=");
    if (url.rfind(lead, 0) != 0 || slash == std::string::npos || token == std::string::npos) {
        return "";
    }
    const auto port = static_cast<std::uint16_t>(std::stoi(url.substr(lead.size())));
    const std::string target =
        path +
        (with_token ? (path.find('?') == std::string::npos ? "?" : "&") + url.substr(token) : "");
    return http_exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                                   std::to_string(port) + "\r\nConnection: close\r\n\r\n");
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::vector<std::string> files_in(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

pid_t wait_for_pidfile(const std::filesystem::path& file, std::chrono::milliseconds timeout) {
    pid_t pid = 0;
    eventually(
        [&] {
            std::ifstream in(file);
            return static_cast<bool>(in >> pid) && pid > 0;
        },
        timeout);
    return pid > 0 ? pid : 0;
}

} // namespace golaunch::test
