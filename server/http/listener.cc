#include "server/http/listener.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <utility>

#include "server/http/session.h"

namespace schakel::server::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// After an accept error (out of file descriptors, ...) wait before trying again, instead of
// spinning on an error that will not go away by itself.
constexpr std::chrono::milliseconds kAcceptBackoff{100};
constexpr std::chrono::seconds kLogInterval{1};

fhir::Status ListenError(const std::string& what, const std::string& host, std::uint16_t port,
                         const boost::system::error_code& ec) {
  std::string message =
      "cannot " + what + " " + host + ":" + std::to_string(port) + ": " + ec.message();
  if (ec == asio::error::address_in_use || ec == asio::error::access_denied ||
      ec == asio::error::address_family_not_supported ||
      ec == boost::system::errc::address_not_available) {
    return fhir::Status::Unavailable(std::move(message));
  }
  return fhir::Status::Internal(std::move(message));
}

}  // namespace

Listener::Listener(asio::io_context& io_context, ServerContext& context)
    : io_context_(io_context),
      context_(context),
      strand_(asio::make_strand(io_context)),
      acceptor_(strand_),
      backoff_(strand_) {}

fhir::Result<std::uint16_t> Listener::Open(const std::string& host, std::uint16_t port) {
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, port);
  } else {
    tcp::resolver resolver(io_context_);
    auto results = resolver.resolve(host, std::to_string(port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      return fhir::Status::Unavailable("cannot resolve " + host + ": " +
                                       (ec ? ec.message() : std::string("no address")));
    }
    endpoint = results.begin()->endpoint();
  }
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return ListenError("open a socket for", host, port, ec);
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return ListenError("set SO_REUSEADDR for", host, port, ec);
  acceptor_.bind(endpoint, ec);
  if (ec) return ListenError("bind to", host, port, ec);
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ListenError("listen on", host, port, ec);
  tcp::endpoint local = acceptor_.local_endpoint(ec);
  if (ec) return ListenError("read the address of", host, port, ec);
  return local.port();
}

void Listener::Start() {
  asio::dispatch(strand_, [self = shared_from_this()] { self->DoAccept(); });
}

void Listener::Close() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    self->closed_ = true;
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->backoff_.cancel();
  });
}

void Listener::DoAccept() {
  if (closed_) return;
  // Each connection gets a strand of its own: its handlers never run concurrently.
  acceptor_.async_accept(
      asio::make_strand(io_context_),
      [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void Listener::OnAccept(const boost::system::error_code& ec, tcp::socket socket) {
  if (closed_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    if (ShouldLog()) context_.logger.Warn("accept_failed", {{"error", ec.message()}});
    backoff_.expires_after(kAcceptBackoff);
    backoff_.async_wait([self = shared_from_this()](const boost::system::error_code& wait_ec) {
      if (!wait_ec) self->DoAccept();
    });
    return;
  }
  if (StartSession(std::move(socket), context_) == SessionRegistry::AddResult::kFull &&
      ShouldLog()) {
    context_.logger.Warn("connection_refused",
                         {{"reason", "limit"},
                          {"max_connections", std::to_string(context_.options.max_connections)}});
  }
  DoAccept();
}

bool Listener::ShouldLog() {
  auto now = std::chrono::steady_clock::now();
  if (last_log_ != std::chrono::steady_clock::time_point{} && now - last_log_ < kLogInterval) {
    return false;
  }
  last_log_ = now;
  return true;
}

}  // namespace schakel::server::http
