// The bytes of an HTTP/1.1 response head, written by hand rather than through Beast's serializer:
// one string per response, reused across requests on a connection, sent with the body in one
// gather write. Also the small pieces of RFC 9110/9112 the session needs. No Boost here, so these
// are unit-tested directly. Thread-safe (pure functions; the date cache is per thread).
// https://www.rfc-editor.org/rfc/rfc9112#section-4 (status line),
// https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7 (IMF-fixdate)
#pragma once

#include <cstddef>
#include <ctime>
#include <string>
#include <string_view>

#include "server/http/message.h"

namespace schakel::server::http {

// "OK", "Not Found", ...; empty for codes without a registered phrase (allowed by RFC 9112).
std::string_view ReasonPhrase(int status);

// "Sun, 06 Nov 1994 08:49:37 GMT".
std::string FormatHttpDate(std::time_t time);
// The current time as an IMF-fixdate, formatted at most once per second per thread.
std::string_view CurrentHttpDate();

// The request-target without its query (and fragment): what may go into logs.
std::string_view PathOf(std::string_view target);

// RFC 9110 field-name (a token) and field-value (no CR, LF or NUL; other controls but HTAB are
// refused too). Guards against response splitting by a header an application copied from input.
bool IsValidFieldName(std::string_view name);
bool IsValidFieldValue(std::string_view value);

// Whether a response with this status carries content (not 1xx, 204, 304).
bool StatusAllowsBody(int status);

struct ResponseHead {
  std::size_t content_length = 0;  // what the body is, also for HEAD (RFC 9110 section 9.3.2)
  bool close = false;              // send `Connection: close`
  bool keep_alive = false;         // send `Connection: keep-alive` (HTTP/1.0 client asked for it)
  std::string_view server;         // the Server header; omitted when empty
  std::string_view date;           // the Date header; omitted when empty
};

// Appends the status line and the header block of `response` to `out` (its status must be
// 100..999; the body is not touched). The application's Content-Length, Transfer-Encoding,
// Connection, Keep-Alive, Date and Server fields are replaced by the ones `head` describes; fields
// with an invalid name or value are dropped. Returns the number of fields dropped as invalid.
int AppendResponseHead(const Response& response, const ResponseHead& head, std::string& out);

}  // namespace schakel::server::http
