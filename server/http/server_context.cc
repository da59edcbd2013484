#include "server/http/server_context.h"

#include <exception>
#include <string>
#include <utility>

namespace schakel::server::http {

SessionRegistry::AddResult SessionRegistry::Add(SessionControl* key,
                                                std::weak_ptr<SessionControl> session) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shutting_down_.load(std::memory_order_relaxed)) return AddResult::kShuttingDown;
  if (sessions_.size() >= max_sessions_) return AddResult::kFull;
  sessions_.emplace(key, std::move(session));
  return AddResult::kAdded;
}

void SessionRegistry::Remove(SessionControl* key) {
  std::function<void()> on_drained;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (sessions_.erase(key) == 0) return;
    if (!sessions_.empty() || !shutting_down_.load(std::memory_order_relaxed)) return;
    on_drained = std::move(on_drained_);
    on_drained_ = nullptr;
  }
  if (on_drained) on_drained();
}

std::vector<std::shared_ptr<SessionControl>> SessionRegistry::BeginShutdown(
    std::function<void()> on_drained) {
  std::vector<std::shared_ptr<SessionControl>> live;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shutting_down_.store(true, std::memory_order_release);
    live.reserve(sessions_.size());
    for (const auto& [key, weak] : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    if (!sessions_.empty()) {
      on_drained_ = std::move(on_drained);
      return live;
    }
  }
  if (on_drained) on_drained();
  return live;
}

void SessionRegistry::ClearOnDrained() {
  std::lock_guard<std::mutex> lock(mutex_);
  on_drained_ = nullptr;
}

std::vector<std::shared_ptr<SessionControl>> SessionRegistry::Live() const {
  std::vector<std::shared_ptr<SessionControl>> live;
  std::lock_guard<std::mutex> lock(mutex_);
  live.reserve(sessions_.size());
  for (const auto& [key, weak] : sessions_) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  return live;
}

std::size_t SessionRegistry::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.size();
}

Response MakeErrorResponse(const ServerContext& context, int status, std::string message) {
  if (context.error_responder) {
    try {
      Response response = context.error_responder(status, message);
      response.status = status;
      return response;
    } catch (const std::exception& e) {
      context.logger.Error("error_responder_failed", {{"error", e.what()}});
    } catch (...) {
      context.logger.Error("error_responder_failed", {{"error", "unknown exception"}});
    }
  }
  Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  response.body = std::move(message);
  response.body += '\n';
  return response;
}

}  // namespace schakel::server::http
