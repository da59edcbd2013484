#include "server/http/wire.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace schakel::server::http {
namespace {

// Fields the HTTP layer owns: the application's values would break framing or duplicate ours.
constexpr std::string_view kManagedFields[] = {
    "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Date", "Server"};

bool IsManagedField(std::string_view name) {
  for (std::string_view managed : kManagedFields) {
    if (EqualsIgnoreCase(name, managed)) return true;
  }
  return false;
}

bool IsTchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

void AppendNumber(std::string& out, std::size_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, end);
}

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += "\r\n";
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 203:
      return "Non-Authoritative Information";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 207:
      return "Multi-Status";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return {};
  }
}

std::string FormatHttpDate(std::time_t time) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[32];
  int n = std::snprintf(buffer, sizeof(buffer), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                        kDays[tm.tm_wday % 7], tm.tm_mday, kMonths[tm.tm_mon % 12],
                        tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (n < 0) return {};
  return std::string(buffer, static_cast<std::size_t>(n) < sizeof(buffer)
                                 ? static_cast<std::size_t>(n)
                                 : sizeof(buffer) - 1);
}

std::string_view CurrentHttpDate() {
  thread_local std::time_t cached_time = -1;
  thread_local std::string cached;
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  if (now != cached_time) {
    cached = FormatHttpDate(now);
    cached_time = now;
  }
  return cached;
}

std::string_view PathOf(std::string_view target) {
  std::size_t end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

bool IsValidFieldName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsTchar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsValidFieldValue(std::string_view value) {
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
  }
  return true;
}

bool StatusAllowsBody(int status) { return status >= 200 && status != 204 && status != 304; }

int AppendResponseHead(const Response& response, const ResponseHead& head, std::string& out) {
  int dropped = 0;
  out += "HTTP/1.1 ";
  AppendNumber(out, static_cast<std::size_t>(response.status));
  out += ' ';
  out += ReasonPhrase(response.status);
  out += "\r\n";
  if (!head.date.empty()) AppendField(out, "Date", head.date);
  if (!head.server.empty()) AppendField(out, "Server", head.server);
  for (const HeaderField& field : response.headers) {
    if (IsManagedField(field.name)) continue;
    if (!IsValidFieldName(field.name) || !IsValidFieldValue(field.value)) {
      ++dropped;
      continue;
    }
    AppendField(out, field.name, field.value);
  }
  if (StatusAllowsBody(response.status)) {
    out += "Content-Length: ";
    AppendNumber(out, head.content_length);
    out += "\r\n";
  }
  if (head.close) {
    out += "Connection: close\r\n";
  } else if (head.keep_alive) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return dropped;
}

}  // namespace schakel::server::http
