#include "store/store.h"

#include <future>
#include <optional>
#include <utility>

namespace schakel::store {

void ResourceStore::Write(const RequestContext& ctx, WriteRequest request, WriteCallback done) {
  // Shared by the body (writer thread) and the callback (after the commit, same thread), never
  // at the same time.
  struct Shared {
    WriteRequest request;
    std::optional<WriteOutcome> outcome;
  };
  auto shared = std::make_shared<Shared>(Shared{std::move(request), std::nullopt});
  WriteAtomically(
      ctx,
      [shared](WriteScope& scope) -> fhir::Status {
        fhir::Result<WriteOutcome> outcome = scope.Write(std::move(shared->request));
        if (!outcome.ok()) return outcome.status();
        shared->outcome = std::move(outcome).value();
        return fhir::Status::Ok();
      },
      [shared, done = std::move(done)](fhir::Status status) {
        if (!status.ok()) return done(std::move(status));
        if (!shared->outcome) return done(fhir::Status::Internal("the write left no outcome"));
        done(std::move(*shared->outcome));
      });
}

fhir::Result<WriteOutcome> ResourceStore::WriteAndWait(const RequestContext& ctx,
                                                       WriteRequest request) {
  std::promise<fhir::Result<WriteOutcome>> promise;
  auto future = promise.get_future();
  Write(ctx, std::move(request),
        [&promise](fhir::Result<WriteOutcome> result) { promise.set_value(std::move(result)); });
  return future.get();
}

fhir::Status ResourceStore::WriteAtomicallyAndWait(const RequestContext& ctx, ScopeBody body) {
  std::promise<fhir::Status> promise;
  auto future = promise.get_future();
  WriteAtomically(ctx, std::move(body),
                  [&promise](fhir::Status status) { promise.set_value(std::move(status)); });
  return future.get();
}

}  // namespace schakel::store
