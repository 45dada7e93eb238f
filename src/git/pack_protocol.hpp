#pragma once
// The client side of git's pack protocol over smart HTTP (gitprotocol-http(5), gitprotocol-pack(5)),
// as far as the thin push and fetch need it: pkt-lines, the receive-pack ref advertisement of
// GET <repo>/info/refs?service=git-receive-pack, the request of POST <repo>/git-receive-pack and
// the report-status it answers; the request of POST <repo>/git-upload-pack and the pack it answers.
// Values in, values out; thin_transfer.cpp does the HTTP.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace ccu::git {

// One pkt-line: four hex digits of length (its own four included), then the payload.
std::string pkt_line(std::string_view payload);

struct ReceivePackAdvertisement {
    std::map<std::string, std::string> refs;  // name -> 40 hex digits
    std::set<std::string> capabilities;       // "report-status", "no-thin", "agent=git/2.39.2", ...
};

// Throws std::invalid_argument when `body` is not a receive-pack advertisement.
ReceivePackAdvertisement parse_receive_pack_advertisement(std::string_view body);

// The command moving `ref` from `old_id` to `new_id` (never forced: the server checks `old_id`),
// asking for report-status, then the pack.
std::string receive_pack_request(const std::string& old_id, const std::string& new_id, const std::string& ref,
                                 std::string_view agent, std::string_view pack);

struct ReceivePackReport {
    std::string unpack;  // "ok", or the server's error unpacking the pack
    // Per ref: nullopt when updated, else the server's reason ("failed to lock", "pre-receive hook declined", ...).
    std::map<std::string, std::optional<std::string>> refs;
};

// Throws std::invalid_argument when `body` is not a report-status.
ReceivePackReport parse_receive_pack_report(std::string_view body);

// Asks for `want` with one `have` (a commit the mirror holds), as one stateless round: the wants,
// a flush, the have, "done". Capabilities: thin-pack, ofs-delta, no-progress, no side-band and no
// multi_ack, so the answer is one ACK or NAK line and then the pack, raw.
std::string upload_pack_request(const std::string& want, const std::string& have, std::string_view agent);

// The pack of an upload-pack answer (after its ACK/NAK lines); throws std::invalid_argument when
// `body` is not one (an ERR line, no pack).
std::string_view upload_pack_pack(std::string_view body);

// RFC 4648 base64 (an HTTP Basic credential).
std::string base64(std::string_view bytes);

}  // namespace ccu::git
