#include "util/regex.hpp"

#include "util/error.hpp"

#include <boost/regex.hpp>

namespace golaunch {

struct Pattern::Impl {
    boost::regex regex;
};

std::optional<std::string> regex_error(const std::string& pattern) {
    try {
        const boost::regex regex(pattern, boost::regex::ECMAScript);
        (void)regex;
        return std::nullopt;
    } catch (const boost::regex_error& error) {
        // Boost adds "  The error occurred while parsing ... >>>HERE>>>": the caret says where.
        std::string what = error.what();
        return what.substr(0, what.find("  The error occurred"));
    }
}

Pattern::Pattern(const std::string& pattern) : m_impl(std::make_unique<Impl>()) {
    try {
        m_impl->regex.assign(pattern, boost::regex::ECMAScript);
    } catch (const boost::regex_error& error) {
        throw Error("invalid regular expression '" + pattern + "': " + error.what());
    }
}

Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

bool Pattern::search(std::string_view text) const {
    // A pathological pattern on a long line gives up (boost throws) instead of hanging: no match.
    try {
        return boost::regex_search(text.begin(), text.end(), m_impl->regex);
    } catch (const std::runtime_error&) {
        return false;
    }
}

} // namespace golaunch
