#include "server/rest/transaction_write.h"

#include <charconv>
#include <memory>
#include <utility>

#include "fhir/json/parse.h"
#include "server/rest/access.h"
#include "server/rest/http_headers.h"
#include "server/rest/indexing.h"
#include "server/rest/search_support.h"
#include "server/util/random.h"

namespace schakel::server::rest {
namespace {

using fhir::Status;

std::string Name(const std::string& type, const std::string& id) { return type + "/" + id; }

// The id in a resource body, or nullptr.
const std::string* BodyId(const PlannedWrite& plan) { return plan.write.resource.FindString("id"); }

Status ResolveCreate(store::WriteScope& scope, PlannedWrite& plan) {
  fhir::Result<store::SearchResult> found = scope.Search(*plan.condition);
  if (!found.ok()) return found.status();
  if (found->matches.size() > 1) {
    return Status::PreconditionFailed("If-None-Exist selects more than one " + plan.write.type +
                                      "; a conditional create needs at most one match");
  }
  if (found->matches.size() == 1) {
    plan.existing = std::move(found->matches.front());
  } else {
    plan.targets = {plan.write.id};
  }
  return Status::Ok();
}

Status ResolveUpdate(store::WriteScope& scope, PlannedWrite& plan) {
  fhir::Result<store::SearchResult> found = scope.Search(*plan.condition);
  if (!found.ok()) return found.status();
  if (found->matches.size() > 1) {
    return Status::PreconditionFailed("the search selects more than one " + plan.write.type +
                                      "; a conditional update needs at most one match");
  }
  const std::string* body_id = BodyId(plan);
  if (found->matches.size() == 1) {
    plan.write.id = found->matches.front().id;
    if (body_id != nullptr && *body_id != plan.write.id) {
      return Status::InvalidInput("the id in the body (" + body_id->substr(0, 64) +
                                      ") is not the id of the resource the search selects (" +
                                      plan.write.id + ")",
                                  plan.write.type + ".id");
    }
  } else if (body_id != nullptr) {
    // No match: the resource is created with the body's id (update as create), but never over
    // a live resource that the search did not select.
    fhir::Result<store::ResourceVersion> current = scope.Read(plan.write.type, *body_id);
    if (current.ok() && !current->deleted) {
      return Status::Conflict(Name(plan.write.type, *body_id) +
                              " exists but does not match the search of the conditional update");
    }
    if (!current.ok() && current.status().code() != fhir::Code::kNotFound) {
      return current.status();
    }
    plan.write.id = *body_id;
  } else {
    plan.write.id = NewUuid();
  }
  plan.write.resource.Set("id", fhir::json::Value::String(plan.write.id));
  plan.targets = {plan.write.id};
  return Status::Ok();
}

Status ResolveDelete(store::WriteScope& scope, PlannedWrite& plan) {
  fhir::Result<store::SearchResult> found = scope.Search(*plan.condition);
  if (!found.ok()) return found.status();
  if (found->matches.size() > plan.max_deletes) {
    if (plan.max_deletes == 1) {
      return Status::PreconditionFailed("the search selects more than one " + plan.write.type +
                                        "; this conditional delete may delete only one");
    }
    return Status::PreconditionFailed(
        "the search selects more than " + std::to_string(plan.max_deletes) + " " + plan.write.type +
        " resources, the most one conditional delete may delete on this server; nothing was "
        "deleted");
  }
  plan.targets.clear();
  for (const store::ResourceVersion& match : found->matches) plan.targets.push_back(match.id);
  return Status::Ok();
}

// The access check of one write (CheckWrite), for a patient token only: what is there now and
// what replaces it must both be in the patient's compartment.
Status CheckWriteAccess(store::WriteScope& scope, const PlannedWrite& plan,
                        const store::WriteRequest& write, const ApiContext& api) {
  if (plan.principal == nullptr || plan.principal->kind != auth::Principal::Kind::kPatient) {
    return Status::Ok();
  }
  std::optional<fhir::json::Value> current;
  fhir::Result<store::ResourceVersion> stored = scope.Read(write.type, write.id);
  if (stored.ok() && !stored->deleted) {
    fhir::Result<fhir::json::Value> parsed =
        fhir::json::Parse(stored->json, api.options.json_limits);
    if (!parsed.ok()) return Status::Internal("a stored resource does not parse");
    current = std::move(parsed).value();
  } else if (!stored.ok() && stored.status().code() != fhir::Code::kNotFound) {
    return stored.status();
  }
  const bool deletes = write.kind == store::WriteKind::kDelete;
  return CheckWrite(plan.principal.get(), api, current ? &*current : nullptr,
                    deletes ? nullptr : &write.resource);
}

}  // namespace

fhir::Result<IfMatch> ParseIfMatch(std::string_view value) {
  std::optional<ETagList> tags = ParseETagList(value);
  if (!tags) return Status::InvalidInput("If-Match must be an entity tag such as W/\"3\"");
  IfMatch if_match;
  if (tags->any) {
    if_match.any = true;
    return if_match;
  }
  if (tags->versions.size() != 1 || tags->has_foreign) {
    return Status::PreconditionFailed("If-Match must name exactly one version, such as W/\"3\"");
  }
  if_match.version = tags->versions.front();
  return if_match;
}

Status SetBodyVersion(PlannedWrite& plan) {
  const fhir::json::Value* meta = plan.write.resource.Find("meta");
  const std::string* vid = meta != nullptr ? meta->FindString("versionId") : nullptr;
  if (vid == nullptr) return Status::Ok();
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(vid->data(), vid->data() + vid->size(), v);
  if (ec != std::errc() || end != vid->data() + vid->size() ||
      (plan.if_match.version && *plan.if_match.version != v)) {
    return Status::Conflict("meta.versionId in the body does not match the version being updated");
  }
  plan.body_version = v;
  return Status::Ok();
}

fhir::Result<fhir::search::Query> ParseIfNoneExist(const Exchange& exchange, std::string_view type,
                                                   std::string_view value) {
  // The specification's form is the query alone ("identifier=..."); "?identifier=..." and the
  // whole relative URL ("Patient?identifier=...", as R4's own Bundle-xds example sends it) are
  // accepted too.
  if (value.size() > type.size() && value.starts_with(type) && value[type.size()] == '?') {
    value.remove_prefix(type.size());
  }
  if (value.starts_with('?')) value.remove_prefix(1);
  fhir::Result<std::vector<QueryParam>> params = ParseForm(value);
  if (!params.ok()) return params.status();
  fhir::Result<fhir::search::Query> query = ParseConditionalSearch(exchange, type, *params);
  if (!query.ok()) {
    return Status::InvalidInput("If-None-Exist: " + std::string(query.status().message()));
  }
  return query;
}

Status Resolve(store::WriteScope& scope, PlannedWrite& plan) {
  plan.existing.reset();
  if (!plan.condition) {
    plan.targets = {plan.write.id};
    return Status::Ok();
  }
  switch (plan.write.kind) {
    case store::WriteKind::kCreate:
      return ResolveCreate(scope, plan);
    case store::WriteKind::kUpdate:
      return ResolveUpdate(scope, plan);
    case store::WriteKind::kDelete:
      return ResolveDelete(scope, plan);
  }
  return Status::Internal("unknown write");
}

fhir::Result<WriteResult> Apply(store::WriteScope& scope, PlannedWrite& plan,
                                const ApiContext& api) {
  WriteResult result;
  if (plan.existing) {
    store::WriteOutcome outcome;
    outcome.version = *plan.existing;
    outcome.created = false;
    outcome.changed = false;
    result.outcomes.push_back(std::move(outcome));
    result.existing = true;
    return result;
  }
  if (plan.write.kind != store::WriteKind::kDelete && plan.index_in_scope) {
    SCHAKEL_RETURN_IF_ERROR(AddSearchIndex(api, plan.write));
  }
  for (const std::string& id : plan.targets) {
    // A create or update has one target and takes the request itself; each delete a copy.
    store::WriteRequest write;
    if (plan.write.kind == store::WriteKind::kDelete) {
      write.kind = store::WriteKind::kDelete;
      write.type = plan.write.type;
    } else {
      write = std::move(plan.write);
    }
    write.id = id;
    if (plan.if_match.any) {
      // `*`: whatever is current, but something must be.
      fhir::Result<store::ResourceVersion> current = scope.Read(write.type, id);
      if (!current.ok() || current->deleted) {
        if (!current.ok() && current.status().code() != fhir::Code::kNotFound) {
          return current.status();
        }
        return Status::PreconditionFailed("If-Match: * but " + Name(write.type, id) +
                                          " does not exist");
      }
      write.if_match = current->version;
    } else {
      write.if_match = plan.if_match.version;
    }
    if (!write.if_match) write.if_match_existing = plan.body_version;
    SCHAKEL_RETURN_IF_ERROR(CheckWriteAccess(scope, plan, write, api));
    fhir::Result<store::WriteOutcome> outcome = scope.Write(std::move(write));
    if (!outcome.ok()) {
      if (plan.body_version && !plan.if_match.version && !plan.if_match.any &&
          outcome.status().code() == fhir::Code::kPreconditionFailed) {
        return Status::Conflict(
            "version conflict: meta.versionId in the body is not the current version (" +
            std::string(outcome.status().message()) + ")");
      }
      return outcome.status();
    }
    result.outcomes.push_back(std::move(outcome).value());
  }
  return result;
}

void RunPlannedWrite(const Exchange& exchange, PlannedWrite plan,
                     std::function<void(fhir::Result<WriteResult>)> done) {
  // The plan, and then the result, live here between the body (writer thread) and `done`.
  struct Shared {
    PlannedWrite plan;
    std::optional<WriteResult> result;
  };
  plan.principal = exchange.principal;
  auto shared = std::make_shared<Shared>(Shared{std::move(plan), std::nullopt});
  const ApiContext* api = exchange.api;
  exchange.api->store->WriteAtomically(
      exchange.ctx,
      [shared, api](store::WriteScope& scope) -> Status {
        SCHAKEL_RETURN_IF_ERROR(Resolve(scope, shared->plan));
        fhir::Result<WriteResult> result = Apply(scope, shared->plan, *api);
        if (!result.ok()) return result.status();
        shared->result = std::move(result).value();
        return Status::Ok();
      },
      [shared, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        if (!shared->result) return done(Status::Internal("the write left no result"));
        done(std::move(*shared->result));
      });
}

}  // namespace schakel::server::rest
