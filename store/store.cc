#include "store/store.h"

#include <future>

namespace schakel::store {

fhir::Result<WriteOutcome> ResourceStore::WriteAndWait(const RequestContext& ctx,
                                                       WriteRequest request) {
  std::promise<fhir::Result<WriteOutcome>> promise;
  auto future = promise.get_future();
  Write(ctx, std::move(request),
        [&promise](fhir::Result<WriteOutcome> result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace schakel::store
