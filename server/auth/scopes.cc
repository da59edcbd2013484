#include "server/auth/scopes.h"

#include <algorithm>
#include <array>

namespace schakel::server::auth {
namespace {

constexpr std::array<std::string_view, 8> kFlags = {
    kScopeOpenId,        kScopeFhirUser,        kScopeProfile,       kScopeLaunch,
    kScopeLaunchPatient, kScopeLaunchEncounter, kScopeOfflineAccess, kScopeOnlineAccess,
};

// The longest resource type name accepted: well above R4's longest (33 characters).
constexpr std::size_t kMaxTypeLength = 64;

constexpr std::string_view kPermissionLetters = "cruds";  // in Permission order

bool IsKnownFlag(std::string_view scope) {
  return std::find(kFlags.begin(), kFlags.end(), scope) != kFlags.end();
}

// RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
bool IsScopeTokenChar(char c) { return c >= 0x21 && c <= 0x7e && c != '"' && c != '\\'; }

bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAsciiLetter(char c) { return IsAsciiUpper(c) || IsAsciiLower(c); }

std::optional<ScopeContext> ContextNamed(std::string_view name) {
  if (name == "patient") return ScopeContext::kPatient;
  if (name == "user") return ScopeContext::kUser;
  if (name == "system") return ScopeContext::kSystem;
  return std::nullopt;
}

fhir::Status InvalidScope(std::string_view scope, std::string_view why) {
  std::string message = "invalid scope \"";
  message += scope;
  message += "\": ";
  message += why;
  return fhir::Status::InvalidInput(std::move(message));
}

bool IsValidTypeName(std::string_view type) {
  if (type == kAnyResourceType) return true;
  if (type.empty() || type.size() > kMaxTypeLength || !IsAsciiUpper(type.front())) return false;
  return std::all_of(type.begin(), type.end(), IsAsciiLetter);
}

// Whether `scope` has the shape of a clinical scope with some other context
// (`nobody/Patient.read`): lowercase letters, '/', then `*` or a capitalized name and a '.'.
bool LooksClinical(std::string_view scope) {
  const std::size_t slash = scope.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  const std::string_view prefix = scope.substr(0, slash);
  if (prefix == "launch" || !std::all_of(prefix.begin(), prefix.end(), IsAsciiLower)) return false;
  const std::string_view rest = scope.substr(slash + 1);
  const std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view type = rest.substr(0, dot);
  return type == kAnyResourceType || (!type.empty() && IsAsciiUpper(type.front()));
}

struct ParsedPermissions {
  Permissions permissions;
  bool v1 = false;
};

std::optional<ParsedPermissions> ParsePermissions(std::string_view text) {
  if (text == "read") {
    return ParsedPermissions{Permissions::Of({Permission::kRead, Permission::kSearch}), true};
  }
  if (text == "write") {
    return ParsedPermissions{
        Permissions::Of({Permission::kCreate, Permission::kUpdate, Permission::kDelete}), true};
  }
  if (text == "*") return ParsedPermissions{Permissions::All(), true};
  if (text.empty()) return std::nullopt;
  // A subsequence of "cruds": each letter after the previous one.
  ParsedPermissions parsed;
  std::size_t next = 0;
  for (char c : text) {
    const std::size_t at = kPermissionLetters.find(c, next);
    if (at == std::string_view::npos) return std::nullopt;
    parsed.permissions = parsed.permissions | Permissions::Of({static_cast<Permission>(at)});
    next = at + 1;
  }
  return parsed;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

fhir::Result<SearchRestriction> ParseRestriction(std::string_view scope, std::string_view query) {
  SearchRestriction restriction;
  restriction.query = std::string(query);
  if (query.empty()) return InvalidScope(scope, "the search restriction after '?' is empty");
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos || equals == 0 || equals + 1 == pair.size()) {
      return InvalidScope(scope, "the search restriction must be name=value pairs joined by '&'");
    }
    std::optional<std::string> name = PercentDecode(pair.substr(0, equals));
    std::optional<std::string> value = PercentDecode(pair.substr(equals + 1));
    if (!name || !value) {
      return InvalidScope(scope, "the search restriction has a malformed percent-encoding");
    }
    restriction.params.emplace_back(std::move(*name), std::move(*value));
    start = end + 1;
  }
  return restriction;
}

fhir::Result<ClinicalScope> ParseClinical(std::string_view scope, ScopeContext context,
                                          std::string_view rest) {
  ClinicalScope parsed;
  parsed.context = context;
  parsed.text = std::string(scope);
  std::string_view body = rest;
  std::optional<std::string_view> query;
  if (const std::size_t question = rest.find('?'); question != std::string_view::npos) {
    body = rest.substr(0, question);
    query = rest.substr(question + 1);
  }
  const std::size_t dot = body.find('.');
  if (dot == std::string_view::npos) {
    return InvalidScope(scope, "expected <resource>.<permissions> after the context");
  }
  const std::string_view type = body.substr(0, dot);
  if (!IsValidTypeName(type)) {
    return InvalidScope(scope, "the resource must be a FHIR resource type name or '*'");
  }
  parsed.resource_type = std::string(type);
  std::optional<ParsedPermissions> permissions = ParsePermissions(body.substr(dot + 1));
  if (!permissions) {
    return InvalidScope(scope,
                        "the permissions must be read, write or * (SMART 1.0), or letters of "
                        "'cruds' in that order (SMART 2.x)");
  }
  parsed.permissions = permissions->permissions;
  if (query) {
    if (permissions->v1) {
      return InvalidScope(scope, "a search restriction needs SMART 2.x permissions (e.g. .rs)");
    }
    fhir::Result<SearchRestriction> restriction = ParseRestriction(scope, *query);
    if (!restriction.ok()) return restriction.status();
    parsed.restriction = std::move(*restriction);
  }
  return parsed;
}

bool TypeMatches(std::string_view scope_type, std::string_view type) {
  return scope_type == kAnyResourceType || scope_type == type;
}

// Whether `granted` allows `permission` on what `wanted` names: same context, the same type or
// `*`, and no restriction or the same one.
bool GrantsPart(const ClinicalScope& granted, const ClinicalScope& wanted, Permission permission) {
  return granted.context == wanted.context &&
         TypeMatches(granted.resource_type, wanted.resource_type) &&
         granted.permissions.Has(permission) &&
         (!granted.restriction ||
          (wanted.restriction && *granted.restriction == *wanted.restriction));
}

bool Covers(const std::vector<ClinicalScope>& granted, const ClinicalScope& wanted) {
  for (int i = 0; i < static_cast<int>(kPermissionLetters.size()); ++i) {
    const auto permission = static_cast<Permission>(i);
    if (!wanted.permissions.Has(permission)) continue;
    const bool any = std::any_of(granted.begin(), granted.end(), [&](const ClinicalScope& g) {
      return GrantsPart(g, wanted, permission);
    });
    if (!any) return false;
  }
  return true;
}

std::string Format(const ClinicalScope& scope) {
  std::string text(ScopeContextName(scope.context));
  text += '/';
  text += scope.resource_type;
  text += '.';
  text += scope.permissions.ToString();
  if (scope.restriction) {
    text += '?';
    text += scope.restriction->query;
  }
  return text;
}

// The part of `wanted` that `allowed` grants, if any.
std::optional<ClinicalScope> Intersect(const ClinicalScope& wanted, const ClinicalScope& allowed) {
  if (wanted.context != allowed.context) return std::nullopt;
  ClinicalScope part;
  part.context = wanted.context;
  if (TypeMatches(allowed.resource_type, wanted.resource_type)) {
    part.resource_type = wanted.resource_type;
  } else if (wanted.resource_type == kAnyResourceType) {
    part.resource_type = allowed.resource_type;
  } else {
    return std::nullopt;
  }
  if (!allowed.restriction) {
    part.restriction = wanted.restriction;
  } else if (!wanted.restriction || *wanted.restriction == *allowed.restriction) {
    part.restriction = allowed.restriction;
  } else {
    return std::nullopt;
  }
  part.permissions = wanted.permissions & allowed.permissions;
  if (part.permissions.empty()) return std::nullopt;
  part.text = Format(part);
  return part;
}

}  // namespace

std::string_view ScopeContextName(ScopeContext context) {
  switch (context) {
    case ScopeContext::kPatient:
      return "patient";
    case ScopeContext::kUser:
      return "user";
    case ScopeContext::kSystem:
      return "system";
  }
  return "patient";
}

std::string Permissions::ToString() const {
  std::string letters;
  for (std::size_t i = 0; i < kPermissionLetters.size(); ++i) {
    if (Has(static_cast<Permission>(i))) letters += kPermissionLetters[i];
  }
  return letters;
}

fhir::Result<ScopeSet> ScopeSet::Parse(std::string_view text) {
  if (text.size() > kMaxScopeStringLength) {
    return fhir::Status::InvalidInput("the scope string is longer than " +
                                      std::to_string(kMaxScopeStringLength) + " characters");
  }
  ScopeSet set;
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view scope = text.substr(pos, end - pos);
    pos = end;
    if (!std::all_of(scope.begin(), scope.end(), IsScopeTokenChar)) {
      return fhir::Status::InvalidInput(
          "the scope string may contain only printable ASCII characters (not '\"' or '\\') "
          "separated by spaces");
    }
    if (++count > kMaxScopes) {
      return fhir::Status::InvalidInput("more than " + std::to_string(kMaxScopes) + " scopes");
    }
    if (set.Contains(scope)) continue;
    if (IsKnownFlag(scope)) {
      set.AddFlag(scope);
      continue;
    }
    const std::size_t slash = scope.find('/');
    const std::optional<ScopeContext> context =
        slash == std::string_view::npos ? std::nullopt : ContextNamed(scope.substr(0, slash));
    if (context) {
      fhir::Result<ClinicalScope> clinical =
          ParseClinical(scope, *context, scope.substr(slash + 1));
      if (!clinical.ok()) return clinical.status();
      set.AddClinical(std::move(*clinical));
    } else if (LooksClinical(scope)) {
      return InvalidScope(scope, "the context must be patient, user or system");
    } else {
      set.AddUnknown(scope);
    }
  }
  return set;
}

bool ScopeSet::Has(std::string_view flag) const {
  return std::find(flags_.begin(), flags_.end(), flag) != flags_.end();
}

bool ScopeSet::HasContext(ScopeContext context) const {
  return std::any_of(clinical_.begin(), clinical_.end(),
                     [context](const ClinicalScope& s) { return s.context == context; });
}

std::optional<Grant> ScopeSet::Grants(std::optional<ScopeContext> context, std::string_view type,
                                      Permission permission) const {
  std::optional<Grant> grant;
  for (const ClinicalScope& scope : clinical_) {
    if (context && scope.context != *context) continue;
    if (!TypeMatches(scope.resource_type, type) || !scope.permissions.Has(permission)) continue;
    if (!grant) grant.emplace();
    if (!scope.restriction) {
      grant->unrestricted = true;
      grant->restrictions.clear();
      break;
    }
    if (std::find(grant->restrictions.begin(), grant->restrictions.end(), *scope.restriction) ==
        grant->restrictions.end()) {
      grant->restrictions.push_back(*scope.restriction);
    }
  }
  return grant;
}

bool ScopeSet::IsSubsetOf(const ScopeSet& granted) const {
  for (const std::string& flag : flags_) {
    if (!granted.Has(flag)) return false;
  }
  return std::all_of(clinical_.begin(), clinical_.end(),
                     [&](const ClinicalScope& s) { return Covers(granted.clinical_, s); });
}

ScopeSet ScopeSet::Narrowed(const ScopeSet& allowed) const {
  ScopeSet result;
  for (const std::string& text : scopes_) {
    if (Has(text)) {
      if (allowed.Has(text)) result.AddFlag(text);
      continue;
    }
    const auto clinical = std::find_if(clinical_.begin(), clinical_.end(),
                                       [&](const ClinicalScope& s) { return s.text == text; });
    if (clinical == clinical_.end()) continue;  // unknown: never granted
    if (Covers(allowed.clinical_, *clinical)) {
      result.AddClinical(*clinical);
      continue;
    }
    for (const ClinicalScope& permitted : allowed.clinical_) {
      std::optional<ClinicalScope> part = Intersect(*clinical, permitted);
      // Skip a part that what is already granted covers (a narrower allowed scope after a
      // wider one).
      if (part && !Covers(result.clinical_, *part)) result.AddClinical(std::move(*part));
    }
  }
  return result;
}

std::string ScopeSet::ToString() const {
  std::string text;
  for (const std::string& scope : scopes_) {
    if (!text.empty()) text += ' ';
    text += scope;
  }
  return text;
}

bool ScopeSet::Contains(std::string_view text) const {
  return std::find(scopes_.begin(), scopes_.end(), text) != scopes_.end();
}

void ScopeSet::AddClinical(ClinicalScope scope) {
  if (Contains(scope.text)) return;
  scopes_.push_back(scope.text);
  clinical_.push_back(std::move(scope));
}

void ScopeSet::AddFlag(std::string_view flag) {
  if (Contains(flag)) return;
  scopes_.emplace_back(flag);
  flags_.emplace_back(flag);
}

void ScopeSet::AddUnknown(std::string_view scope) {
  if (Contains(scope)) return;
  scopes_.emplace_back(scope);
  unknown_.emplace_back(scope);
}

}  // namespace schakel::server::auth
