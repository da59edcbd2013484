#include "server/cli/housekeeping.h"

#include <ctime>
#include <string>

namespace schakel::server::cli {

Housekeeping::Housekeeping(store::AuthStore& store, auth::SigningKeyRing& keys, Logger& logger,
                           std::chrono::seconds interval)
    : store_(store), keys_(keys), logger_(logger), interval_(interval) {
  thread_ = std::thread([this] { Loop(); });
}

Housekeeping::~Housekeeping() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Housekeeping::RunOnce() {
  const std::int64_t now = std::time(nullptr);
  fhir::Result<std::int64_t> pruned = store_.Prune(now);
  if (!pruned.ok()) {
    logger_.Warn("auth_prune_failed", {{"error", pruned.status().ToString()}});
  } else if (*pruned > 0) {
    logger_.Debug("auth_pruned", {{"rows", std::to_string(*pruned)}});
  }
  if (fhir::Status s = keys_.Prune(now); !s.ok()) {
    logger_.Warn("signing_keys_prune_failed", {{"error", s.ToString()}});
  }
}

void Housekeeping::Loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    RunOnce();
    lock.lock();
  }
}

}  // namespace schakel::server::cli
