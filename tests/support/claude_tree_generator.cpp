#include "support/claude_tree_generator.hpp"

#include <array>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ccu/common/time.hpp"

namespace ccu::test {
namespace {

// splitmix64: tiny, fast, and the same on every platform (std distributions are not).
class Rng {
public:
    // The seed goes through the finalizer first: a plain affine start would make seeds s and s+k
    // the same stream shifted by k steps (machines generated with nearby seeds shared records).
    explicit Rng(std::uint64_t seed) : state_(finalize(seed ^ 0x1234567ULL)) {}
    static std::uint64_t finalize(std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::uint64_t next() {
        return finalize(state_ += 0x9E3779B97F4A7C15ULL);
    }
    std::int64_t range(std::int64_t low, std::int64_t high) {  // inclusive
        return low + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(high - low + 1));
    }
    bool one_in(std::uint64_t n) { return next() % n == 0; }
    std::string hex(std::size_t digits) {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out;
        out.reserve(digits);
        while (out.size() < digits) {
            std::uint64_t v = next();
            for (int i = 0; i < 16 && out.size() < digits; ++i, v >>= 4) out.push_back(kHex[v & 15]);
        }
        return out;
    }
    std::string uuid() { return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12); }

private:
    std::uint64_t state_;
};

constexpr std::array<std::string_view, 5> kModels = {
    "claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-3-5-haiku-20241022",
    "claude-sonnet-4-20250514", "claude-opus-4-20250514"};

// Lowercase words and spaces: needs no JSON escaping.
const std::string& filler_text() {
    static const std::string text = [] {
        Rng rng(42);
        std::string out;
        out.reserve(1 << 17);
        while (out.size() < (1 << 17)) {
            const auto word = rng.range(1, 9);
            for (std::int64_t i = 0; i < word; ++i) out.push_back(static_cast<char>('a' + rng.range(0, 25)));
            out.push_back(' ');
        }
        return out;
    }();
    return text;
}

struct Response {
    std::string message_id, request_id, model;
    std::int64_t input = 0, output = 0, cache_5m = 0, cache_1h = 0, flat_cache = 0, cache_read = 0;
    bool bucketed = false, has_request_id = true;
    std::int64_t timestamp_ms = 0;
    std::int64_t cache_creation() const { return bucketed ? cache_5m + cache_1h : flat_cache; }
};

// One JSONL file being written (or only counted, when `out` is null).
class FileWriter {
public:
    FileWriter(const std::filesystem::path& path, bool write, ClaudeTreeTruth& truth) : truth_(truth) {
        if (write) {
            std::filesystem::create_directories(path.parent_path());
            out_ = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
        }
        ++truth_.files;
    }
    ~FileWriter() { flush(); }
    FileWriter(const FileWriter&) = delete;
    FileWriter& operator=(const FileWriter&) = delete;

    void line(const std::string& text) {
        buffer_ += text;
        buffer_ += '\n';
        bytes_ += text.size() + 1;
        truth_.bytes += text.size() + 1;
        ++truth_.lines;
        if (buffer_.size() > (1 << 20)) flush();
    }
    std::uint64_t bytes() const { return bytes_; }

private:
    void flush() {
        if (out_) out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
        buffer_.clear();
    }
    ClaudeTreeTruth& truth_;
    std::unique_ptr<std::ofstream> out_;
    std::string buffer_;
    std::uint64_t bytes_ = 0;
};

struct SessionContext {
    std::string project, cwd, session_id, branch, version;
};

class TreeGenerator {
public:
    TreeGenerator(std::filesystem::path root, const ClaudeTreeSpec& spec, bool write)
        : root_(std::move(root)), spec_(spec), write_(write), rng_(spec.seed) {}

    ClaudeTreeTruth run() {
        const int sessions = std::max(1, spec_.projects * spec_.sessions_per_project);
        const std::uint64_t budget = std::max<std::uint64_t>(spec_.total_bytes / static_cast<std::uint64_t>(sessions), 2048);
        for (int p = 0; p < spec_.projects; ++p) {
            const std::string project = "project-" + std::to_string(p) + "-" + rng_.hex(4);
            std::vector<Response> previous_tail;
            for (int s = 0; s < spec_.sessions_per_project; ++s) {
                previous_tail = session(project, budget, s % 4 == 3 ? previous_tail : std::vector<Response>{});
            }
        }
        return std::move(truth_);
    }

private:
    std::string timestamp(std::int64_t ms) const { return timeutil::format_rfc3339_ms(ms); }

    std::string prefix(const SessionContext& c, const std::string& parent, bool sidechain) const {
        std::string s = "{\"parentUuid\":";
        s += parent.empty() ? "null" : "\"" + parent + "\"";
        s += ",\"isSidechain\":";
        s += sidechain ? "true" : "false";
        s += ",\"userType\":\"external\",\"cwd\":\"" + c.cwd + "\",\"sessionId\":\"" + c.session_id +
             "\",\"version\":\"" + c.version + "\",\"gitBranch\":\"" + c.branch + "\"";
        return s;
    }

    std::string filler(std::size_t size) {
        const std::string& text = filler_text();
        size = std::min(size, text.size() - 1);
        const auto start = static_cast<std::size_t>(rng_.next() % (text.size() - size));
        return text.substr(start, size);
    }

    std::string user_line(const SessionContext& c, std::string& parent, std::int64_t ms, std::size_t size, bool tool) {
        const std::string uuid = rng_.uuid();
        std::string s = prefix(c, parent, false) + ",\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":";
        if (tool) {
            const std::string tool_id = "toolu_" + rng_.hex(24);
            s += "[{\"tool_use_id\":\"" + tool_id + "\",\"type\":\"tool_result\",\"content\":\"" + filler(size) +
                 "\"}]},\"toolUseResult\":{\"stdout\":\"" + filler(size / 4) + "\",\"stderr\":\"\",\"interrupted\":false}";
        } else {
            s += "\"" + filler(size) + "\"}";
        }
        s += ",\"uuid\":\"" + uuid + "\",\"timestamp\":\"" + timestamp(ms) + "\"}";
        parent = uuid;
        return s;
    }

    std::string usage_json(const Response& r, std::int64_t output, bool string_number) const {
        std::string s = "{\"input_tokens\":" + std::to_string(r.input) + ",\"cache_creation_input_tokens\":" +
                        std::to_string(r.flat_cache) + ",\"cache_read_input_tokens\":" + std::to_string(r.cache_read);
        if (r.bucketed) {
            s += ",\"cache_creation\":{\"ephemeral_5m_input_tokens\":" + std::to_string(r.cache_5m) +
                 ",\"ephemeral_1h_input_tokens\":" + std::to_string(r.cache_1h) + "}";
        }
        s += ",\"output_tokens\":";
        s += string_number ? "\"" + std::to_string(output) + "\"" : std::to_string(output);
        return s + ",\"service_tier\":\"standard\"}";
    }

    std::string assistant_line(const SessionContext& c, std::string& parent, const Response& r, std::int64_t output,
                               std::int64_t ms, bool sidechain, const std::string& request_id, std::size_t text_size,
                               bool string_number = false) {
        const std::string uuid = rng_.uuid();
        std::string s = prefix(c, parent, sidechain) + ",\"message\":{\"id\":\"" + r.message_id +
                        "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + r.model +
                        "\",\"content\":[{\"type\":\"text\",\"text\":\"" + filler(text_size) +
                        "\"}],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":" +
                        usage_json(r, output, string_number) + "}";
        if (!request_id.empty()) s += ",\"requestId\":\"" + request_id + "\"";
        s += ",\"type\":\"assistant\",\"uuid\":\"" + uuid + "\",\"timestamp\":\"" + timestamp(ms) + "\"}";
        parent = uuid;
        return s;
    }

    Response make_response(std::int64_t ms) {
        Response r;
        r.message_id = "msg_01" + rng_.hex(22);
        r.request_id = "req_011C" + rng_.hex(18);
        // Every line carries requestId, as current Claude Code writes it. (ccusage 20.0.24 does
        // not collapse streamed lines that lack it when their timestamps differ; ccu does, by
        // message.id alone: see docs/parts/ingest-design.md.)
        r.has_request_id = true;
        r.model = std::string(kModels[static_cast<std::size_t>(rng_.range(0, kModels.size() - 1))]);
        r.input = rng_.range(1, 400);
        r.output = rng_.range(1, 3000);
        r.cache_read = rng_.range(0, 90000);
        r.bucketed = !rng_.one_in(4);
        r.cache_5m = rng_.range(0, 8000);
        r.cache_1h = rng_.one_in(3) ? rng_.range(0, 4000) : 0;
        // Real lines carry both and they agree; some disagree to prove the object wins.
        r.flat_cache = r.bucketed ? r.cache_5m + r.cache_1h + (rng_.one_in(20) ? 1000 : 0) : rng_.range(0, 8000);
        r.timestamp_ms = ms;
        return r;
    }

    void count(const Response& r) {
        DayTotals& day = truth_.per_day[timeutil::utc_date(r.timestamp_ms)];
        day.input_tokens += r.input;
        day.output_tokens += r.output;
        day.cache_creation_tokens += r.cache_creation();
        day.cache_read_tokens += r.cache_read;
        ++day.records;
        ++truth_.records;
    }

    // Writes one response streamed over 1-4 lines; the last line has the full output.
    void stream(FileWriter& file, const SessionContext& c, std::string& parent, Response& r, std::int64_t& ms,
                bool sidechain) {
        // Strictly growing output, so the last line is the one ccusage keeps.
        const auto parts = r.output < 8 ? 1 : rng_.range(1, 4);
        const std::string request_id = r.has_request_id ? r.request_id : std::string{};
        for (std::int64_t i = 1; i <= parts; ++i) {
            const std::int64_t output = i == parts ? r.output : std::max<std::int64_t>(1, r.output * i / (parts + 1));
            ms += rng_.range(1, 900);
            if (i == parts) r.timestamp_ms = ms;
            file.line(assistant_line(c, parent, r, output, ms, sidechain, request_id,
                                     static_cast<std::size_t>(rng_.range(50, std::min<std::int64_t>(2500, spec_.tool_result_max)))));
        }
        count(r);
    }

    void odd_lines(FileWriter& file, const SessionContext& c, std::string& parent, std::int64_t ms) {
        if (rng_.one_in(40)) {  // an API error stand-in: no billed usage
            Response r = make_response(ms);
            r.model = "<synthetic>";
            r.input = r.output = r.cache_read = r.cache_5m = r.cache_1h = r.flat_cache = 0;
            file.line(assistant_line(c, parent, r, 0, ms, false, "", 40));
            ++truth_.synthetic_lines;
        }
        if (rng_.one_in(150)) {
            file.line(rng_.one_in(2) ? "this is not json " + filler(30)
                                     : assistant_line(c, parent, make_response(ms), 7, ms, false, "req_x" + rng_.hex(8), 40, true));
            ++truth_.malformed_lines;
        }
    }

    // Ordinary results 500 B .. tool_result_max; huge ones 2.5x .. 5x that (60-120 KB by default).
    std::size_t tool_result_size(bool huge) {
        const std::int64_t top = std::max<std::int64_t>(spec_.tool_result_max, 600);
        return static_cast<std::size_t>(huge ? rng_.range(top * 5 / 2, top * 5) : rng_.range(500, top));
    }

    std::vector<Response> session(const std::string& project, std::uint64_t budget, const std::vector<Response>& resumed) {
        SessionContext c{project, "/home/dev/work/" + project, rng_.uuid(), rng_.one_in(3) ? "feature/x" : "main",
                         "2.0." + std::to_string(rng_.range(0, 30))};
        const std::int64_t span = static_cast<std::int64_t>(spec_.days) * 86400000LL;
        std::int64_t ms = spec_.start_epoch_ms + rng_.range(0, std::max<std::int64_t>(span - 6 * 3600000LL, 1));
        FileWriter file(root_ / project / (c.session_id + ".jsonl"), write_, truth_);
        std::unique_ptr<FileWriter> agent;
        std::string parent, agent_parent;
        for (const Response& r : resumed) {  // a resumed session repeats earlier responses
            file.line(assistant_line(c, parent, r, r.output, r.timestamp_ms, false, r.has_request_id ? r.request_id : "", 60));
        }
        std::vector<Response> tail;
        while (file.bytes() + (agent ? agent->bytes() : 0) < budget) {
            ms += rng_.range(2000, 240000);
            file.line(user_line(c, parent, ms, static_cast<std::size_t>(rng_.range(30, 1500)), false));
            const auto responses = rng_.range(1, 4);
            for (std::int64_t i = 0; i < responses; ++i) {
                Response r = make_response(ms);
                stream(file, c, parent, r, ms, false);
                if (rng_.one_in(12)) sidechain_work(agent, c, agent_parent, r, ms);
                const bool huge = rng_.one_in(60);
                ms += rng_.range(100, 20000);
                file.line(user_line(c, parent, ms, tool_result_size(huge), true));
                tail.push_back(r);
                if (tail.size() > 2) tail.erase(tail.begin());
            }
            odd_lines(file, c, parent, ms);
        }
        return tail;
    }

    // A subagent file: its own sidechain responses (billed) and a replay of the parent's
    // message under a new request id with bigger counts (not billed again).
    void sidechain_work(std::unique_ptr<FileWriter>& agent, const SessionContext& c, std::string& parent,
                        const Response& main, std::int64_t ms) {
        if (!agent) {
            agent = std::make_unique<FileWriter>(root_ / c.project / c.session_id / "subagents" /
                                                     ("agent-" + rng_.hex(8) + ".jsonl"),
                                                 write_, truth_);
        }
        Response replay = main;
        replay.cache_read += 50000;
        agent->line(assistant_line(c, parent, replay, replay.output, ms, true, "req_011C" + rng_.hex(18), 80));
        std::int64_t t = ms;
        Response own = make_response(ms);
        stream(*agent, c, parent, own, t, true);
    }

    std::filesystem::path root_;
    ClaudeTreeSpec spec_;
    bool write_;
    Rng rng_;
    ClaudeTreeTruth truth_;
};

}  // namespace

DayTotals ClaudeTreeTruth::sum() const {
    DayTotals total;
    for (const auto& [day, t] : per_day) {
        total.input_tokens += t.input_tokens;
        total.output_tokens += t.output_tokens;
        total.cache_creation_tokens += t.cache_creation_tokens;
        total.cache_read_tokens += t.cache_read_tokens;
        total.records += t.records;
    }
    return total;
}

ClaudeTreeTruth generate_claude_tree(const std::filesystem::path& projects_dir, const ClaudeTreeSpec& spec) {
    return TreeGenerator(projects_dir, spec, true).run();
}

ClaudeTreeTruth claude_tree_truth(const ClaudeTreeSpec& spec) {
    return TreeGenerator({}, spec, false).run();
}

}  // namespace ccu::test
