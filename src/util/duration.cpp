#include "util/duration.hpp"

#include <cctype>
#include <cstdio>

namespace golaunch {

namespace {

struct Unit {
    std::string_view suffix;
    double milliseconds;
};

constexpr Unit k_units[] = {{"ms", 1.0}, {"h", 3'600'000.0}, {"m", 60'000.0}, {"s", 1000.0}};

} // namespace

std::optional<Duration> parse_duration(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    double total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t number_start = i;
        while (i < text.size() &&
               (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
            ++i;
        }
        if (i == number_start) {
            return std::nullopt;
        }
        const std::string number(text.substr(number_start, i - number_start));
        char* end = nullptr;
        const double value = std::strtod(number.c_str(), &end);
        if (end != number.c_str() + number.size()) {
            return std::nullopt;
        }
        const Unit* unit = nullptr;
        for (const auto& candidate : k_units) {
            if (text.substr(i, candidate.suffix.size()) == candidate.suffix) {
                unit = &candidate;
                break;
            }
        }
        if (unit == nullptr) {
            return std::nullopt;
        }
        i += unit->suffix.size();
        total += value * unit->milliseconds;
    }
    if (total > 1e12) {
        return std::nullopt;
    }
    return Duration(static_cast<long long>(total + 0.5));
}

std::string format_duration(Duration duration) {
    const long long ms = duration.count();
    char buffer[64];
    if (ms < 1000) {
        std::snprintf(buffer, sizeof buffer, "%lldms", ms);
    } else if (ms < 60'000) {
        std::snprintf(buffer, sizeof buffer, "%.1fs", static_cast<double>(ms) / 1000.0);
    } else {
        std::snprintf(buffer, sizeof buffer, "%lldm%llds", ms / 60'000, (ms % 60'000) / 1000);
    }
    return buffer;
}

} // namespace golaunch
