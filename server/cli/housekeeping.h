// Housekeeping of the authorization server while `schakel serve` runs: every interval, prunes
// DATA/auth.db (expired refresh tokens, revocations and client assertions; and it reloads the
// revoked access tokens, so that a revocation made by another process takes effect) and the
// signing key ring (retired keys whose tokens have all expired).
//
// A background thread of its own; the destructor stops and joins it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/auth/signing_keys.h"
#include "server/log/logger.h"
#include "store/auth_store.h"

namespace schakel::server::cli {

class Housekeeping {
 public:
  Housekeeping(store::AuthStore& store, auth::SigningKeyRing& keys, Logger& logger,
               std::chrono::seconds interval);
  ~Housekeeping();
  Housekeeping(const Housekeeping&) = delete;
  Housekeeping& operator=(const Housekeeping&) = delete;

  // One round now, on the calling thread.
  void RunOnce();

 private:
  void Loop();

  store::AuthStore& store_;
  auth::SigningKeyRing& keys_;
  Logger& logger_;
  const std::chrono::seconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace schakel::server::cli
