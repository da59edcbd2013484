// The HTTP/1.1 server: Boost.Beast on an io_context with N threads.
//
// One session per connection, on its own strand; requests on a connection are handled one at a
// time, in order (pipelined requests wait in the read buffer), so responses never overtake each
// other. Every read has a deadline; headers and bodies have size limits; 100-continue is honoured.
// Stop() (or SIGINT/SIGTERM when handle_signals) stops accepting, lets in-flight requests finish
// and be answered, closes idle connections, and then Run() returns.
//
// Shutdown in detail: the acceptor closes at once; connections waiting for a request close at
// once; a connection in the middle of reading a request may finish reading it (within
// read_timeout), is answered and then closed; a request being handled is answered with
// `Connection: close`. After shutdown_grace whatever remains is closed by force and pending
// responses are dropped.
//
// Lifetime: destroy the Server only after Run() has returned (or if it was never called). Every
// Respond given to the Handler must be called or destroyed before the Server is destroyed (a
// Respond keeps its connection alive, and the connection refers to the server's io_context).
// After Run() has returned a late Respond is harmless: it is dropped. A Respond destroyed without
// being called closes its connection (and logs an error). The Logger must outlive the Server.
//
// Implementation: listener.h (accept loop), session.h (one connection), server.cc (io_context,
// threads, signals, shutdown). Beast and Asio stay in server/http/*.cc and the internal headers
// listener.h, session.h and request_parser.h, which nothing outside server/http/ includes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "fhir/status.h"
#include "server/http/message.h"
#include "server/log/logger.h"

namespace schakel::server::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  int threads = 2;
  std::size_t max_body_bytes = std::size_t{16} << 20;    // larger bodies get 413
  std::size_t max_header_bytes = std::size_t{16} << 10;  // larger request headers get 431
  std::chrono::seconds read_timeout{30};    // per request: headers and body; per response
  std::chrono::seconds idle_timeout{60};    // keep-alive connection with no request
  std::chrono::seconds shutdown_grace{30};  // in-flight requests get this long on Stop()
  std::size_t max_connections = 10000;      // accepted connections beyond this are closed
  bool handle_signals = true;               // SIGINT/SIGTERM call Stop()
  std::string server_header = "Schakel";
  // When set, every access-log line carries it as a "warning" field (e.g. that access control
  // is off).
  std::string access_log_warning;
};

class Server {
 public:
  Server(ServerOptions options, Handler handler, ErrorResponder error_responder, Logger& logger);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Returns the real port (useful with port 0), or Unavailable (address in
  // use, not available, permission denied) / Internal with the OS message. Call once, before Run().
  fhir::Result<std::uint16_t> Listen();
  // Serves on `threads` threads (the calling thread is one of them) until stopped; returns after
  // the graceful shutdown, on every thread. Returns at once if Listen() did not succeed. Call once.
  void Run();
  // Begins the graceful shutdown. Thread-safe and idempotent; may be called from any thread, from
  // a Handler, and before Run() (Run() then returns as soon as the shutdown is done).
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace schakel::server::http
