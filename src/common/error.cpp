#include "ccu/common/error.hpp"

#include <utility>

namespace ccu {

int exit_code_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::Unexpected: return 1;
        case ErrorKind::Usage: return 2;
        case ErrorKind::NotConfigured: return 3;
        case ErrorKind::Network: return 4;
        case ErrorKind::Conflict: return 5;
        case ErrorKind::InvalidRemote: return 6;
        case ErrorKind::Locked: return 7;
    }
    return 1;
}

std::string_view error_kind_name(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::Unexpected: return "unexpected";
        case ErrorKind::Usage: return "usage";
        case ErrorKind::NotConfigured: return "not_configured";
        case ErrorKind::Network: return "network";
        case ErrorKind::Conflict: return "conflict";
        case ErrorKind::InvalidRemote: return "invalid_remote_data";
        case ErrorKind::Locked: return "locked";
    }
    return "unexpected";
}

Error::Error(ErrorKind kind, const std::string& message, std::string hint)
    : std::runtime_error(message), kind_(kind), hint_(std::move(hint)) {}

}  // namespace ccu
