// Batch and transaction: POST [base] with a Bundle of type batch or transaction.
// https://hl7.org/fhir/R4/http.html#transaction, https://hl7.org/fhir/R4/bundle.html
//
// bundle.cc reads the request Bundle and each entry's request (method, url, conditional headers,
// resource), checks them and prepares each write (transaction_write.h) on the I/O thread, before
// anything is queued for the store; transaction.cc runs a transaction in one store write scope,
// batch.cc each entry of a batch on its own; bundle_references.cc resolves references between
// entries; bundle_response.cc writes the response Bundle.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/status.h"
#include "server/http/message.h"
#include "server/rest/exchange.h"
#include "server/rest/router.h"
#include "server/rest/transaction_write.h"

namespace schakel::server::rest {

enum class BundleKind { kBatch, kTransaction };

// The order entries are processed in (https://hl7.org/fhir/R4/http.html#trules): deletes, then
// creates, then updates and patches, then reads.
enum class EntryStage { kDelete = 0, kCreate = 1, kUpdate = 2, kRead = 3 };

// One entry of the request Bundle, and what became of it.
struct BundleEntry {
  std::size_t index = 0;  // its position in the request Bundle
  std::string full_url;   // entry.fullUrl, or empty
  std::string method;     // entry.request.method
  std::string url;        // entry.request.url, as sent
  Target target;          // the url, parsed
  Interaction interaction;
  EntryStage stage = EntryStage::kRead;
  // entry.request's conditional headers.
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
  std::optional<std::string> if_modified_since;
  std::optional<std::string> if_none_exist;

  // Writes: what to do in the store's write scope. plan.write.resource is entry.resource.
  PlannedWrite plan;
  // The resource refers to other entries (by fullUrl) whose ids are known only inside the scope,
  // or has conditional references: those are resolved, and the index extracted, there.
  bool references_in_scope = false;
  // The conditional references in the resource ("Patient?identifier=..."), each with its
  // search; resolved inside the scope (bundle_references.h).
  struct ConditionalReference {
    std::string reference;
    fhir::search::Query query;
  };
  std::vector<ConditionalReference> conditional_references;
  // PATCH: the patch document (entry.resource: a Binary with a JSON Patch, or a FHIRPath Patch
  // Parameters resource), applied to the current version before the scope.
  std::optional<fhir::json::Value> patch;

  // The outcome: a failure, or the write's result, or (reads) the handler's response.
  fhir::Status status;
  std::optional<WriteResult> result;
  std::optional<http::Response> response;

  bool is_write() const { return stage != EntryStage::kRead; }
  bool is_patch() const {
    return interaction.kind == InteractionKind::kPatch ||
           interaction.kind == InteractionKind::kConditionalPatch;
  }
  // "entry 3 (urn:uuid:..., POST Patient)", for messages.
  std::string Describe() const;
};

struct BundleRequest {
  BundleKind kind = BundleKind::kBatch;
  std::vector<BundleEntry> entries;
};

// Reads the request body as a Bundle of type batch or transaction, and each of its entries.
// Fails (the whole request) with 400 for a body that is no such Bundle, 413 for more than
// ApiOptions::max_bundle_entries entries. An entry that is wrong on its own gets its `status`
// set: in a batch it fails alone, in a transaction it fails the transaction.
fhir::Result<BundleRequest> ReadBundleRequest(const Exchange& exchange);

// Prepares a write entry (not a patch) whose references are resolved as far as they can be
// before the scope: parses its conditional references, validates its resource as part of a
// Bundle of `kind` (where conditional references are allowed; issues are located as
// Bundle.entry[i].resource...), sets up entry.plan (condition, version checks) and, unless
// references_in_scope, extracts its index entries. Sets entry.status on failure.
void PrepareWrite(const Exchange& exchange, BundleKind kind, BundleEntry& entry);

// PrepareWrite for every entry that `selected` picks. Entries are independent here, so a large
// Bundle's are spread over the machine's cores (validation and index extraction are most of the
// work before the scope); a small one's stay on the calling thread.
void PrepareWrites(const Exchange& exchange, BundleKind kind, std::vector<BundleEntry>& entries,
                   const std::function<bool(const BundleEntry&)>& selected);

// The indexes of `entries` in processing order (stable within a stage).
std::vector<std::size_t> ProcessingOrder(const std::vector<BundleEntry>& entries);

// Runs an entry through its interaction's handler (reads, and PATCH), with `api` (whose store
// may be a ScopeStore, transaction_store.h), and returns the handler's response. The handler
// must answer before it returns, as reads and work in a ScopeStore do; one that does not is
// a 500.
http::Response RunEntryHandler(const Exchange& exchange, const ApiContext& api,
                               const BundleEntry& entry);

// The status with every issue's diagnostics prefixed by the entry's description.
fhir::Status ForEntry(const BundleEntry& entry, const fhir::Status& status);

void RunTransaction(ExchangePtr exchange, BundleRequest request, http::Respond respond);
void RunBatch(ExchangePtr exchange, BundleRequest request, http::Respond respond);

}  // namespace schakel::server::rest
