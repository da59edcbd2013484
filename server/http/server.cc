// Server::Impl: the io_context and its threads, signals, and the shutdown sequence.
//
// Shutdown, all on the server's strand:
//   1. Stop() (or a signal) posts BeginShutdown, once.
//   2. BeginShutdown closes the acceptor, stops listening for signals (restoring their default
//      action, so a second Ctrl-C kills the process), marks the session registry as shutting down
//      (no new sessions), tells every live session to Shutdown(), and arms the grace timer.
//   3. Sessions close as they become idle; the last one to leave the registry posts OnDrained,
//      which cancels the timer. With nothing left to do, io_context::run() returns on every
//      thread and Run() returns.
//   4. If the grace period passes first, every remaining session is closed by force (pending
//      responses are dropped), and a moment later the io_context is stopped outright in case
//      something still holds it.
#include "server/http/server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <csignal>
#include <exception>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "server/http/listener.h"
#include "server/http/server_context.h"

namespace schakel::server::http {

namespace asio = boost::asio;

namespace {

// After the grace period sessions are closed by force; this is how long they get to go.
constexpr std::chrono::seconds kForceCloseWait{2};
constexpr int kMaxThreads = 256;

}  // namespace

struct Server::Impl {
  Impl(ServerOptions options, Handler handler, ErrorResponder error_responder, Logger& logger)
      : context(std::move(options), std::move(handler), std::move(error_responder), logger),
        io_context(std::clamp(context.options.threads, 1, kMaxThreads)),
        strand(asio::make_strand(io_context)),
        signals(strand),
        shutdown_timer(strand) {}

  ~Impl() {
    // Sessions destroyed along with the io_context's pending handlers must not post into it.
    context.sessions.ClearOnDrained();
  }

  void RunThread() {
    for (;;) {
      try {
        io_context.run();
        return;
      } catch (const std::exception& e) {
        context.logger.Error("io_thread_exception", {{"error", e.what()}});
      } catch (...) {
        context.logger.Error("io_thread_exception", {{"error", "unknown exception"}});
      }
    }
  }

  void WaitForSignal() {
    signals.async_wait([this](const boost::system::error_code& ec, int signal_number) {
      if (ec) return;
      context.logger.Info("signal", {{"signal", std::to_string(signal_number)}});
      RequestStop();
    });
  }

  void RequestStop() {
    if (stop_requested.exchange(true)) return;
    asio::post(strand, [this] { BeginShutdown(); });
  }

  void BeginShutdown() {
    if (listener) listener->Close();
    boost::system::error_code ec;
    signals.cancel(ec);
    signals.clear(ec);
    std::vector<std::shared_ptr<SessionControl>> live =
        context.sessions.BeginShutdown([this] { asio::post(strand, [this] { OnDrained(); }); });
    context.logger.Info("shutdown", {{"connections", std::to_string(live.size())}});
    for (const auto& session : live) session->Shutdown();
    shutdown_timer.expires_after(context.options.shutdown_grace);
    shutdown_timer.async_wait([this](const boost::system::error_code& wait_ec) {
      if (!wait_ec) OnGraceExpired();
    });
  }

  void OnDrained() {
    drained = true;
    shutdown_timer.cancel();
  }

  void OnGraceExpired() {
    if (drained) return;
    std::vector<std::shared_ptr<SessionControl>> live = context.sessions.Live();
    context.logger.Warn("shutdown_grace_expired", {{"connections", std::to_string(live.size())}});
    for (const auto& session : live) session->ForceClose();
    shutdown_timer.expires_after(kForceCloseWait);
    shutdown_timer.async_wait([this](const boost::system::error_code& wait_ec) {
      if (wait_ec || drained) return;
      context.logger.Error("shutdown_forced", {});
      io_context.stop();
    });
  }

  // Declaration order is destruction order in reverse: the context outlives the io_context
  // (sessions destroyed with it still use the registry and the logger), and every I/O object
  // goes before the io_context.
  ServerContext context;
  asio::io_context io_context;
  asio::strand<asio::io_context::executor_type> strand;  // shutdown state, signals, timer
  asio::signal_set signals;
  asio::steady_timer shutdown_timer;
  std::shared_ptr<Listener> listener;  // set by Listen(), before Run()
  std::atomic<bool> stop_requested{false};
  bool drained = false;  // on strand
};

Server::Server(ServerOptions options, Handler handler, ErrorResponder error_responder,
               Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler),
                                   std::move(error_responder), logger)) {}

Server::~Server() = default;

fhir::Result<std::uint16_t> Server::Listen() {
  if (impl_->listener) return fhir::Status::Internal("Server::Listen() called twice");
  auto listener = std::make_shared<Listener>(impl_->io_context, impl_->context);
  fhir::Result<std::uint16_t> port =
      listener->Open(impl_->context.options.host, impl_->context.options.port);
  if (!port.ok()) return port;
  impl_->listener = std::move(listener);
  impl_->listener->Start();
  impl_->context.logger.Info(
      "listening", {{"host", impl_->context.options.host}, {"port", std::to_string(*port)}});
  return port;
}

void Server::Run() {
  if (!impl_->listener) {
    impl_->context.logger.Error("run_without_listen", {});
    return;
  }
  if (impl_->context.options.handle_signals && !impl_->stop_requested.load()) {
    boost::system::error_code ec;
    impl_->signals.add(SIGINT, ec);
    impl_->signals.add(SIGTERM, ec);
    if (ec) {
      impl_->context.logger.Warn("signals_unavailable", {{"error", ec.message()}});
    } else {
      impl_->WaitForSignal();
    }
  }
  const int threads = std::clamp(impl_->context.options.threads, 1, kMaxThreads);
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads - 1));
  for (int i = 1; i < threads; ++i) pool.emplace_back([this] { impl_->RunThread(); });
  impl_->RunThread();
  for (std::thread& thread : pool) thread.join();
  impl_->context.logger.Info("stopped", {});
}

void Server::Stop() { impl_->RequestStop(); }

}  // namespace schakel::server::http
