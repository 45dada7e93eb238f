#pragma once
// Turning one HTTP attempt into the retry policy's input, and a final failure into the typed
// ApiError with a message that says what to do next.
#include <string>

#include "ccu/gist/errors.hpp"
#include "ccu/gist/retry_policy.hpp"
#include "ccu/gist/curl_session.hpp"

namespace ccu::gist {

ApiError error_for_transport(const TransportError& error, RequestSafety safety, int attempts);

// Where a request went: the API, or a raw_url file download.
enum class Endpoint { Api, Raw };

// `gist_id` names the gist the request was about ("" when none), for the 404 message.
ApiError error_for_response(const std::string& method, const HttpResponse& response, const std::string& message,
                            const RetryDecision& decision, Endpoint endpoint, const std::string& gist_id,
                            int attempts);

ApiError unexpected_document(const std::string& what);

}  // namespace ccu::gist
