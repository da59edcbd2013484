// The only integration-test file that includes Boost.Beast (compile time).
#include "integration/http_client.h"

#include <poll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <optional>
#include <sstream>

namespace schakel::integration {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t kMaxResponseBody = 256 * 1024 * 1024;
constexpr std::size_t kMaxResponseHeader = 1024 * 1024;
constexpr std::size_t kDescribeBodyBytes = 4000;

// Runs one asynchronous operation to completion on `ioc` and returns its error code. The operation
// is started by `start(handler)`; tcp_stream deadlines bound how long it can take.
template <class Start>
beast::error_code RunOne(asio::io_context& ioc, Start&& start) {
  beast::error_code result = asio::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

bool IsBodyMethod(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

const char* TransportName(TransportError error) {
  switch (error) {
    case TransportError::kNone:
      return "none";
    case TransportError::kConnect:
      return "connect failed";
    case TransportError::kWrite:
      return "write failed";
    case TransportError::kNoResponse:
      return "no response";
    case TransportError::kPartialResponse:
      return "partial response";
  }
  return "?";
}

bool HasHeaderIn(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return true;
  }
  return false;
}

// Reads one response from `stream` into `out`. `head` skips the body (a HEAD request).
void ReadOneResponse(asio::io_context& ioc, beast::tcp_stream& stream, beast::flat_buffer& buffer,
                     bool head, std::chrono::milliseconds timeout, Response& out,
                     bool* keep_alive) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  parser.header_limit(static_cast<std::uint32_t>(kMaxResponseHeader));
  if (head) parser.skip(true);
  stream.expires_after(timeout);
  beast::error_code ec =
      RunOne(ioc, [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
  if (ec) {
    out.transport =
        parser.got_some() ? TransportError::kPartialResponse : TransportError::kNoResponse;
    out.error = "read: " + ec.message();
    *keep_alive = false;
    return;
  }
  const auto& message = parser.get();
  out.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = message.body();
  *keep_alive = message.keep_alive();
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

bool Response::HasHeader(std::string_view name) const { return HasHeaderIn(headers, name); }

std::string Response::Describe() const {
  std::ostringstream out;
  out << request << " -> ";
  if (transport != TransportError::kNone) {
    out << "transport error (" << TransportName(transport) << "): " << error;
    return out.str();
  }
  out << "HTTP " << status << "\n";
  for (const auto& [key, value] : headers) {
    out << "  " << key << ": " << (value.size() > 200 ? value.substr(0, 200) + "..." : value)
        << "\n";
  }
  if (body.size() > kDescribeBodyBytes) {
    out << body.substr(0, kDescribeBodyBytes) << "... (" << body.size() << " bytes)";
  } else {
    out << body;
  }
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Response& response) {
  return out << "\n" << response.Describe();
}

struct HttpClient::Impl {
  explicit Impl(std::chrono::milliseconds t) : timeout(t) {}

  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout;
  int connects = 0;
  int requests_on_connection = 0;

  void Close() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->socket().close(ignored);
      stream.reset();
    }
    buffer.clear();
    requests_on_connection = 0;
  }

  // True when the idle connection has something to read: the server closed it (EOF) or sent
  // something unasked; either way it cannot be reused.
  bool Stale() {
    if (!stream || !stream->socket().is_open()) return true;
    pollfd fd{stream->socket().native_handle(), POLLIN, 0};
    return poll(&fd, 1, 0) != 0;
  }

  std::string Connect(std::uint16_t port) {
    Close();
    stream.emplace(ioc);
    stream->expires_after(timeout);
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    beast::error_code ec =
        RunOne(ioc, [&](auto handler) { stream->async_connect(endpoint, handler); });
    if (ec) {
      stream.reset();
      return "connect to 127.0.0.1:" + std::to_string(port) + ": " + ec.message();
    }
    ++connects;
    stream->socket().set_option(tcp::no_delay(true), ec);
    return {};
  }
};

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : port_(port), impl_(std::make_unique<Impl>(timeout)) {}

HttpClient::~HttpClient() { impl_->Close(); }

void HttpClient::Close() { impl_->Close(); }

int HttpClient::connect_count() const { return impl_->connects; }

Response HttpClient::Get(const std::string& target, const HeaderList& headers) {
  return Send("GET", target, headers, "");
}

Response HttpClient::Head(const std::string& target, const HeaderList& headers) {
  return Send("HEAD", target, headers, "");
}

Response HttpClient::Delete(const std::string& target, const HeaderList& headers) {
  return Send("DELETE", target, headers, "");
}

Response HttpClient::Post(const std::string& target, const std::string& body,
                          const HeaderList& headers) {
  HeaderList all = headers;
  if (!HasHeaderIn(all, "Content-Type")) all.emplace_back("Content-Type", "application/fhir+json");
  return Send("POST", target, all, body);
}

Response HttpClient::Put(const std::string& target, const std::string& body,
                         const HeaderList& headers) {
  HeaderList all = headers;
  if (!HasHeaderIn(all, "Content-Type")) all.emplace_back("Content-Type", "application/fhir+json");
  return Send("PUT", target, all, body);
}

Response HttpClient::Send(const std::string& method, const std::string& target,
                          const HeaderList& headers, const std::string& body) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  if (!HasHeaderIn(headers, "Host"))
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  if (!HasHeaderIn(headers, "User-Agent")) request.set(http::field::user_agent, "schakel-it");
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = body;
  if (!HasHeaderIn(headers, "Content-Length") && !HasHeaderIn(headers, "Transfer-Encoding") &&
      (!body.empty() || IsBodyMethod(method))) {
    request.prepare_payload();
  }
  const bool retry_allowed = method == "GET" || method == "HEAD";

  for (int attempt = 0;; ++attempt) {
    Response response;
    response.request = method + " " + target;
    bool reused = true;
    if (impl_->Stale()) {
      reused = false;
      if (std::string error = impl_->Connect(port_); !error.empty()) {
        response.transport = TransportError::kConnect;
        response.error = error;
        return response;
      }
    }
    impl_->stream->expires_after(impl_->timeout);
    beast::error_code ec = RunOne(
        impl_->ioc, [&](auto handler) { http::async_write(*impl_->stream, request, handler); });
    bool keep_alive = false;
    // Even when the write failed, the server may have answered early (413, 431) and closed the
    // connection; that answer may be waiting to be read.
    ReadOneResponse(impl_->ioc, *impl_->stream, impl_->buffer, method == "HEAD", impl_->timeout,
                    response, &keep_alive);
    if (ec && !response.complete()) {
      response.transport = TransportError::kWrite;
      response.error = "write: " + ec.message() + "; " + response.error;
    }
    if (!keep_alive) impl_->Close();
    const bool nothing_back = response.transport == TransportError::kWrite ||
                              response.transport == TransportError::kNoResponse;
    if (nothing_back && reused && retry_allowed && attempt == 0) {
      impl_->Close();
      continue;
    }
    return response;
  }
}

Response SendRaw(std::uint16_t port, const std::string& raw, std::chrono::milliseconds timeout) {
  return SendRawReadMany(port, raw, 1, timeout).front();
}

std::vector<Response> SendRawReadMany(std::uint16_t port, const std::string& raw, int count,
                                      std::chrono::milliseconds timeout) {
  std::vector<Response> responses;
  Response failed;
  failed.request = raw.substr(0, std::min<std::size_t>(raw.find('\n'), 80));
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  beast::error_code ec =
      RunOne(ioc, [&](auto handler) { stream.async_connect(endpoint, handler); });
  if (ec) {
    failed.transport = TransportError::kConnect;
    failed.error = "connect: " + ec.message();
    responses.push_back(failed);
    return responses;
  }
  stream.expires_after(timeout);
  ec = RunOne(ioc, [&](auto handler) { asio::async_write(stream, asio::buffer(raw), handler); });
  // A write error may just mean the server already answered and closed; still try to read.
  const std::string write_error = ec ? "write: " + ec.message() + "; " : "";
  beast::flat_buffer buffer;
  for (int i = 0; i < count; ++i) {
    Response response;
    response.request = failed.request + " (response " + std::to_string(i + 1) + ")";
    bool keep_alive = false;
    ReadOneResponse(ioc, stream, buffer, false, timeout, response, &keep_alive);
    if (!response.error.empty()) response.error = write_error + response.error;
    const bool complete = response.complete();
    responses.push_back(std::move(response));
    if (!complete) break;
  }
  beast::error_code ignored;
  stream.socket().close(ignored);
  return responses;
}

struct RawConnection::Impl {
  explicit Impl(std::chrono::milliseconds t) : stream(ioc), timeout(t) {}
  asio::io_context ioc;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout;
};

RawConnection::RawConnection(std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(timeout)) {}

RawConnection::~RawConnection() {
  beast::error_code ignored;
  impl_->stream.socket().close(ignored);
}

std::string RawConnection::Connect(std::uint16_t port) {
  impl_->stream.expires_after(impl_->timeout);
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  beast::error_code ec =
      RunOne(impl_->ioc, [&](auto handler) { impl_->stream.async_connect(endpoint, handler); });
  return ec ? "connect: " + ec.message() : std::string();
}

std::string RawConnection::Write(const std::string& bytes) {
  impl_->stream.expires_after(impl_->timeout);
  beast::error_code ec = RunOne(impl_->ioc, [&](auto handler) {
    asio::async_write(impl_->stream, asio::buffer(bytes), handler);
  });
  return ec ? "write: " + ec.message() : std::string();
}

std::string RawConnection::ReadUntil(const std::string& delimiter) {
  while (true) {
    const auto data = impl_->buffer.data();
    std::string_view have(static_cast<const char*>(data.data()), data.size());
    if (std::size_t at = have.find(delimiter); at != std::string_view::npos) {
      std::string out(have.substr(0, at + delimiter.size()));
      impl_->buffer.consume(out.size());
      return out;
    }
    impl_->stream.expires_after(impl_->timeout);
    std::size_t read = 0;
    beast::error_code ec = asio::error::would_block;
    auto space = impl_->buffer.prepare(4096);
    impl_->stream.async_read_some(space, [&](beast::error_code e, std::size_t n) {
      ec = e;
      read = n;
    });
    impl_->ioc.restart();
    impl_->ioc.run();
    impl_->buffer.commit(read);
    if (ec) return {};
  }
}

Response RawConnection::ReadResponse() {
  Response response;
  response.request = "raw connection";
  bool keep_alive = false;
  ReadOneResponse(impl_->ioc, impl_->stream, impl_->buffer, false, impl_->timeout, response,
                  &keep_alive);
  return response;
}

}  // namespace schakel::integration
