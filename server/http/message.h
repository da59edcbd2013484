// Plain HTTP request and response values: what the HTTP layer (Boost.Beast, confined to
// server/http/) hands to the application, and what it gets back. No sockets, no Beast types.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace schakel::server::http {

struct HeaderField {
  std::string name;
  std::string value;
};

// Case-insensitive ASCII comparison, for header names and tokens.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // the request-target, e.g. "/fhir/Patient/1?_pretty=true"
  std::vector<HeaderField> headers;
  std::string body;
  std::string remote_address;  // peer IP, for logs

  // The first header with this name (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<HeaderField>
      headers;  // Content-Length, Date, Server and Connection are added for you
  std::string body;

  // Replaces any header with the same name.
  void SetHeader(std::string_view name, std::string value);
  std::string_view Header(std::string_view name) const;
};

// Sends the response; may be called from any thread, exactly once.
using Respond = std::function<void(Response)>;

// The application: called on an I/O thread for each request, in order per connection. It must
// call `respond` exactly once, now or later (e.g. after a durable write), and must not block for
// long. Exceptions must not escape it (the HTTP layer answers 500 if one does, as a last resort).
using Handler = std::function<void(Request, Respond)>;

// Builds the response the HTTP layer sends for errors it detects itself before the application
// sees a request (413 body too large, 431 header too large, 400 malformed HTTP, 503 shutting down).
using ErrorResponder = std::function<Response(int status, std::string message)>;

}  // namespace schakel::server::http
