// SMART on FHIR scopes: parsing a scope string, asking what it grants, and comparing two of them.
//
// Clinical scopes are `<context>/<resource>.<permissions>[?<query>]`:
//   - context: patient | user | system;
//   - resource: a FHIR resource type name or `*` (any type);
//   - permissions, SMART 2.x: a non-empty subsequence of `cruds` in that order (create, read,
//     update, delete, search), e.g. `rs`, `cud`; SMART 1.0 syntax is accepted too: `read` (= rs),
//     `write` (= cud) and `*` (= cruds);
//   - query: a search restriction `name=value&...`, only with 2.x permissions
//     (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#finer-grained-resource-constraints-using-search-parameters).
// Other scopes SMART defines (openid, fhirUser, profile, launch, launch/patient, launch/encounter,
// offline_access, online_access) are kept as flags. Any other scope is kept as unknown and grants
// nothing: a server may ignore scopes it does not know. A scope that looks like a clinical scope
// but is malformed (`patient/Observation.foo`, `patient/.read`, `nobody/Patient.read`) makes the
// whole string invalid, so that the token endpoint can answer invalid_scope instead of quietly
// granting less than the client believes it asked for. Spec:
// https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html, and the scope syntax of RFC
// 6749 section 3.3.
//
// Values; thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/status.h"

namespace schakel::server::auth {

// The scopes kept as flags (ScopeSet::Has).
inline constexpr std::string_view kScopeOpenId = "openid";
inline constexpr std::string_view kScopeFhirUser = "fhirUser";
inline constexpr std::string_view kScopeProfile = "profile";  // SMART 1.0's fhirUser
inline constexpr std::string_view kScopeLaunch = "launch";
inline constexpr std::string_view kScopeLaunchPatient = "launch/patient";
inline constexpr std::string_view kScopeLaunchEncounter = "launch/encounter";
inline constexpr std::string_view kScopeOfflineAccess = "offline_access";
inline constexpr std::string_view kScopeOnlineAccess = "online_access";

// The resource type of a scope that covers every type.
inline constexpr std::string_view kAnyResourceType = "*";

// Bounds on what Parse accepts.
inline constexpr std::size_t kMaxScopeStringLength = 4096;
inline constexpr std::size_t kMaxScopes = 100;

enum class Permission { kCreate, kRead, kUpdate, kDelete, kSearch };

enum class ScopeContext { kPatient, kUser, kSystem };

// "patient", "user" or "system".
std::string_view ScopeContextName(ScopeContext context);

// A set of Permission.
class Permissions {
 public:
  constexpr Permissions() = default;
  static constexpr Permissions Of(std::initializer_list<Permission> permissions) {
    Permissions result;
    for (Permission p : permissions) result.bits_ |= Bit(p);
    return result;
  }
  static constexpr Permissions All() {
    return Of({Permission::kCreate, Permission::kRead, Permission::kUpdate, Permission::kDelete,
               Permission::kSearch});
  }

  constexpr bool Has(Permission p) const { return (bits_ & Bit(p)) != 0; }
  constexpr bool Contains(Permissions other) const { return (other.bits_ & ~bits_) == 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr Permissions operator&(Permissions other) const { return FromBits(bits_ & other.bits_); }
  constexpr Permissions operator|(Permissions other) const { return FromBits(bits_ | other.bits_); }
  friend constexpr bool operator==(Permissions, Permissions) = default;

  // SMART 2.x letters in `cruds` order ("rs"); empty for the empty set.
  std::string ToString() const;

 private:
  static constexpr std::uint8_t Bit(Permission p) {
    return static_cast<std::uint8_t>(1U << static_cast<unsigned>(p));
  }
  static constexpr Permissions FromBits(unsigned bits) {
    Permissions result;
    result.bits_ = static_cast<std::uint8_t>(bits);
    return result;
  }

  std::uint8_t bits_ = 0;
};

// The `?name=value&...` part of a clinical scope: the scope grants access only to resources that
// a search with these parameters would find.
struct SearchRestriction {
  std::string query;  // as written, without the '?'
  // The pairs of `query` in order, names and values percent-decoded ('+' stays '+').
  std::vector<std::pair<std::string, std::string>> params;

  // Same parameters in the same order (so `a=1&b=2` and `b=2&a=1` differ: a conservative answer).
  friend bool operator==(const SearchRestriction& a, const SearchRestriction& b) {
    return a.params == b.params;
  }
};

struct ClinicalScope {
  ScopeContext context = ScopeContext::kPatient;
  std::string resource_type;  // a type name, or kAnyResourceType
  Permissions permissions;    // never empty
  std::optional<SearchRestriction> restriction;
  std::string text;  // the scope as written (v1 or v2 syntax)
};

// What a scope set allows for one context, type and permission (ScopeSet::Grants).
struct Grant {
  // A granting scope has no restriction: every resource of the type is allowed.
  bool unrestricted = false;
  // When not unrestricted: the restrictions of the granting scopes, without duplicates; a
  // resource is allowed when it matches any of them.
  std::vector<SearchRestriction> restrictions;
};

// The scopes of one request or grant, in the order given, without duplicates.
class ScopeSet {
 public:
  ScopeSet() = default;

  // Parses a space-separated scope string. Runs of spaces, and leading or trailing ones, are
  // tolerated; any other whitespace or character outside RFC 6749's scope-token set is not.
  // kInvalidInput, with a message that quotes the offending scope, for a malformed clinical scope,
  // a string over kMaxScopeStringLength characters, or more than kMaxScopes scopes.
  static fhir::Result<ScopeSet> Parse(std::string_view text);

  // Whether the flag scope `flag` (kScopeOpenId, kScopeOfflineAccess, ...) is present.
  bool Has(std::string_view flag) const;
  // Whether a clinical scope with `context` is present.
  bool HasContext(ScopeContext context) const;

  // What the scopes grant for `permission` on resources of `type` (a type name) in `context`, or
  // in any context when nullopt; nullopt when no scope grants it.
  std::optional<Grant> Grants(std::optional<ScopeContext> context, std::string_view type,
                              Permission permission) const;

  // Whether `granted` allows everything this set asks for: each permission of each clinical scope
  // is granted by a scope of `granted` with the same context, the same type or `*`, and no
  // restriction or the same one; every flag is in `granted`. Unknown scopes grant nothing and are
  // not compared. Detects scope escalation on a refresh.
  bool IsSubsetOf(const ScopeSet& granted) const;

  // The most of this (requested) set that `allowed` permits: flags that `allowed` has; clinical
  // scopes that `allowed` covers, as written; and for a clinical scope it covers only partly,
  // the intersections with the scopes of `allowed` (in 2.x syntax, e.g. `patient/*.cruds` with
  // `patient/Observation.rs` allowed gives `patient/Observation.rs`). Unknown scopes are dropped.
  // The result IsSubsetOf(allowed).
  ScopeSet Narrowed(const ScopeSet& allowed) const;

  // The scopes separated by single spaces, in the order given.
  std::string ToString() const;

  bool empty() const { return scopes_.empty(); }
  const std::vector<ClinicalScope>& clinical() const { return clinical_; }
  const std::vector<std::string>& flags() const { return flags_; }
  const std::vector<std::string>& unknown() const { return unknown_; }

 private:
  // Each adds a scope unless one with the same text is present.
  void AddClinical(ClinicalScope scope);
  void AddFlag(std::string_view flag);
  void AddUnknown(std::string_view scope);
  bool Contains(std::string_view text) const;

  std::vector<std::string> scopes_;  // every scope's text, in order
  std::vector<ClinicalScope> clinical_;
  std::vector<std::string> flags_;
  std::vector<std::string> unknown_;
};

}  // namespace schakel::server::auth
