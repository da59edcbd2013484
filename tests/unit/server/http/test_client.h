// A tiny blocking HTTP/1.1 client on raw POSIX sockets, for the HTTP server tests: it can send
// anything (malformed requests, half requests, pipelined requests in one write) and reads
// responses with a receive timeout, so a test never hangs on a misbehaving server.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/message.h"

namespace schakel::server::http::testing {

struct ClientResponse {
  int status = 0;
  std::vector<HeaderField> headers;
  std::string body;

  std::string Header(std::string_view name) const {
    for (const auto& h : headers) {
      if (EqualsIgnoreCase(h.name, name)) return h.value;
    }
    return {};
  }
  bool HasHeader(std::string_view name) const {
    for (const auto& h : headers) {
      if (EqualsIgnoreCase(h.name, name)) return true;
    }
    return false;
  }
};

class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port,
                         std::chrono::milliseconds receive_timeout = std::chrono::seconds(5)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(receive_timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((receive_timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // Reads one response. `head` says the request was HEAD (no body follows the header).
  std::optional<ClientResponse> ReadResponse(bool head = false) {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    std::string_view block(buffer_.data(), end);
    ClientResponse response;
    std::size_t line_end = block.find("\r\n");
    std::string_view status_line = block.substr(0, line_end);
    if (status_line.substr(0, 9) != "HTTP/1.1 " || status_line.size() < 12) return std::nullopt;
    response.status = std::stoi(std::string(status_line.substr(9, 3)));
    while (line_end != std::string_view::npos) {
      std::size_t start = line_end + 2;
      line_end = block.find("\r\n", start);
      std::string_view line = block.substr(
          start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    buffer_.erase(0, end + 4);
    bool has_body =
        !head && response.status >= 200 && response.status != 204 && response.status != 304;
    if (has_body) {
      std::string length = response.Header("Content-Length");
      if (length.empty()) return std::nullopt;  // the server always sends one
      std::size_t size = std::stoul(length);
      while (buffer_.size() < size) {
        if (!Fill()) return std::nullopt;
      }
      response.body = buffer_.substr(0, size);
      buffer_.erase(0, size);
    }
    return response;
  }

  // True when the server closes the connection (EOF or reset) before the receive timeout;
  // whatever it still sends is added to pending(). Then closes our end too, as a real client
  // does (the server lingers until it sees that).
  bool WaitForClose() {
    for (;;) {
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      bool closed = n == 0 || errno == ECONNRESET || errno == EPIPE;
      if (closed) {
        ::close(fd_);
        fd_ = -1;
      }
      return closed;
    }
  }

  // Bytes received but not yet consumed by ReadResponse.
  const std::string& pending() const { return buffer_; }

 private:
  bool Fill() {
    char chunk[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
  }

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace schakel::server::http::testing
