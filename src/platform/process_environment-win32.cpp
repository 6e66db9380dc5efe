// Reads another process's environment block: PEB -> RTL_USER_PROCESS_PARAMETERS ->
// Environment (+ EnvironmentSize), by ReadProcessMemory. The offsets are those of x64 Windows
// (Vista and later) and of Wine, which keeps the same layout; mingw's <winternl.h> declares
// these structures only in part, so they are named here.
#include "platform/process_environment-win32.hpp"

#include "util/wide_text.hpp"

#include <winternl.h>

namespace golaunch {

namespace {

constexpr std::size_t k_peb_process_parameters = 0x20;
constexpr std::size_t k_parameters_command_line = 0x70; // UNICODE_STRING
constexpr std::size_t k_parameters_environment = 0x80;
constexpr std::size_t k_parameters_environment_size = 0x3f0;
constexpr std::size_t k_max_environment = 1u << 20; // 1 MiB: far beyond any real block

template <typename T> bool read_remote(HANDLE process, const void* address, T& out) {
    SIZE_T done = 0;
    return ::ReadProcessMemory(process, address, &out, sizeof out, &done) && done == sizeof out;
}

std::vector<std::string> split_block(const std::wstring& block) {
    std::vector<std::string> entries;
    std::size_t start = 0;
    while (start < block.size()) {
        const auto end = block.find(L'\0', start);
        if (end == start || end == std::wstring::npos) {
            break; // the empty entry ends the block
        }
        entries.push_back(from_wide(std::wstring_view(block).substr(start, end - start)));
        start = end + 1;
    }
    return entries;
}

// The remote address of the process's RTL_USER_PROCESS_PARAMETERS, or nullptr.
const char* process_parameters(HANDLE process) {
    PROCESS_BASIC_INFORMATION basic{};
    ULONG length = 0;
    if (::NtQueryInformationProcess(process, ProcessBasicInformation, &basic, sizeof basic,
                                    &length) < 0 ||
        basic.PebBaseAddress == nullptr) {
        return nullptr;
    }
    const auto* peb = reinterpret_cast<const char*>(basic.PebBaseAddress);
    const char* parameters = nullptr;
    if (!read_remote(process, peb + k_peb_process_parameters, parameters)) {
        return nullptr;
    }
    return parameters;
}

} // namespace

std::optional<std::wstring> read_process_command_line(HANDLE process) {
    const char* parameters = process_parameters(process);
    UNICODE_STRING line{};
    if (parameters == nullptr ||
        !read_remote(process, parameters + k_parameters_command_line, line) ||
        line.Buffer == nullptr || line.Length == 0) {
        return std::nullopt;
    }
    std::wstring text(line.Length / sizeof(wchar_t), L'\0');
    SIZE_T done = 0;
    if (!::ReadProcessMemory(process, line.Buffer, text.data(), line.Length, &done) ||
        done != line.Length) {
        return std::nullopt;
    }
    return text;
}

std::optional<std::vector<std::string>> read_process_environment(HANDLE process) {
    const char* parameters = process_parameters(process);
    if (parameters == nullptr) {
        return std::nullopt;
    }
    const wchar_t* environment = nullptr;
    SIZE_T size = 0;
    if (!read_remote(process, parameters + k_parameters_environment, environment) || !environment ||
        !read_remote(process, parameters + k_parameters_environment_size, size)) {
        return std::nullopt;
    }
    if (size == 0 || size > k_max_environment) {
        size = 32768; // no size recorded: read what is readable, up to the empty entry
    }
    std::wstring block(size / sizeof(wchar_t), L'\0');
    SIZE_T done = 0;
    if (!::ReadProcessMemory(process, environment, block.data(), block.size() * sizeof(wchar_t),
                             &done) &&
        done == 0) {
        return std::nullopt;
    }
    block.resize(done / sizeof(wchar_t));
    return split_block(block);
}

} // namespace golaunch
