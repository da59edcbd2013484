// What the listener, the sessions and the server share: the options, the application callbacks,
// the logger, and the registry of live sessions (to reach idle ones on shutdown and to cap the
// number of connections). Internal to server/http/; no Boost here.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "server/http/message.h"
#include "server/http/server.h"
#include "server/log/logger.h"

namespace schakel::server::http {

// The view the server has of one connection. Both calls are thread-safe (they post onto the
// session's strand) and may be called at any time, also after the connection closed.
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  // Graceful: close now if waiting for a request; otherwise answer the current request with
  // `Connection: close` and close after it.
  virtual void Shutdown() = 0;
  // Close the connection now, whatever it is doing; a pending response is dropped.
  virtual void ForceClose() = 0;
};

// The live sessions: added when a connection is accepted, removed when it closes. A mutex guards
// the map; sessions touch it twice per connection, never per request. Thread-safe.
class SessionRegistry {
 public:
  enum class AddResult { kAdded, kFull, kShuttingDown };

  explicit SessionRegistry(std::size_t max_sessions) : max_sessions_(max_sessions) {}
  SessionRegistry(const SessionRegistry&) = delete;
  SessionRegistry& operator=(const SessionRegistry&) = delete;

  AddResult Add(SessionControl* key, std::weak_ptr<SessionControl> session);
  // Idempotent. When shutting down and this removes the last session, calls on_drained.
  void Remove(SessionControl* key);

  // From now on Add() refuses. Returns the live sessions. `on_drained` is called once, when no
  // session is left (at once, from this call, if there is none); it may run on any thread.
  std::vector<std::shared_ptr<SessionControl>> BeginShutdown(std::function<void()> on_drained);
  // Forgets on_drained (called before the owner of the callback goes away).
  void ClearOnDrained();

  std::vector<std::shared_ptr<SessionControl>> Live() const;
  std::size_t size() const;
  // Cheap; sessions read it at every request boundary.
  bool shutting_down() const { return shutting_down_.load(std::memory_order_acquire); }

 private:
  const std::size_t max_sessions_;
  std::atomic<bool> shutting_down_{false};
  mutable std::mutex mutex_;
  std::unordered_map<SessionControl*, std::weak_ptr<SessionControl>> sessions_;  // by mutex_
  std::function<void()> on_drained_;                                             // by mutex_
};

struct ServerContext {
  ServerContext(ServerOptions options_in, Handler handler_in, ErrorResponder error_responder_in,
                Logger& logger_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        error_responder(std::move(error_responder_in)),
        logger(logger_in),
        sessions(options.max_connections) {}

  const ServerOptions options;
  const Handler handler;
  const ErrorResponder error_responder;
  Logger& logger;
  SessionRegistry sessions;
};

// The response the HTTP layer sends for an error it detects itself: the ErrorResponder's, or a
// plain-text one if the ErrorResponder throws (it must not, but this is the last resort).
Response MakeErrorResponse(const ServerContext& context, int status, std::string message);

}  // namespace schakel::server::http
