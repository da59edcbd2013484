// ScopeStore: the ResourceStore interface over one store WriteScope, so that an interaction
// handler (read, search, PATCH) can run inside a batch entry's or a transaction's write scope
// and see its writes. https://hl7.org/fhir/R4/http.html#transaction
//
// Read, ReadVersion and Search go to the scope. WriteAtomically runs the body at once, in the
// scope, and calls `done` before it returns: a nested body that fails fails the surrounding
// scope too (its writes are not undone on their own), which is what a transaction entry wants.
// The resources written that way are recorded (TakeWritten), so that a transaction can tell
// which resources an entry answered by a handler wrote. History and IsEmpty go to the real store
// (they see committed data only); Reindex is refused.
//
// Bind() a scope before use, and use it only while that scope is valid: on the writer thread,
// during the scope's body. One ScopeStore can serve many scopes in turn (a batch's entries).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "store/store.h"

namespace schakel::server::rest {

class ScopeStore final : public store::ResourceStore {
 public:
  explicit ScopeStore(store::ResourceStore& store) : store_(store) {}

  // The scope the calls go to from now on (nullptr: none; they fail with kInternal).
  void Bind(store::WriteScope* scope) { scope_ = scope; }
  // "Type/id" of every resource written through WriteAtomically since the last call.
  std::vector<std::string> TakeWritten() { return std::exchange(written_, {}); }

  fhir::Result<store::ResourceVersion> Read(const store::RequestContext& ctx, std::string_view type,
                                            std::string_view id) override;
  fhir::Result<store::ResourceVersion> ReadVersion(const store::RequestContext& ctx,
                                                   std::string_view type, std::string_view id,
                                                   std::int64_t version) override;
  fhir::Result<store::HistoryPage> History(const store::RequestContext& ctx,
                                           const store::HistoryQuery& query) override;
  void WriteAtomically(const store::RequestContext& ctx, store::ScopeBody body,
                       store::ScopeCallback done) override;
  fhir::Result<store::ReindexResult> Reindex(const store::RequestContext& ctx,
                                             store::IndexFunction compute,
                                             store::ReindexProgress progress, std::size_t batch,
                                             std::string_view type) override;
  fhir::Result<store::SearchResult> Search(const store::RequestContext& ctx,
                                           const fhir::search::Query& query) override;
  fhir::Result<bool> IsEmpty(const store::RequestContext& ctx) override;
  void Close() override {}

 private:
  store::WriteScope* scope_ = nullptr;
  store::ResourceStore& store_;
  std::vector<std::string> written_;
};

}  // namespace schakel::server::rest
