// parse_data_file's simdjson fast path against the nlohmann reference: on every input, valid or
// not, both give the same records, errors, warnings and extra keys (src/sync/data_file_parse.cpp).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "ccu/sync/data_file.hpp"

using namespace ccu::sync;

namespace {

class Generator {
public:
    explicit Generator(std::uint32_t seed) : rng_(seed) {}

    std::string data_file() {
        // A third of the files are clean (every first option), a third lightly noisy, a third hostile.
        noise_ = std::vector<double>{0.0, 0.05, 0.6}[std::uniform_int_distribution<int>(0, 2)(rng_)];
        std::vector<std::string> fields;
        add(fields, 0.9, "machine_name", pick({R"("laptop")", R"("")", "7", "null", R"("d\u00e9sk")"}));
        add(fields, 0.8, "export_date", pick({R"("2025-06-02T00:00:00.000Z")", "null", "3"}));
        add(fields, 0.5, "machine_id", pick({R"("id-1")", "null", "[1]"}));
        add(fields, 0.6, "tool", pick({R"("ccu 0.4.0")", R"("origin")", "null", "false"}));
        add(fields, 0.5, "part", pick({"0", "3", "-1", "3.0", R"("3")", "1000000", "-0", "null"}));
        add(fields, 0.4, "generation", pick({"0", "12", "-4", "2.5", "null", "18446744073709551615"}));
        add(fields, 0.5, "data_range",
            pick({R"({"oldest":"2025-06-01","newest":"2025-06-02"})", R"({"oldest":"June"})", "null", R"("x")",
                  R"({"oldest":null,"newest":"2025-06-02"})"}));
        const std::size_t count = std::uniform_int_distribution<std::size_t>(0, 6)(rng_);
        std::vector<std::string> records;
        for (std::size_t i = 0; i < count; ++i) records.push_back(record());
        add(fields, 0.5, "statistics",
            pick({"{\"total_records\":" + std::to_string(count) + "}", R"({"total_records":99})", "[]", "null",
                  "{\"total_records\":" + std::to_string(count) + ".0}"}));
        add(fields, 0.2, "stats", pick({R"({"total_records":0})", "{}", "1"}));
        add(fields, 0.3, "period", pick({R"({"start":"2025-06-01","n":[1,-2,3.5,true,null]})", "-0", "1e3"}));
        add(fields, 0.2, "chunk", pick({"18446744073709551615", "-9223372036854775808", R"("\ud83d\ude00")"}));
        add(fields, 0.95, "records", pick({"[" + join(records) + "]", "{}", "null"}, {0.9, 0.05, 0.05}));
        if (noisy(0.2)) add(fields, 1, "records", "[" + join(records) + "]");  // a second records key
        if (noisy(0.2)) add(fields, 1, "machine_name", R"("second")");         // a later key wins in both
        std::shuffle(fields.begin(), fields.end(), rng_);
        std::string text = "{" + join(fields) + "}";
        if (noisy(0.1)) text.resize(std::uniform_int_distribution<std::size_t>(0, text.size())(rng_));
        return text;
    }

private:
    std::string record() {
        if (noisy(0.1)) return pick({"5", "[]", R"("x")", "null"});
        std::vector<std::string> fields;
        add(fields, 0.95, "session_id", pick({R"("s1")", R"("s2")", R"("")", "4", R"("s\u00e9")"}, {0.4, 0.4, 0.05, 0.05, 0.1}));
        add(fields, 0.95, "message_uuid", "\"u" + std::to_string(next_uuid_++) + "\"");
        add(fields, 0.95, "timestamp",
            pick({R"("2025-06-01T10:00:00.000Z")", R"("2025-06-01T10:00:00.123456+00:00")", R"("2025-06-01")",
                  R"("bad")", "17"},
                 {0.5, 0.3, 0.05, 0.1, 0.05}));
        add(fields, 0.9, "model", pick({R"("claude-sonnet-4-5")", R"("")", "null", R"("<synthetic>")", "1"}));
        add(fields, 0.8, "folder", pick({R"("proj")", R"("a\/b\"c")", "null", "{}"}));
        add(fields, 0.5, "git_branch", pick({R"("main")", "null", "[]"}));
        add(fields, 0.5, "version", pick({R"("2.0.1")", "null", "2"}));
        add(fields, 0.5, "message_id", pick({R"("msg_1")", "null"}));
        add(fields, 0.5, "request_id", pick({R"("req_1")", "null", "true"}));
        for (const char* key : {"input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens",
                                "cache_creation_1h_tokens"}) {
            add(fields, 0.8, key, count());
        }
        add(fields, 0.3, "cost_usd", pick({"0.5", "-0.1", "0", "-0", "null", R"("x")", "1", "1e308"}));
        add(fields, 0.2, "total_tokens", count());
        add(fields, 0.2, "date", R"("2025-06-01")");
        if (noisy(0.2)) add(fields, 1, "input_tokens", count());  // a key given twice
        std::shuffle(fields.begin(), fields.end(), rng_);
        return "{" + join(fields) + "}";
    }

    std::string count() {
        return pick({"10", "0", "250", "-1", "3.0", "3.5", "1e3", "9223372036854775808", "18446744073709551615", "-0",
                     "null", R"("10")", "true", "1e20", "1000000000001"},
                    {0.3, 0.2, 0.2, 0.03, 0.05, 0.03, 0.03, 0.02, 0.02, 0.02, 0.03, 0.02, 0.02, 0.02, 0.01});
    }

    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    bool noisy(double p) { return noise_ > 0 && chance(p * noise_ / 0.6); }

    // The first option, or with probability noise_ any option by its weight.
    std::string pick(const std::vector<std::string>& options, std::vector<double> weights = {}) {
        if (!chance(noise_)) return options.front();
        if (weights.empty()) weights.assign(options.size(), 1.0);
        return options[std::discrete_distribution<std::size_t>(weights.begin(), weights.end())(rng_)];
    }

    void add(std::vector<std::string>& fields, double p, const std::string& key, const std::string& value) {
        // A key of probability >= 0.9 is one the file needs: only noise leaves it out.
        const bool present = p >= 0.9 ? !noisy(1.0 - p) : chance(p);
        if (present) fields.push_back("\"" + key + "\":" + value);
    }

    static std::string join(const std::vector<std::string>& parts) {
        std::string out;
        for (const auto& part : parts) out += (out.empty() ? "" : ",") + part;
        return out;
    }

    std::mt19937 rng_;
    double noise_ = 0;
    int next_uuid_ = 0;
};

}  // namespace

TEST_CASE("data file parser: the simdjson path answers exactly as the nlohmann reference on random files",
          "[data_file][property]") {
    const std::uint32_t seed = std::random_device{}();
    Generator generate(seed);
    std::size_t accepted = 0;
    std::size_t with_record_errors = 0;
    for (int round = 0; round < 3000; ++round) {
        const std::string text = generate.data_file();
        INFO("seed " << seed << ", round " << round << ": " << text);
        const ParsedDataFile fast = parse_data_file(text, "f.json");
        const ParsedDataFile reference = parse_data_file(text, "f.json", DataFileParser::NlohmannOnly);
        REQUIRE(fast.fatal_error == reference.fatal_error);
        REQUIRE(fast.record_errors == reference.record_errors);
        REQUIRE(fast.warnings == reference.warnings);
        REQUIRE(fast.prompt_rows == reference.prompt_rows);
        REQUIRE(fast.file == reference.file);
        if (fast.file) REQUIRE(fast.file->extra.dump() == reference.file->extra.dump());
        // Whatever the reference accepts whole, the fast path itself takes, with the same result.
        if (reference.file && reference.record_errors.empty()) {
            const ParsedDataFile simdjson_only = parse_data_file(text, "f.json", DataFileParser::SimdjsonOnly);
            REQUIRE(simdjson_only.fatal_error.empty());
            REQUIRE(simdjson_only.file == reference.file);
            REQUIRE(simdjson_only.warnings == reference.warnings);
            REQUIRE(simdjson_only.prompt_rows == reference.prompt_rows);
        }
        accepted += fast.file && fast.record_errors.empty() ? 1 : 0;
        with_record_errors += fast.record_errors.empty() ? 0 : 1;
    }
    // The generator reaches both sides: files the fast path takes, and files it hands back.
    CHECK(accepted > 100);
    CHECK(with_record_errors > 100);
    // And on bad input the fast path really hands over: its own answer is the declined marker.
    CHECK(parse_data_file("{\"records\":[", "f.json", DataFileParser::SimdjsonOnly).fatal_error ==
          "f.json: " + std::string(kSimdjsonDeclined));
}

TEST_CASE("data file parser: the simdjson path itself takes a large valid file, as the reference reads it",
          "[data_file]") {
    std::string records;
    for (int i = 0; i < 20000; ++i) {
        records += std::string(i == 0 ? "" : ",") + R"({"session_id":"s)" + std::to_string(i % 97) +
                   R"(","message_uuid":"u)" + std::to_string(i) +
                   R"(","timestamp":"2025-06-01T10:00:00.000Z","model":"claude-opus-4-6","input_tokens":)" +
                   std::to_string(i) + R"(,"output_tokens":7,"cache_creation_tokens":3,"cache_read_tokens":9,)"
                   R"("total_tokens":)" + std::to_string(i + 19) + R"(,"folder":"p","git_branch":null,"version":"2.1.0",)"
                   R"("cost_usd":0.25})";
    }
    const std::string text = R"({"machine_name":"laptop","export_date":"2025-06-02T00:00:00.000Z","tool":"ccu 0.4.0",)"
                             R"("records":[)" + records + "]}";
    const ParsedDataFile fast = parse_data_file(text, "big.json", DataFileParser::SimdjsonOnly);
    const ParsedDataFile reference = parse_data_file(text, "big.json", DataFileParser::NlohmannOnly);
    REQUIRE(fast.file.has_value());
    REQUIRE(fast.file->records.size() == 20000);
    CHECK(fast.file->records[19999].input_tokens == 19999);
    CHECK(fast.file->records[19999].cost_usd == 0.25);
    CHECK(fast.file == reference.file);
    CHECK(fast.warnings == reference.warnings);
}
