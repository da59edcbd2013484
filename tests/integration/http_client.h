// A small blocking HTTP/1.1 client for integration tests (Boost.Beast behind a pimpl, so only
// http_client.cc pulls in Beast).
//
// One HttpClient holds one keep-alive connection to 127.0.0.1:PORT, opened on first use and
// re-opened when the server closed it. Every network step has a deadline, so a hung server turns
// into a failed Response (status 0, `error` set) instead of a hung test.
//
// Thread safety: one HttpClient per thread; distinct clients are independent.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace schakel::integration {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What happened on the wire when no complete response arrived.
enum class TransportError {
  kNone,
  kConnect,          // could not connect
  kWrite,            // sending the request failed
  kNoResponse,       // the connection ended (or timed out) before any response byte
  kPartialResponse,  // some of a response arrived, then the connection ended or timed out
};

struct Response {
  std::string request;  // "METHOD target", for failure messages
  int status = 0;       // 0 when no complete response arrived
  HeaderList headers;
  std::string body;
  TransportError transport = TransportError::kNone;
  std::string error;  // transport error text

  bool complete() const { return transport == TransportError::kNone && status != 0; }
  // The first header with this name (case-insensitive), or "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // Status, headers and (a prefix of) the body, for assertion messages.
  std::string Describe() const;
};

std::ostream& operator<<(std::ostream& out, const Response& response);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Post and Put add `Content-Type: application/fhir+json` unless `headers` has a Content-Type.
  Response Get(const std::string& target, const HeaderList& headers = {});
  Response Head(const std::string& target, const HeaderList& headers = {});
  Response Delete(const std::string& target, const HeaderList& headers = {});
  Response Post(const std::string& target, const std::string& body, const HeaderList& headers = {});
  Response Put(const std::string& target, const std::string& body, const HeaderList& headers = {});
  // Any method, exactly these headers (plus Host, User-Agent and, with a body, Content-Length).
  Response Send(const std::string& method, const std::string& target, const HeaderList& headers,
                const std::string& body);

  // Closes the connection; the next request opens a new one.
  void Close();
  // How many TCP connections this client has opened so far.
  int connect_count() const;
  std::uint16_t port() const { return port_; }

 private:
  struct Impl;
  std::uint16_t port_;
  std::unique_ptr<Impl> impl_;
};

// Opens a new connection, sends `raw` bytes as they are, and reads one HTTP response (or until the
// server closes the connection or `timeout` passes). For malformed-HTTP tests.
Response SendRaw(std::uint16_t port, const std::string& raw,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
// Like SendRaw, but reads up to `count` responses from the one connection (pipelining); stops at
// the first response that is not complete.
std::vector<Response> SendRawReadMany(std::uint16_t port, const std::string& raw, int count,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A raw connection for step-by-step tests (e.g. Expect: 100-continue): write bytes, read until a
// delimiter, read one response. Every read and write has a deadline.
class RawConnection {
 public:
  explicit RawConnection(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Returns "" or an error message.
  std::string Connect(std::uint16_t port);
  std::string Write(const std::string& bytes);
  // Reads until `delimiter` has arrived and returns everything up to and including it; "" on
  // timeout or when the connection ends first (bytes read stay buffered for ReadResponse).
  std::string ReadUntil(const std::string& delimiter);
  Response ReadResponse();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace schakel::integration
