// batch: https://hl7.org/fhir/R4/http.html#transaction and #brules
//
// Each entry is its own interaction: one that fails does not stop the others, and the response
// Bundle (batch-response, always 200) gives each entry's own status and outcome. Entries are
// processed in the transaction order (deletes, creates, updates and patches, then reads).
//
// Every entry is read, checked, validated and indexed on the I/O thread first. Then each write
// runs in a store write scope of its own (so a conditional write's search and write are atomic,
// and conditional references are resolved there), submitted a window at a time so that one large
// batch does not fill the writer's queue, while the writes still share group commits. A patch
// runs through patch.cc inside its scope. When every write is done, the reads run through their
// handlers and see the batch's writes.
//
// A batch entry may not refer to another entry of the batch (by its fullUrl): the specification
// calls such references non-conformant, and the entries could run in any order; 400 for that
// entry.
#include <exception>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include "server/rest/bundle.h"
#include "server/rest/bundle_references.h"
#include "server/rest/bundle_response.h"
#include "server/rest/responses.h"
#include "server/rest/transaction_store.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

// Writes in flight at once: enough to fill the writer's batches, few enough to leave its queue
// to everyone else.
constexpr std::size_t kWindow = 64;

struct Batch {
  explicit Batch(ExchangePtr exchange) : ex(std::move(exchange)), scope_store(*ex->api->store) {}

  ExchangePtr ex;
  std::vector<BundleEntry> entries;
  std::vector<std::size_t> writes;  // entries to write, in processing order
  std::vector<std::size_t> reads;   // entries to read, in processing order
  http::Respond respond;

  // For patches: the API with a store that is the entry's write scope (writer thread only).
  ScopeStore scope_store;
  std::optional<ApiContext> scoped_api;

  std::mutex mutex;
  std::size_t next = 0;       // GUARDED_BY(mutex): writes[next] is submitted next
  std::size_t in_flight = 0;  // GUARDED_BY(mutex)
  bool pumping = false;       // GUARDED_BY(mutex): a thread is in Pump()'s loop
  bool repump = false;        // GUARDED_BY(mutex): look again before leaving the loop
  bool finished = false;      // GUARDED_BY(mutex)
};

// The work of one write entry in its scope.
Status RunEntry(Batch& batch, store::WriteScope& scope, BundleEntry& entry) {
  const ApiContext& api = *batch.ex->api;
  if (entry.is_patch()) {
    if (!batch.scoped_api) {
      batch.scoped_api.emplace(api);
      batch.scoped_api->store = &batch.scope_store;
    }
    batch.scope_store.Bind(&scope);
    entry.response = RunEntryHandler(*batch.ex, *batch.scoped_api, entry);
    batch.scope_store.Bind(nullptr);
    (void)batch.scope_store.TakeWritten();  // a batch has no cross-entry rule to check
    // A failed patch is answered by its response; the error only rolls the scope back.
    return entry.response->status < 400 ? Status::Ok() : Status::Internal("the patch failed");
  }
  if (entry.references_in_scope) {
    std::map<std::string, std::string> resolved;
    SCHAKEL_RETURN_IF_ERROR(ResolveConditionalReferences(scope, entry, resolved));
    RewriteReferences(entry, resolved);
  }
  SCHAKEL_RETURN_IF_ERROR(Resolve(scope, entry.plan));
  fhir::Result<WriteResult> result = Apply(scope, entry.plan, api);
  if (!result.ok()) return result.status();
  entry.result = std::move(result).value();
  return Status::Ok();
}

void Finish(const std::shared_ptr<Batch>& batch) {
  const Exchange& ex = *batch->ex;
  try {
    for (std::size_t i : batch->reads) {
      batch->entries[i].response = RunEntryHandler(ex, *ex.api, batch->entries[i]);
    }
    batch->respond(
        FhirResponse(200, ResponseBundle(ex, BundleKind::kBatch, batch->entries), ex.format));
  } catch (const std::exception& e) {
    ex.api->logger->Error("batch_response_failed", {{"error", e.what()}});
    batch->respond(
        ErrorResponse(Status::Internal("internal error; see the server log"), ex.format));
  }
}

void Pump(const std::shared_ptr<Batch>& batch);

void Submit(const std::shared_ptr<Batch>& batch, std::size_t i) {
  const Exchange& ex = *batch->ex;
  ex.api->store->WriteAtomically(
      ex.ctx,
      [batch, i](store::WriteScope& scope) { return RunEntry(*batch, scope, batch->entries[i]); },
      [batch, i](Status status) {
        BundleEntry& entry = batch->entries[i];
        if (!status.ok()) {
          entry.result.reset();
          // A patch that failed has its own answer; anything else failed with `status`.
          if (!entry.response || entry.response->status < 400) {
            entry.response.reset();
            entry.status = std::move(status);
          }
        }
        {
          std::lock_guard lock(batch->mutex);
          --batch->in_flight;
        }
        Pump(batch);
      });
}

// Submits writes while fewer than kWindow are in flight; the last one to finish finishes the
// batch. Called on the I/O thread to start, then from each write's callback (writer thread, or
// at once when the store refuses a write), so it guards against running twice at once.
void Pump(const std::shared_ptr<Batch>& batch) {
  std::unique_lock lock(batch->mutex);
  if (batch->pumping) {
    batch->repump = true;
    return;
  }
  batch->pumping = true;
  do {
    batch->repump = false;
    while (batch->in_flight < kWindow && batch->next < batch->writes.size()) {
      const std::size_t i = batch->writes[batch->next++];
      ++batch->in_flight;
      lock.unlock();
      Submit(batch, i);
      lock.lock();
    }
  } while (batch->repump);
  batch->pumping = false;
  const bool finish =
      !batch->finished && batch->in_flight == 0 && batch->next == batch->writes.size();
  if (finish) batch->finished = true;
  lock.unlock();
  if (finish) Finish(batch);
}

}  // namespace

void RunBatch(ExchangePtr ex, BundleRequest request, http::Respond respond) {
  auto batch = std::make_shared<Batch>(ex);
  batch->entries = std::move(request.entries);
  batch->respond = std::move(respond);

  std::set<std::string> full_urls;
  for (const BundleEntry& entry : batch->entries) {
    if (!entry.full_url.empty()) full_urls.insert(entry.full_url);
  }
  for (BundleEntry& entry : batch->entries) {
    if (!entry.status.ok() || !entry.is_write() || entry.is_patch()) continue;
    std::string inner;
    VisitReferences(entry.plan.write.resource, [&](std::string& reference) {
      if (inner.empty() && reference != entry.full_url && full_urls.contains(reference)) {
        inner = reference;
      }
    });
    if (!inner.empty()) {
      entry.status = Status::InvalidInput(
          "the resource refers to " + inner.substr(0, 200) +
          ", the fullUrl of another entry of the batch; entries of a batch may not refer to "
          "each other (use a transaction)");
    }
  }
  PrepareWrites(*ex, BundleKind::kBatch, batch->entries, [](const BundleEntry& entry) {
    return entry.status.ok() && entry.is_write() && !entry.is_patch();
  });
  for (std::size_t i : ProcessingOrder(batch->entries)) {
    const BundleEntry& entry = batch->entries[i];
    if (!entry.status.ok()) continue;
    (entry.is_write() ? batch->writes : batch->reads).push_back(i);
  }
  Pump(batch);
}

}  // namespace schakel::server::rest
