#include "server/rest/transaction_store.h"

#include <utility>

namespace schakel::server::rest {
namespace {

fhir::Status NoScope() {
  return fhir::Status::Internal("a ScopeStore was used outside a write scope");
}

// The scope a nested body gets: the bound one, noting what is written through it.
class RecordingScope final : public store::WriteScope {
 public:
  RecordingScope(store::WriteScope& scope, std::vector<std::string>& written)
      : scope_(scope), written_(written) {}

  fhir::Result<store::ResourceVersion> Read(std::string_view type, std::string_view id) override {
    return scope_.Read(type, id);
  }
  fhir::Result<store::ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                                   std::int64_t version) override {
    return scope_.ReadVersion(type, id, version);
  }
  fhir::Result<store::SearchResult> Search(const fhir::search::Query& query) override {
    return scope_.Search(query);
  }
  fhir::Result<store::WriteOutcome> Write(store::WriteRequest request) override {
    std::string name = request.type + "/" + request.id;
    fhir::Result<store::WriteOutcome> outcome = scope_.Write(std::move(request));
    if (outcome.ok()) written_.push_back(std::move(name));
    return outcome;
  }
  void AllOrNothing() override { scope_.AllOrNothing(); }

 private:
  store::WriteScope& scope_;
  std::vector<std::string>& written_;
};

}  // namespace

fhir::Result<store::ResourceVersion> ScopeStore::Read(const store::RequestContext& /*ctx*/,
                                                      std::string_view type, std::string_view id) {
  if (scope_ == nullptr) return NoScope();
  return scope_->Read(type, id);
}

fhir::Result<store::ResourceVersion> ScopeStore::ReadVersion(const store::RequestContext& /*ctx*/,
                                                             std::string_view type,
                                                             std::string_view id,
                                                             std::int64_t version) {
  if (scope_ == nullptr) return NoScope();
  return scope_->ReadVersion(type, id, version);
}

fhir::Result<store::HistoryPage> ScopeStore::History(const store::RequestContext& ctx,
                                                     const store::HistoryQuery& query) {
  return store_.History(ctx, query);
}

void ScopeStore::WriteAtomically(const store::RequestContext& /*ctx*/, store::ScopeBody body,
                                 store::ScopeCallback done) {
  if (scope_ == nullptr) return done(NoScope());
  RecordingScope recording(*scope_, written_);
  fhir::Status status = body(recording);
  done(std::move(status));
}

fhir::Result<store::ReindexResult> ScopeStore::Reindex(const store::RequestContext& /*ctx*/,
                                                       store::IndexFunction /*compute*/,
                                                       store::ReindexProgress /*progress*/,
                                                       std::size_t /*batch*/,
                                                       std::string_view /*type*/) {
  return fhir::Status::NotSupported("reindexing is not possible inside a transaction");
}

fhir::Result<store::SearchResult> ScopeStore::Search(const store::RequestContext& /*ctx*/,
                                                     const fhir::search::Query& query) {
  if (scope_ == nullptr) return NoScope();
  return scope_->Search(query);
}

fhir::Result<bool> ScopeStore::IsEmpty(const store::RequestContext& ctx) {
  return store_.IsEmpty(ctx);
}

}  // namespace schakel::server::rest
