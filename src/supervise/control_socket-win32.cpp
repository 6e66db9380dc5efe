#include "supervise/control_socket.hpp"

#include <windows.h>

#include <aclapi.h>
#include <sddl.h>

namespace golaunch {

void bind_owner_only(boost::asio::local::stream_protocol::acceptor& acceptor,
                     const std::filesystem::path& path, boost::system::error_code& ec) {
    acceptor.bind(boost::asio::local::stream_protocol::endpoint(path.string()), ec);
    if (ec) {
        return;
    }
    // "D:P(A;;FA;;;OW)": a protected DACL (nothing inherited) with one entry, full access for
    // the file's owner.
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;;FA;;;OW)", SDDL_REVISION_1,
                                                                &descriptor, nullptr)) {
        ec.assign(static_cast<int>(::GetLastError()), boost::system::system_category());
        return;
    }
    BOOL present = FALSE;
    BOOL defaulted = FALSE;
    PACL dacl = nullptr;
    ::GetSecurityDescriptorDacl(descriptor, &present, &dacl, &defaulted);
    std::wstring wide = path.wstring();
    const DWORD error =
        ::SetNamedSecurityInfoW(wide.data(), SE_FILE_OBJECT,
                                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                nullptr, nullptr, dacl, nullptr);
    ::LocalFree(descriptor);
    if (error != ERROR_SUCCESS) {
        ec.assign(static_cast<int>(error), boost::system::system_category());
    }
}

} // namespace golaunch
