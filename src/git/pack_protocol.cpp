#include "git/pack_protocol.hpp"

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace ccu::git {
namespace {

// The payloads of the pkt-lines of `body` up to its first flush-pkt ("0000") at or after `at`,
// which is moved past it; a payload's trailing LF is dropped.
std::vector<std::string_view> read_until_flush(std::string_view body, std::size_t& at) {
    std::vector<std::string_view> lines;
    for (;;) {
        if (at + 4 > body.size()) throw std::invalid_argument("pkt-line stream cut short");
        std::size_t length = 0;
        const auto [end, ec] = std::from_chars(body.data() + at, body.data() + at + 4, length, 16);
        if (ec != std::errc() || end != body.data() + at + 4) throw std::invalid_argument("bad pkt-line length");
        if (length == 0) {
            at += 4;
            return lines;
        }
        if (length < 4 || at + length > body.size()) throw std::invalid_argument("bad pkt-line length");
        std::string_view payload = body.substr(at + 4, length - 4);
        if (!payload.empty() && payload.back() == '\n') payload.remove_suffix(1);
        lines.push_back(payload);
        at += length;
    }
}

bool is_object_id(std::string_view s) {
    if (s.size() != 40) return false;
    for (const char c : s) {
        if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) return false;
    }
    return true;
}

}  // namespace

std::string pkt_line(std::string_view payload) {
    static const char* const kHex = "0123456789abcdef";
    const std::size_t length = payload.size() + 4;
    if (length > 65520) throw std::invalid_argument("pkt-line too long");
    std::string out;
    for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(length >> shift) & 0xfU]);
    out.append(payload);
    return out;
}

ReceivePackAdvertisement parse_receive_pack_advertisement(std::string_view body) {
    std::size_t at = 0;
    const auto service = read_until_flush(body, at);
    if (service.size() != 1 || service[0] != "# service=git-receive-pack") {
        throw std::invalid_argument("not a git-receive-pack advertisement");
    }
    ReceivePackAdvertisement ad;
    const auto lines = read_until_flush(body, at);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        if (i == 0) {
            const auto nul = line.find('\0');
            if (nul != std::string_view::npos) {
                std::string_view caps = line.substr(nul + 1);
                line = line.substr(0, nul);
                while (!caps.empty()) {
                    const auto space = caps.find(' ');
                    if (space != 0) ad.capabilities.emplace(caps.substr(0, space));
                    if (space == std::string_view::npos) break;
                    caps.remove_prefix(space + 1);
                }
            }
        }
        const auto space = line.find(' ');
        if (space == std::string_view::npos || !is_object_id(line.substr(0, space))) {
            throw std::invalid_argument("bad ref line in the advertisement");
        }
        const std::string_view name = line.substr(space + 1);
        if (name != "capabilities^{}") ad.refs.emplace(std::string(name), std::string(line.substr(0, space)));
    }
    return ad;
}

std::string receive_pack_request(const std::string& old_id, const std::string& new_id, const std::string& ref,
                                 std::string_view agent, std::string_view pack) {
    std::string command = old_id + " " + new_id + " " + ref;
    command.push_back('\0');
    command += "report-status agent=";
    command += agent;
    std::string out = pkt_line(command);
    out += "0000";
    out.append(pack);
    return out;
}

ReceivePackReport parse_receive_pack_report(std::string_view body) {
    std::size_t at = 0;
    const auto lines = read_until_flush(body, at);
    if (lines.empty() || lines[0].substr(0, 7) != "unpack ") throw std::invalid_argument("not a report-status");
    ReceivePackReport report;
    report.unpack = std::string(lines[0].substr(7));
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        if (line.substr(0, 3) == "ok ") {
            report.refs[std::string(line.substr(3))] = std::nullopt;
        } else if (line.substr(0, 3) == "ng ") {
            const std::string_view rest = line.substr(3);
            const auto space = rest.find(' ');
            const std::string ref(rest.substr(0, space));
            report.refs[ref] = space == std::string_view::npos ? std::string("refused") : std::string(rest.substr(space + 1));
        } else {
            throw std::invalid_argument("bad line in the report-status");
        }
    }
    return report;
}

std::string upload_pack_request(const std::string& want, const std::string& have, std::string_view agent) {
    std::string out = pkt_line("want " + want + " thin-pack ofs-delta no-progress agent=" + std::string(agent) + "\n");
    out += "0000";
    out += pkt_line("have " + have + "\n");
    out += pkt_line("done\n");
    return out;
}

std::string_view upload_pack_pack(std::string_view body) {
    std::size_t at = 0;
    while (at + 4 <= body.size() && body.substr(at, 4) != "PACK") {
        std::size_t length = 0;
        const auto [end, ec] = std::from_chars(body.data() + at, body.data() + at + 4, length, 16);
        if (ec != std::errc() || end != body.data() + at + 4 || length < 4 || at + length > body.size()) {
            throw std::invalid_argument("bad pkt-line before the pack");
        }
        const std::string_view line = body.substr(at + 4, length - 4);
        if (line.substr(0, 4) != "ACK " && line.substr(0, 3) != "NAK") {
            throw std::invalid_argument("upload-pack answered: " + std::string(line.substr(0, 200)));
        }
        at += length;
    }
    if (body.substr(at, 4) != "PACK") throw std::invalid_argument("upload-pack sent no pack");
    return body.substr(at);
}

std::string base64(std::string_view bytes) {
    static const char* const kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t chunk = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
        if (i + 1 < bytes.size()) chunk |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        if (i + 2 < bytes.size()) chunk |= static_cast<unsigned char>(bytes[i + 2]);
        out.push_back(kAlphabet[(chunk >> 18) & 63U]);
        out.push_back(kAlphabet[(chunk >> 12) & 63U]);
        out.push_back(i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63U] : '=');
        out.push_back(i + 2 < bytes.size() ? kAlphabet[chunk & 63U] : '=');
    }
    return out;
}

}  // namespace ccu::git
