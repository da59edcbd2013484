// transaction: https://hl7.org/fhir/R4/http.html#transaction and #trules
//
// All entries succeed or fail together: the whole transaction runs in one store write scope, and
// the first entry that fails rolls it back and is the answer (its status, and an
// OperationOutcome naming it by index, fullUrl, method and url).
//
// Before the scope, on the I/O thread: every entry is read and checked; creates get their ids,
// and references to entries with a known id (fullUrl, usually urn:uuid:, of a create, update,
// patch or delete of Type/id) are rewritten to Type/id; resources are validated and their index
// entries extracted.
//
// In the scope, in the order of the specification:
//  1. deletes, conditional ones by their search;
//  2. the ids of conditional creates (ifNoneExist) and conditional updates, by their searches,
//     which therefore see the transaction's deletes but not its creates and updates; then
//     conditional references ("Patient?identifier=...", exactly one match), and the references
//     to those entries, which are rewritten, after which those resources' index entries are
//     extracted;
//  3. creates, then updates and patches (a patch through patch.cc, reading the resource in the
//     scope);
//  4. reads and searches, through their handlers, in the scope: they see the transaction's
//     writes, and one that fails fails the transaction.
// A resource that two entries would write (also through a conditional one) is a 400, as the
// specification requires.
#include <exception>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "server/rest/bundle.h"
#include "server/rest/bundle_references.h"
#include "server/rest/bundle_response.h"
#include "server/rest/responses.h"
#include "server/rest/transaction_store.h"
#include "server/util/random.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

struct Transaction {
  ExchangePtr ex;
  std::vector<BundleEntry> entries;
  std::vector<std::size_t> order;
  // fullUrl -> "Type/id" of the entries whose id is known; inside the scope, also of those
  // whose id a search decides, and conditional references -> "Type/id".
  std::map<std::string, std::string> ids;
  // fullUrl -> entry, for entries whose id only the scope decides (conditional create/update).
  std::map<std::string, std::size_t> pending;
  // Type/id of every resource an entry writes, to refuse a second entry writing it.
  std::set<std::string> touched;
  // The answer when an entry answered by its handler failed (RunHandler).
  std::optional<http::Response> failure;
};

Status Touch(Transaction& tx, const std::string& type, const std::string& id) {
  const std::string name = type + "/" + id;
  if (!tx.touched.insert(name).second) {
    return Status::InvalidInput(name +
                                " is the target of more than one entry of the transaction; "
                                "each resource may be written by one entry only");
  }
  return Status::Ok();
}

// Before the scope: ids for creates, the fullUrl map, and references to known ids rewritten.
Status Prepare(Transaction& tx) {
  const Exchange& ex = *tx.ex;
  std::map<std::string, std::size_t> full_urls;
  for (BundleEntry& entry : tx.entries) {
    if (!entry.status.ok()) return ForEntry(entry, entry.status);
    if (!entry.full_url.empty() && !full_urls.emplace(entry.full_url, entry.index).second) {
      return ForEntry(entry, Status::InvalidInput("fullUrl " + entry.full_url.substr(0, 200) +
                                                  " is also the fullUrl of entry " +
                                                  std::to_string(full_urls[entry.full_url])));
    }
    if (!entry.is_write()) continue;
    const Interaction& in = entry.interaction;
    std::string id;
    if (in.kind == InteractionKind::kCreate && !entry.if_none_exist) {
      entry.plan.write.id = NewUuid();
      id = entry.plan.write.id;
    } else if (!in.id.empty()) {
      id = in.id;  // update, patch or delete of Type/id
      SCHAKEL_RETURN_IF_ERROR(ForEntry(entry, Touch(tx, in.type, id)));
    }
    if (entry.full_url.empty()) continue;
    if (!id.empty()) {
      tx.ids[entry.full_url] = in.type + "/" + id;
    } else if (in.kind == InteractionKind::kCreate ||
               in.kind == InteractionKind::kConditionalUpdate) {
      tx.pending[entry.full_url] = entry.index;
    }
  }
  for (BundleEntry& entry : tx.entries) {
    if (entry.stage != EntryStage::kCreate && entry.stage != EntryStage::kUpdate) continue;
    if (entry.is_patch()) continue;
    VisitReferences(entry.plan.write.resource, [&](std::string& reference) {
      if (auto known = tx.ids.find(reference); known != tx.ids.end()) {
        reference = known->second;
      } else if (tx.pending.contains(reference)) {
        entry.references_in_scope = true;
      }
    });
  }
  PrepareWrites(ex, BundleKind::kTransaction, tx.entries,
                [](const BundleEntry& entry) { return entry.is_write() && !entry.is_patch(); });
  for (BundleEntry& entry : tx.entries) {
    if (!entry.status.ok()) return ForEntry(entry, entry.status);
  }
  return Status::Ok();
}

// Runs an entry through its handler inside the scope. When it fails, the transaction fails
// with the handler's answer, its OperationOutcome changed to name the entry.
Status RunHandler(Transaction& tx, const ApiContext& api, BundleEntry& entry) {
  entry.response = RunEntryHandler(*tx.ex, api, entry);
  if (entry.response->status < 400) return Status::Ok();
  fhir::Result<fhir::json::Value> outcome = fhir::json::Parse(entry.response->body);
  if (outcome.ok() && outcome->is_object()) {
    const std::string location = "Bundle.entry[" + std::to_string(entry.index) + "]";
    if (fhir::json::Value* issues = outcome->Find("issue"); issues && issues->is_array()) {
      for (fhir::json::Value& issue : issues->items()) {
        if (!issue.is_object()) continue;
        const std::string* diagnostics = issue.FindString("diagnostics");
        issue.Set("diagnostics", fhir::json::Value::String(entry.Describe() + ": " +
                                                           (diagnostics ? *diagnostics : "")));
        if (issue.Find("expression") == nullptr) {
          issue.Set("expression", fhir::json::Value::Array())
              .Push(fhir::json::Value::String(location));
        }
      }
    }
    tx.failure =
        FhirResponse(entry.response->status, fhir::json::Serialize(*outcome), tx.ex->format);
  } else {
    tx.failure =
        ErrorResponse(ForEntry(entry, Status::Internal("the entry failed with HTTP " +
                                                       std::to_string(entry.response->status))),
                      tx.ex->format);
  }
  // Any error rolls the scope back; the answer is tx.failure.
  return Status::Internal("entry " + std::to_string(entry.index) + " failed");
}

// The body of the scope: everything that needs the database, in the specification's order.
Status Run(Transaction& tx, store::WriteScope& scope) {
  // The first failing entry fails the transaction: its writes need no savepoint each.
  scope.AllOrNothing();
  const ApiContext& api = *tx.ex->api;
  // Handlers (patches, reads) work on a copy of the API context whose store is this scope.
  std::optional<ScopeStore> scope_store;
  std::optional<ApiContext> scoped_api;
  auto scoped = [&]() -> const ApiContext& {
    if (!scoped_api) {
      scope_store.emplace(*api.store);
      scope_store->Bind(&scope);
      scoped_api.emplace(api);
      scoped_api->store = &*scope_store;
    }
    return *scoped_api;
  };

  // 1. Deletes.
  for (std::size_t i : tx.order) {
    BundleEntry& entry = tx.entries[i];
    if (entry.stage != EntryStage::kDelete) continue;
    SCHAKEL_RETURN_IF_ERROR(ForEntry(entry, Resolve(scope, entry.plan)));
    if (entry.plan.condition) {
      for (const std::string& id : entry.plan.targets) {
        SCHAKEL_RETURN_IF_ERROR(ForEntry(entry, Touch(tx, entry.plan.write.type, id)));
      }
    }
    fhir::Result<WriteResult> result = Apply(scope, entry.plan, api);
    if (!result.ok()) return ForEntry(entry, result.status());
    entry.result = std::move(result).value();
  }
  // 2. The ids conditional creates and updates resolve to, and conditional references.
  for (std::size_t i : tx.order) {
    BundleEntry& entry = tx.entries[i];
    if (entry.stage != EntryStage::kCreate && entry.stage != EntryStage::kUpdate) continue;
    if (entry.is_patch()) continue;
    SCHAKEL_RETURN_IF_ERROR(ForEntry(entry, Resolve(scope, entry.plan)));
    if (!entry.plan.condition) continue;
    const std::string& type = entry.plan.write.type;
    const std::string& id = entry.plan.existing ? entry.plan.existing->id : entry.plan.write.id;
    SCHAKEL_RETURN_IF_ERROR(ForEntry(entry, Touch(tx, type, id)));
    if (!entry.full_url.empty()) tx.ids[entry.full_url] = type + "/" + id;
  }
  for (std::size_t i : tx.order) {
    BundleEntry& entry = tx.entries[i];
    if (!entry.references_in_scope) continue;
    SCHAKEL_RETURN_IF_ERROR(ForEntry(entry, ResolveConditionalReferences(scope, entry, tx.ids)));
    RewriteReferences(entry, tx.ids);
  }
  // 3. Creates, then updates and patches.
  for (std::size_t i : tx.order) {
    BundleEntry& entry = tx.entries[i];
    if (entry.stage != EntryStage::kCreate && entry.stage != EntryStage::kUpdate) continue;
    if (entry.is_patch()) {
      SCHAKEL_RETURN_IF_ERROR(RunHandler(tx, scoped(), entry));
      // A conditional patch's resource is known only now; one by id was touched before.
      for (const std::string& name : scope_store->TakeWritten()) {
        if (entry.interaction.kind != InteractionKind::kConditionalPatch) continue;
        const std::size_t slash = name.find('/');
        SCHAKEL_RETURN_IF_ERROR(
            ForEntry(entry, Touch(tx, name.substr(0, slash), name.substr(slash + 1))));
      }
      continue;
    }
    fhir::Result<WriteResult> result = Apply(scope, entry.plan, api);
    if (!result.ok()) return ForEntry(entry, result.status());
    entry.result = std::move(result).value();
  }
  // 4. Reads.
  for (std::size_t i : tx.order) {
    BundleEntry& entry = tx.entries[i];
    if (entry.stage == EntryStage::kRead) SCHAKEL_RETURN_IF_ERROR(RunHandler(tx, scoped(), entry));
  }
  return Status::Ok();
}

}  // namespace

void RunTransaction(ExchangePtr ex, BundleRequest request, http::Respond respond) {
  auto tx = std::make_shared<Transaction>();
  tx->ex = ex;
  tx->entries = std::move(request.entries);
  tx->order = ProcessingOrder(tx->entries);
  if (Status s = Prepare(*tx); !s.ok()) return respond(ErrorResponse(s, ex->format));

  ex->api->store->WriteAtomically(
      ex->ctx, [tx](store::WriteScope& scope) { return Run(*tx, scope); },
      [tx, respond = std::move(respond)](Status status) {
        const Exchange& exchange = *tx->ex;
        if (!status.ok()) {
          // A failure of the store itself (queue full, disk full) rather than of an entry
          // leaves tx->failure empty.
          if (tx->failure) return respond(std::move(*tx->failure));
          return respond(ErrorResponse(status, exchange.format));
        }
        try {
          respond(FhirResponse(200, ResponseBundle(exchange, BundleKind::kTransaction, tx->entries),
                               exchange.format));
        } catch (const std::exception& e) {
          exchange.api->logger->Error("transaction_response_failed", {{"error", e.what()}});
          respond(ErrorResponse(Status::Internal("internal error; see the server log"),
                                exchange.format));
        }
      });
}

}  // namespace schakel::server::rest
