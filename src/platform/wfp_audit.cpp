#include "platform/wfp_audit.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace golaunch {

namespace {

// The text of the element that starts with `open` ("<EventID", "<Data Name='Application'"),
// up to its closing '<'; nullopt when absent.
std::optional<std::string> element_text(const std::string& xml, const std::string& open) {
    const auto at = xml.find(open);
    if (at == std::string::npos) {
        return std::nullopt;
    }
    const auto start = xml.find('>', at);
    if (start == std::string::npos || xml[start - 1] == '/') {
        return std::nullopt; // <Data Name='X'/>: empty
    }
    const auto end = xml.find('<', start);
    if (end == std::string::npos) {
        return std::nullopt;
    }
    return xml.substr(start + 1, end - start - 1);
}

// <Data Name='X'> or <Data Name="X">.
std::optional<std::string> data(const std::string& xml, const std::string& name) {
    auto found = element_text(xml, "<Data Name='" + name + "'");
    return found ? found : element_text(xml, "<Data Name=\"" + name + "\"");
}

template <typename Number> Number number(const std::optional<std::string>& text) {
    Number value = 0;
    if (text) {
        std::from_chars(text->data(), text->data() + text->size(), value);
    }
    return value;
}

std::string lower_backslashed(std::string text) {
    for (char& c : text) {
        c = c == '/' ? '\\' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

} // namespace

std::optional<WfpBlockEvent> parse_wfp_block_event(const std::string& xml) {
    if (element_text(xml, "<EventID").value_or("") != "5155") {
        return std::nullopt;
    }
    WfpBlockEvent event;
    const auto time = xml.find("SystemTime=");
    if (time != std::string::npos && time + 11 < xml.size()) {
        const char quote = xml[time + 11];
        const auto end = xml.find(quote, time + 12);
        if (end != std::string::npos) {
            event.time = xml.substr(time + 12, end - time - 12);
        }
    }
    event.pid = number<std::uint32_t>(data(xml, "ProcessId"));
    event.application = data(xml, "Application").value_or("");
    event.address = data(xml, "SourceAddress").value_or("");
    event.port = number<std::uint16_t>(data(xml, "SourcePort"));
    event.protocol = number<int>(data(xml, "Protocol"));
    return event;
}

bool names_exe(const WfpBlockEvent& event, const std::string& exe) {
    // "\device\harddiskvolume3\work\x.exe" against "C:\work\x.exe": compare what follows the
    // volume ("\work\x.exe"). The volume itself is not compared (mapping it needs the system).
    const std::string application = lower_backslashed(event.application);
    const std::string path = lower_backslashed(exe);
    const auto colon = path.find(':');
    if (application.empty() || colon == std::string::npos) {
        return false;
    }
    const std::string tail = path.substr(colon + 1);
    if (tail.empty() || tail.front() != '\\' || application.size() < tail.size()) {
        return false;
    }
    const std::string volume = application.substr(0, application.size() - tail.size());
    return application.compare(volume.size(), tail.size(), tail) == 0 &&
           volume.rfind("\\device\\", 0) == 0 && volume.find('\\', 8) == std::string::npos;
}

} // namespace golaunch
