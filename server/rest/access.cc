#include "server/rest/access.h"

#include <algorithm>
#include <ctime>
#include <optional>

#include "fhir/json/parse.h"
#include "fhir/search/compartment_membership.h"
#include "server/auth/access_tokens.h"

namespace schakel::server::rest {
namespace {

using auth::Grant;
using auth::Permission;
using auth::Principal;
using auth::ScopeContext;
using fhir::Status;

constexpr std::string_view kPatientType = "Patient";

bool IsPatient(const Principal* p) { return p != nullptr && p->kind == Principal::Kind::kPatient; }

// What the principal's scopes grant for `permission` on `type`: a patient's patient/ and user/
// scopes, a backend's system/ scopes, an administrator's scopes of any context.
std::optional<Grant> GrantFor(const Principal& p, std::string_view type, Permission permission) {
  switch (p.kind) {
    case Principal::Kind::kAdministrator:
      return p.scopes.Grants(std::nullopt, type, permission);
    case Principal::Kind::kBackend:
      return p.scopes.Grants(ScopeContext::kSystem, type, permission);
    case Principal::Kind::kPatient: {
      std::optional<Grant> grant = p.scopes.Grants(ScopeContext::kPatient, type, permission);
      std::optional<Grant> user = p.scopes.Grants(ScopeContext::kUser, type, permission);
      if (!grant) return user;
      if (!user || grant->unrestricted) return grant;
      if (user->unrestricted) return user;
      for (auth::SearchRestriction& r : user->restrictions) {
        if (std::find(grant->restrictions.begin(), grant->restrictions.end(), r) ==
            grant->restrictions.end()) {
          grant->restrictions.push_back(std::move(r));
        }
      }
      return grant;
    }
    case Principal::Kind::kAnonymous:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kCreate:
      return "create (c)";
    case Permission::kRead:
      return "read (r)";
    case Permission::kUpdate:
      return "update (u)";
    case Permission::kDelete:
      return "delete (d)";
    case Permission::kSearch:
      return "search (s)";
  }
  return "";
}

std::string TypeName(std::string_view type) {
  return type == auth::kAnyResourceType ? "all resource types" : std::string(type);
}

// Ok when the scopes grant `permission` on `type`; with `unrestricted`, only by a scope without
// a search restriction.
Status Need(const Principal& p, std::string_view type, Permission permission,
            bool unrestricted = false) {
  std::optional<Grant> grant = GrantFor(p, type, permission);
  if (!grant) {
    return Status::Forbidden("the access token's scopes do not grant " +
                             std::string(PermissionName(permission)) + " on " + TypeName(type));
  }
  if (unrestricted && !grant->unrestricted) {
    return Status::Forbidden("the access token grants " + std::string(PermissionName(permission)) +
                             " on " + TypeName(type) +
                             " only with a search restriction, which does not cover this "
                             "interaction");
  }
  return Status::Ok();
}

// The resource types a system search names with _type; empty when it names none.
std::vector<std::string> TypesOf(const std::vector<QueryParam>& params) {
  std::vector<std::string> types;
  for (const QueryParam& param : params) {
    if (param.name != "_type") continue;
    std::string_view rest = param.value;
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      types.emplace_back(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return types;
}

Status NotKnown(std::string_view type, std::string_view id) {
  return Status::NotFound(std::string(type) + "/" + std::string(id) + " is not known");
}

// Whether `resource` belongs to the patient: their Patient resource, or in their compartment.
fhir::Result<bool> InPatientCompartment(const ApiContext& api, const std::string& patient,
                                        const fhir::json::Value& resource) {
  const std::string* type = resource.FindString("resourceType");
  if (type != nullptr && *type == kPatientType) {
    const std::string* id = resource.FindString("id");
    return id != nullptr && *id == patient;
  }
  return fhir::search::InCompartment(resource, kPatientType, patient, *api.search_params->Get(),
                                     *api.compartments);
}

// Whether a search for `type`/`id` restricted by `restriction` finds it.
fhir::Result<bool> MatchesRestriction(const Exchange& ex, const std::string& type,
                                      const std::string& id,
                                      const auth::SearchRestriction& restriction) {
  std::vector<std::pair<std::string, std::string>> params = restriction.params;
  params.emplace_back("_id", id);
  std::shared_ptr<const fhir::search::SearchParameterRegistry> registry =
      ex.api->search_params->Get();
  fhir::search::QueryOptions options;
  options.strict = true;
  fhir::Result<fhir::search::Query> query =
      fhir::search::ParseQuery(type, params, *registry, options);
  if (!query.ok()) return false;  // a restriction that does not apply to the type finds nothing
  query->registry = registry;
  query->count = 1;
  query->total = fhir::search::Total::kNone;
  fhir::Result<store::SearchResult> found = ex.api->store->Search(ex.ctx, *query);
  if (!found.ok()) return found.status();
  return !found->matches.empty();
}

}  // namespace

Status Authenticate(Exchange& ex) {
  const ApiContext& api = *ex.api;
  if (api.options.insecure_no_auth) return Status::Ok();
  if (api.tokens == nullptr) {
    return Status::Unauthorized("this server cannot verify access tokens");
  }
  std::string_view header = ex.request.Header("Authorization");
  if (header.empty()) {
    return Status::Unauthorized("an access token is required: Authorization: Bearer <token>");
  }
  std::size_t space = header.find(' ');
  if (space == std::string_view::npos ||
      !http::EqualsIgnoreCase(header.substr(0, space), "Bearer")) {
    return Status::Unauthorized("the Authorization header must use the Bearer scheme");
  }
  std::string_view token = header.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  fhir::Result<Principal> principal = api.tokens->Verify(token, std::time(nullptr));
  if (!principal.ok()) return Status::Unauthorized(std::string(principal.status().message()));
  ex.principal = std::make_shared<const Principal>(std::move(principal).value());
  return Status::Ok();
}

std::string WwwAuthenticate(const Exchange& ex, const Status& failure) {
  std::string value = "Bearer realm=\"" + ex.api->options.base_url + "\"";
  if (ex.request.Header("Authorization").empty()) return value;
  // RFC 6750 section 3: error_description is printable ASCII without '"' and '\'.
  std::string description;
  for (char c : failure.message()) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') description += c;
  }
  return value + ", error=\"invalid_token\", error_description=\"" + description.substr(0, 200) +
         "\"";
}

Status AuthorizeInteraction(const Exchange& ex, const Interaction& in,
                            const std::vector<QueryParam>& params) {
  if (ex.principal == nullptr) return Status::Ok();
  const Principal& p = *ex.principal;
  const bool patient = p.kind == Principal::Kind::kPatient;
  using K = InteractionKind;
  switch (in.kind) {
    case K::kCapabilities:
    case K::kBatchOrTransaction:  // each entry is checked on its own
      return Status::Ok();
    case K::kRead:
    case K::kVread:
    case K::kHistoryInstance:
      return Need(p, in.type, Permission::kRead);
    case K::kSearchType:
      return Need(p, in.type, Permission::kSearch);
    case K::kSearchCompartment:
      if (patient && in.type != kPatientType) {
        return Status::Forbidden("a patient token searches only its own Patient compartment");
      }
      if (patient && in.id != p.patient) return NotKnown(in.type, in.id);
      return Need(p, in.compartment_type, Permission::kSearch);
    case K::kSearchSystem: {
      if (patient) {
        return Status::Forbidden(
            "a patient token cannot search across resource types; search one type");
      }
      std::vector<std::string> types = TypesOf(params);
      if (types.empty()) return Need(p, auth::kAnyResourceType, Permission::kSearch, true);
      for (const std::string& type : types) {
        SCHAKEL_RETURN_IF_ERROR(Need(p, type, Permission::kSearch, true));
      }
      return Status::Ok();
    }
    case K::kHistoryType:
    case K::kHistorySystem:
      if (patient) {
        return Status::Forbidden(
            "a patient token reads the history of one resource at a time, not of a type or the "
            "whole server");
      }
      return Need(p, in.type.empty() ? auth::kAnyResourceType : std::string_view(in.type),
                  Permission::kRead, true);
    case K::kCreate:
      return Need(p, in.type, Permission::kCreate, true);
    case K::kUpdate:
    case K::kConditionalUpdate:
    case K::kPatch:
    case K::kConditionalPatch:
      return Need(p, in.type, Permission::kUpdate, true);
    case K::kDelete:
    case K::kConditionalDelete:
      return Need(p, in.type, Permission::kDelete, true);
    case K::kOperation:
      if (in.operation == "$reindex") {
        if (p.kind != Principal::Kind::kAdministrator) {
          return Status::Forbidden("$reindex needs an administrator token");
        }
        return Status::Ok();
      }
      if (in.operation == "$validate") {
        // Validation reads nothing but, at instance level, whether the resource exists.
        if (Need(p, in.type, Permission::kCreate).ok() ||
            Need(p, in.type, Permission::kUpdate).ok()) {
          if (in.id.empty() || !patient) return Status::Ok();
          fhir::Result<store::ResourceVersion> current =
              ex.api->store->Read(ex.ctx, in.type, in.id);
          if (!current.ok()) return Status::Ok();  // the handler answers 404 itself
          return CheckDisclosure(ex, *current);
        }
        return Status::Forbidden("$validate on " + in.type +
                                 " needs a scope that grants create or update on it");
      }
      // An operation this server does not know is answered by its handler (501).
      return Status::Ok();
  }
  return Status::Forbidden("this interaction is not allowed");
}

Status ConfineSearch(const Exchange& ex, std::string_view type,
                     std::vector<std::pair<std::string, std::string>>& params) {
  if (ex.principal == nullptr || type.empty()) return Status::Ok();
  const Principal& p = *ex.principal;
  std::optional<Grant> grant = GrantFor(p, type, Permission::kSearch);
  if (grant && !grant->unrestricted) {
    if (grant->restrictions.size() > 1) {
      return Status::Forbidden("the access token has several restricted scopes for searching " +
                               std::string(type) +
                               "; this server applies one per search (ask for one of them)");
    }
    for (const auto& param : grant->restrictions.front().params) params.push_back(param);
  }
  if (IsPatient(&p) && type == kPatientType) params.emplace_back("_id", p.patient);
  return Status::Ok();
}

Status ConfineQuery(const Exchange& ex, fhir::search::Query& query) {
  if (!IsPatient(ex.principal.get())) return Status::Ok();
  const Principal& p = *ex.principal;
  if (query.type.empty()) {
    return Status::Forbidden("a patient token cannot search across resource types");
  }
  if (query.type == kPatientType) return Status::Ok();  // ConfineSearch added _id
  if (query.compartment) {
    // A compartment search: AuthorizeInteraction allowed only the patient's own.
    if (query.compartment->type == kPatientType && query.compartment->id == p.patient) {
      return Status::Ok();
    }
    return Status::Forbidden("a patient token searches only its own Patient compartment");
  }
  fhir::search::CompartmentClause clause;
  clause.type = std::string(kPatientType);
  clause.id = p.patient;
  for (const std::string& code : ex.api->compartments->Params(kPatientType, query.type)) {
    if (const auto* param = query.registry->Find(query.type, code)) clause.params.push_back(param);
  }
  if (clause.params.empty()) {
    return Status::Forbidden(query.type +
                             " resources are not in a patient's compartment, so a patient token "
                             "cannot reach them");
  }
  query.compartment = std::move(clause);
  return Status::Ok();
}

Status CheckDisclosure(const Exchange& ex, const store::ResourceVersion& version) {
  if (ex.principal == nullptr) return Status::Ok();
  const Principal& p = *ex.principal;
  std::optional<Grant> grant = GrantFor(p, version.type, Permission::kRead);
  if (!grant) return NotKnown(version.type, version.id);
  const bool patient = IsPatient(&p);
  if (!patient && grant->unrestricted) return Status::Ok();

  // A deletion is as visible as what it deleted.
  const store::ResourceVersion* live = &version;
  std::optional<store::ResourceVersion> before;
  if (version.deleted) {
    if (version.version <= 1) return NotKnown(version.type, version.id);
    fhir::Result<store::ResourceVersion> previous =
        ex.api->store->ReadVersion(ex.ctx, version.type, version.id, version.version - 1);
    if (!previous.ok() || previous->deleted) return NotKnown(version.type, version.id);
    before = std::move(previous).value();
    live = &*before;
  }
  if (patient) {
    fhir::Result<fhir::json::Value> resource =
        fhir::json::Parse(live->json, ex.api->options.json_limits);
    if (!resource.ok()) return Status::Internal("a stored resource does not parse");
    fhir::Result<bool> member = InPatientCompartment(*ex.api, p.patient, *resource);
    if (!member.ok()) return member.status();
    if (!*member) return NotKnown(version.type, version.id);
  }
  if (grant->unrestricted) return Status::Ok();
  for (const auth::SearchRestriction& restriction : grant->restrictions) {
    fhir::Result<bool> matches = MatchesRestriction(ex, live->type, live->id, restriction);
    if (!matches.ok()) return matches.status();
    if (*matches) return Status::Ok();
  }
  return NotKnown(version.type, version.id);
}

Status CheckWrite(const Principal* principal, const ApiContext& api,
                  const fhir::json::Value* current, const fhir::json::Value* next) {
  if (!IsPatient(principal)) return Status::Ok();
  if (current != nullptr) {
    fhir::Result<bool> member = InPatientCompartment(api, principal->patient, *current);
    if (!member.ok()) return member.status();
    if (!*member) {
      const std::string* type = current->FindString("resourceType");
      const std::string* id = current->FindString("id");
      return NotKnown(type ? *type : "", id ? *id : "");
    }
  }
  if (next != nullptr) {
    fhir::Result<bool> member = InPatientCompartment(api, principal->patient, *next);
    if (!member.ok()) return member.status();
    if (!*member) {
      return Status::Forbidden(
          "a patient token writes only resources in its own patient's compartment; this one "
          "does not refer to the patient");
    }
  }
  return Status::Ok();
}

}  // namespace schakel::server::rest
