// One write of a transaction: create, update or delete, plain or conditional, prepared on the
// caller's thread and run inside a store WriteScope, where the search that picks its target and
// the write itself see the same state and nothing can come between them. The single
// interactions (create.cc, update.cc, delete.cc, conditional.cc) are a transaction of one such
// write; a transaction or batch Bundle (transaction.cc, batch.cc) runs one per entry.
//
// https://hl7.org/fhir/R4/http.html#ccreate, #cond-update, #3.1.0.7.1 (conditional delete),
// #concurrency (If-Match), #transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/search/index_values.h"
#include "fhir/search/query.h"
#include "fhir/status.h"
#include "server/rest/exchange.h"
#include "store/store.h"

namespace schakel::server::rest {

// If-Match (https://hl7.org/fhir/R4/http.html#concurrency): one version, or `*` ("whatever is
// current"; the resource must exist).
struct IfMatch {
  std::optional<std::int64_t> version;
  bool any = false;
};
// Parses an If-Match value: W/"3", "3" or *. kInvalidInput for other syntax, kPreconditionFailed
// for a list or a tag that is not one of our versions.
fhir::Result<IfMatch> ParseIfMatch(std::string_view value);

struct PlannedWrite {
  // What Apply() asks the store for: kind and type; the id (create: the one the server assigned;
  // update and delete: the URL's; conditional: set by Resolve()); for create and update the
  // resource, validated, and its index entries (indexing.h). Apply() adds the version checks.
  store::WriteRequest write;
  // The search of a conditional write: If-None-Exist for a create, the URL's parameters for an
  // update or delete (ParseConditionalSearch).
  std::optional<fhir::search::Query> condition;
  // The index entries are extracted inside the scope, after Resolve(): for a transaction entry
  // whose references are resolved there.
  bool index_in_scope = false;
  IfMatch if_match;
  // meta.versionId in an update body: version integrity, a mismatch is 409 (see update.cc).
  std::optional<std::int64_t> body_version;
  // Conditional delete: how many matches it may delete (more: 412, nothing deleted).
  std::size_t max_deletes = 1;
  // Who writes (access.h): a patient token may write only inside its patient's compartment,
  // which Apply() checks against the current version and the new one. Null: no such limit.
  std::shared_ptr<const auth::Principal> principal;

  // Set by Resolve(): the ids the write acts on (none for a conditional delete without matches),
  // or, for a conditional create that found its match, that resource (nothing is written).
  std::vector<std::string> targets;
  std::optional<store::ResourceVersion> existing;
};

// Fills body_version from meta.versionId of an update body, checking it against If-Match.
// kConflict (409) when it is not a version number or differs from If-Match's.
fhir::Status SetBodyVersion(PlannedWrite& plan);

// The outcome of one planned write.
struct WriteResult {
  // Create and update: the version written (or, for a conditional create that matched, the
  // existing one). Delete: one per target, in order (`changed` false where nothing was there).
  std::vector<store::WriteOutcome> outcomes;
  bool existing = false;  // a conditional create found its match and wrote nothing
};

// Runs the condition's search (if any) in `scope` and sets plan.targets or plan.existing; for a
// conditional update, also the resource's id. Errors: kPreconditionFailed (several matches, or
// more than max_deletes), kInvalidInput (a body id that is not the match's), kConflict (no match,
// and the body's id names a live resource the search does not select).
fhir::Status Resolve(store::WriteScope& scope, PlannedWrite& plan);

// Makes the write(s) Resolve() chose, in `scope`. Errors are the store's, with a failed
// meta.versionId check as kConflict (409) instead of kPreconditionFailed.
fhir::Result<WriteResult> Apply(store::WriteScope& scope, PlannedWrite& plan,
                                const ApiContext& api);

// The search of If-None-Exist (a query string, with or without its '?') for a create of `type`.
// kInvalidInput for parameters that are malformed or unknown.
fhir::Result<fhir::search::Query> ParseIfNoneExist(const Exchange& exchange, std::string_view type,
                                                   std::string_view value);

// Resolve() and Apply() of one planned write in a scope of its own, then `done` with the result
// (on the writer thread, or at once when the store refuses the work).
void RunPlannedWrite(const Exchange& exchange, PlannedWrite plan,
                     std::function<void(fhir::Result<WriteResult>)> done);

}  // namespace schakel::server::rest
