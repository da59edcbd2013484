// ResourceStore: persistence of FHIR resources and all their versions, behind one interface.
//
// Every call takes a RequestContext (who asks, and why), so policy, audit and hooks can see it
// from day one. Reads are synchronous and may run concurrently from any number of threads.
// Writes are asynchronous: they queue for a single writer that commits many of them in one SQLite
// transaction (group commit), so that durable writes do not cost one fsync each. A write's
// callback runs only after its transaction is durable, or with the Status that explains why not.
// A write scope (WriteAtomically) is the one way to write: it reads, searches and writes as one
// atomic unit on the writer; a single Write() is a scope with one write in it.
//
// Versions: every create, update and delete adds a version; nothing is overwritten. A delete is
// a version with `deleted` set and no body. History is ordered by `sequence`, a store-wide
// counter that increases with every version written.
// Spec: https://hl7.org/fhir/R4/http.html (read, vread, update, delete, history).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/search/index_values.h"
#include "fhir/search/query.h"
#include "fhir/status.h"

namespace schakel::store {

// Who is asking and on whose behalf. Grows with authorization (principal, purpose of use).
struct RequestContext {
  std::string request_id;
};

// How a version came about: the REST interaction that wrote it (shown in history bundles).
enum class WriteMethod { kCreate, kUpdate, kDelete };

// One stored version of one resource.
struct ResourceVersion {
  std::string type;
  std::string id;
  std::int64_t version = 0;          // 1, 2, 3, ... per resource
  std::int64_t sequence = 0;         // store-wide order of all versions
  std::int64_t last_updated_ms = 0;  // milliseconds since the Unix epoch, UTC
  bool deleted = false;
  WriteMethod method = WriteMethod::kCreate;
  std::string json;  // the resource as stored, meta.versionId/lastUpdated filled; empty if deleted
};

enum class WriteKind { kCreate, kUpdate, kDelete };

struct WriteRequest {
  WriteKind kind = WriteKind::kCreate;
  std::string type;
  std::string id;  // always set: the server assigns ids for create before it asks the store
  // The version the client expects to be current (If-Match). A mismatch, or a resource that does
  // not exist, fails with Code::kPreconditionFailed.
  std::optional<std::int64_t> if_match;
  // Like if_match, but only checked when the resource exists and is not deleted: a write that
  // creates the resource (or brings it back) has no version to conflict with. Used for version
  // integrity from meta.versionId in an update body.
  std::optional<std::int64_t> if_match_existing;
  // For create and update: the resource. The store sets `id`, `meta.versionId` and
  // `meta.lastUpdated` (keeping any other meta content) before it serializes and stores it.
  fhir::json::Value resource;
  // For create and update: the search index entries of `resource`, computed by the caller
  // (fhir::search::ExtractIndex). They replace the resource's previous entries in the same
  // transaction as the version; a delete removes them. Ignored for a delete.
  fhir::search::IndexValues index;
};

struct WriteOutcome {
  // The version written. For a delete that changed nothing (`changed` false), the current
  // version if there is one, else only type and id are set.
  ResourceVersion version;
  bool created =
      false;  // the write brought a new resource into existence (create, or PUT to a new id)
  bool changed = true;  // false only for a delete of a missing or already deleted resource
};

using WriteCallback = std::function<void(fhir::Result<WriteOutcome>)>;

// One page of a search: the matches, the resources _include and _revinclude add, the total
// when it was counted, and the cursors of the next page (empty on the last page) and the
// previous one.
struct SearchResult {
  std::vector<ResourceVersion> matches;
  std::vector<ResourceVersion> included;
  std::optional<std::int64_t> total;
  std::string next_cursor;
  // The cursor of the page before this one; empty on the first page.
  std::string previous_cursor;
};

// A unit of work that reads, searches and writes atomically (ResourceStore::WriteAtomically).
// It runs on the store's writer thread, inside a savepoint of its own in a group-commit
// transaction: what it reads and searches includes its own earlier writes, no other write
// interleaves with it, and its writes commit together or not at all. Conditional interactions
// and FHIR transactions are built on it (https://hl7.org/fhir/R4/http.html#transaction).
//
// A WriteScope is valid only during the body it is passed to, on that thread. Every other writer
// waits while a body runs, so a body must not block and should do only what needs the database:
// parsing, validation and index extraction belong before WriteAtomically.
class WriteScope {
 public:
  virtual ~WriteScope() = default;

  // As ResourceStore::Read and ReadVersion, seeing this scope's own writes.
  virtual fhir::Result<ResourceVersion> Read(std::string_view type, std::string_view id) = 0;
  virtual fhir::Result<ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                                    std::int64_t version) = 0;
  // As ResourceStore::Search, seeing this scope's own writes (and their index entries).
  virtual fhir::Result<SearchResult> Search(const fhir::search::Query& query) = 0;
  // Applies one write with the checks of ResourceStore::Write (kConflict, kPreconditionFailed).
  // A write that fails leaves nothing behind, so the body may carry on; whether the scope as a
  // whole commits is decided by what the body returns.
  virtual fhir::Result<WriteOutcome> Write(WriteRequest request) = 0;
  // Declares that the body fails as a whole when any write fails (a transaction Bundle). Its
  // writes then need no savepoint each: with thousands of them in one scope, SQLite's in-memory
  // savepoint journal made each further write slower (a third 10,000-entry transaction took
  // 31 s instead of 1.2 s). After a failed write, every later call fails with its status and the
  // scope is rolled back whatever the body returns.
  virtual void AllOrNothing() = 0;
};

// The work of a WriteAtomically call. Returning an error undoes every write it made.
using ScopeBody = std::function<fhir::Status(WriteScope& scope)>;
// Called exactly once with the result of a WriteAtomically call.
using ScopeCallback = std::function<void(fhir::Status)>;

// Computes the search index entries of a stored resource from its type and JSON.
using IndexFunction = std::function<fhir::Result<fhir::search::IndexValues>(std::string_view type,
                                                                            std::string_view json)>;
// Called with the resources handled so far and the number there were to handle at the start
// (`done` can pass `total` when resources are created meanwhile).
using ReindexProgress = std::function<void(std::int64_t done, std::int64_t total)>;

struct ReindexResult {
  std::int64_t resources = 0;  // resources whose index was rebuilt
  std::int64_t entries = 0;    // index entries written for them
  // Resources whose compute failed: counted, skipped, their old index entries kept.
  std::int64_t failed = 0;
  // Resources changed or deleted by a write between being read and being reindexed: skipped,
  // since that write replaced (or removed) their entries itself.
  std::int64_t skipped = 0;
  // "Type/id: why" for the first kMaxReportedFailures failures.
  std::vector<std::string> failures;
  static constexpr std::size_t kMaxReportedFailures = 100;
};

struct HistoryQuery {
  std::string type;                      // empty: the whole system
  std::string id;                        // empty: the whole type (requires type) or system
  std::optional<std::int64_t> since_ms;  // only versions with last_updated >= since (_since)
  // Only versions that were current at some moment in [at_begin_ms, at_end_ms) (_at).
  std::optional<std::int64_t> at_begin_ms;
  std::optional<std::int64_t> at_end_ms;
  std::size_t count = 20;                       // page size, >= 1
  std::optional<std::int64_t> before_sequence;  // keyset cursor: only versions with sequence < it
};

struct HistoryPage {
  std::vector<ResourceVersion> entries;  // newest first (descending sequence)
  // Pass as before_sequence to get the next page; empty when this is the last page.
  std::optional<std::int64_t> next_before_sequence;
};

class ResourceStore {
 public:
  virtual ~ResourceStore() = default;

  // The current version of a resource, which may be a deleted marker (deleted == true).
  // Code::kNotFound when the resource never existed.
  virtual fhir::Result<ResourceVersion> Read(const RequestContext& ctx, std::string_view type,
                                             std::string_view id) = 0;

  // One specific version. Code::kNotFound when there is no such resource or version.
  virtual fhir::Result<ResourceVersion> ReadVersion(const RequestContext& ctx,
                                                    std::string_view type, std::string_view id,
                                                    std::int64_t version) = 0;

  // A page of history. For instance history (type and id set) of a resource that never
  // existed: Code::kNotFound.
  virtual fhir::Result<HistoryPage> History(const RequestContext& ctx,
                                            const HistoryQuery& query) = 0;

  // Queues `body` to run on the writer thread inside a savepoint of its own (see WriteScope).
  // When the body returns ok, its writes commit with the rest of the writer's batch and `done`
  // gets ok once that commit is durable. When it returns an error (or throws), its writes are
  // rolled back, and only they: the other writes of the batch commit, and `done` gets the body's
  // error. `done` is called exactly once: on the writer thread, or, for work refused at once
  // (queue full, closing), on the calling thread before WriteAtomically() returns. It must not
  // block. Besides the body's own errors: kUnavailable (queue full, closing, database busy or
  // full: the transaction as a whole failed), kInternal.
  virtual void WriteAtomically(const RequestContext& ctx, ScopeBody body, ScopeCallback done) = 0;

  // One write: WriteAtomically with a body that makes this write and nothing else. `done` is
  // called as WriteAtomically's is. Failures: kConflict (create of an id that exists),
  // kPreconditionFailed (If-Match), kUnavailable (queue full, closing, database busy),
  // kInternal.
  void Write(const RequestContext& ctx, WriteRequest request, WriteCallback done);

  // Write() and wait for the result. For the CLI, start-up seeding and tests; never call it from
  // inside a WriteCallback.
  fhir::Result<WriteOutcome> WriteAndWait(const RequestContext& ctx, WriteRequest request);
  // WriteAtomically() and wait for the result; never call it from inside a callback or a body.
  fhir::Status WriteAtomicallyAndWait(const RequestContext& ctx, ScopeBody body);

  // Rebuilds the search index of every current (not deleted) resource, or only of those of
  // `type` when it is not empty. Reads the resources in batches of `batch` (>= 1), calls
  // `compute` on the calling thread for each, and writes each batch's entries in one job
  // through the writer, so it interleaves with normal writes; calls `progress` (if set) after
  // each batch. A resource written between being read and its batch being applied keeps the
  // entries its own write gave it (see ReindexResult::skipped). Blocks until done; never call it
  // from a WriteCallback. Fails when the store fails (kUnavailable when it is closing, or the
  // write queue is full); entries already rebuilt stay, so it can simply be run again.
  virtual fhir::Result<ReindexResult> Reindex(const RequestContext& ctx, IndexFunction compute,
                                              ReindexProgress progress, std::size_t batch = 500,
                                              std::string_view type = {}) = 0;

  // A page of search results (https://hl7.org/fhir/R4/search.html) over the current, not
  // deleted resources. kInvalidInput for a cursor the store did not issue.
  virtual fhir::Result<SearchResult> Search(const RequestContext& ctx,
                                            const fhir::search::Query& query) = 0;

  // True when no resource version has ever been stored.
  virtual fhir::Result<bool> IsEmpty(const RequestContext& ctx) = 0;

  // Finishes every queued write, then refuses new ones (kUnavailable). Idempotent; also done by
  // the destructor.
  virtual void Close() = 0;
};

}  // namespace schakel::store
