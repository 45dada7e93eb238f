#include "ccu/common/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <vector>

namespace ccu::log {
namespace {

std::mutex& secrets_mutex() {
    static std::mutex m;
    return m;
}
std::vector<std::string>& secrets() {
    static std::vector<std::string> s;
    return s;
}

// Formats, redacts, then writes to stderr.
class RedactingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        const std::string clean = redact(std::string_view(formatted.data(), formatted.size()));
        std::fwrite(clean.data(), 1, clean.size(), stderr);
    }
    void flush_() override { std::fflush(stderr); }
};

}  // namespace

void init(int verbosity) {
    auto sink = std::make_shared<RedactingStderrSink>();
    auto logger = std::make_shared<spdlog::logger>("ccu", sink);
    logger->set_pattern("ccu: %l: %v");
    logger->set_level(verbosity >= 2   ? spdlog::level::debug
                      : verbosity == 1 ? spdlog::level::info
                                       : spdlog::level::warn);
    spdlog::set_default_logger(logger);
}

void register_secret(const std::string& secret) {
    if (secret.size() < 4) return;  // too short to redact meaningfully
    const std::lock_guard lock(secrets_mutex());
    secrets().push_back(secret);
}

std::string redact(std::string_view text) {
    std::string out(text);
    const std::lock_guard lock(secrets_mutex());
    for (const auto& s : secrets()) {
        for (std::size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos)) {
            out.replace(pos, s.size(), "[REDACTED]");
        }
    }
    return out;
}

}  // namespace ccu::log
