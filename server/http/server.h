// The HTTP/1.1 server: Boost.Beast on an io_context with N threads.
//
// One session per connection, on its own strand; requests on a connection are handled one at a
// time, in order (pipelined requests wait in the read buffer), so responses never overtake each
// other. Every read has a deadline; headers and bodies have size limits; 100-continue is honoured.
// Stop() (or SIGINT/SIGTERM when handle_signals) stops accepting, lets in-flight requests finish
// and be answered, closes idle connections, and then Run() returns.
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
  std::size_t max_body_bytes = 16 * 1024 * 1024;  // larger bodies get 413
  std::size_t max_header_bytes = 16 * 1024;       // larger request headers get 431
  std::chrono::seconds read_timeout{30};          // per request: headers and body
  std::chrono::seconds idle_timeout{60};          // keep-alive connection with no request
  std::chrono::seconds shutdown_grace{30};        // in-flight requests get this long on Stop()
  bool handle_signals = true;                     // SIGINT/SIGTERM call Stop()
  std::string server_header = "Schakel";
};

class Server {
 public:
  Server(ServerOptions options, Handler handler, ErrorResponder error_responder, Logger& logger);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Returns the real port (useful with port 0).
  fhir::Result<std::uint16_t> Listen();
  // Serves on `threads` threads until stopped; returns after a graceful shutdown.
  void Run();
  // Thread-safe; may be called from any thread or a signal handler context via asio.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace schakel::server::http
