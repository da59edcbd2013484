// The accept loop: one acceptor on its own strand; each accepted connection gets a strand of its
// own and becomes a session. Internal to server/http/ (it includes Asio); server.cc is its only
// user.
//
// Thread-safe: Close() may be called from any thread; the rest runs on the listener's strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "fhir/status.h"
#include "server/http/server_context.h"

namespace schakel::server::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // `context` must outlive the listener (and every session it starts).
  Listener(boost::asio::io_context& io_context, ServerContext& context);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Opens, binds and listens (synchronously). Returns the bound port, or Unavailable (address in
  // use, not available, access denied, host not resolvable) / Internal, with the OS message.
  fhir::Result<std::uint16_t> Open(const std::string& host, std::uint16_t port);
  // Starts accepting; the work happens on the io_context's threads.
  void Start();
  // Stops accepting and closes the acceptor. Idempotent.
  void Close();

 private:
  void DoAccept();
  void OnAccept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
  // Logs at most once per second, so a flood of refused connections does not flood the log.
  bool ShouldLog();

  boost::asio::io_context& io_context_;
  ServerContext& context_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;  // after an accept error such as EMFILE
  bool closed_ = false;
  std::chrono::steady_clock::time_point last_log_{};
};

}  // namespace schakel::server::http
