// Regular expressions (ECMAScript syntax) for readiness checks: a line of a service's output, an
// HTTP body. Boost.Regex behind a small interface: std::regex is slow to match and, with GCC 12
// at -O1 under ASan, trips a false -Wmaybe-uninitialized in <regex> (an error under -Werror).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace golaunch {

// Why `pattern` is not a valid regular expression, or nullopt when it is.
std::optional<std::string> regex_error(const std::string& pattern);

class Pattern {
  public:
    // Throws Error when `pattern` is invalid (the manifest loader has checked it already).
    explicit Pattern(const std::string& pattern);
    ~Pattern();
    Pattern(Pattern&&) noexcept;
    Pattern& operator=(Pattern&&) noexcept;

    // True when the pattern matches somewhere in `text`.
    bool search(std::string_view text) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace golaunch
