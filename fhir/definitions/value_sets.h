// The value sets that R4 binds with strength "required", expanded, for checking coded values.
// https://hl7.org/fhir/R4/terminologies.html#required
//
// Loaded once at start-up from resources/fhir-r4/value-sets.ndjson, which
// scripts/import-definitions expands offline from the R4 ValueSet and CodeSystem definitions, and
// immutable afterwards: safe to share between threads without locking. Lookups do not allocate.
//
// A value set is either enumerated (a list of system and code pairs) or open: its codes come from
// a system that cannot be listed offline (urn:ietf:bcp:13 mime types, urn:iso:std:iso:4217
// currencies, UCUM, IANA time zones) or its definition is not in the R4 package
// (http://loinc.org/vs/LL379-9). Codes of open value sets are not checkable and should be
// accepted. Abstract (notSelectable) concepts are not members; see the script for the details.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "fhir/status.h"

namespace schakel::fhir::definitions {

class ValueSetIndex {
 public:
  enum class Membership {
    kMember,
    kNotMember,
    kUnknownValueSet,  // not a required-bound R4 value set: the caller cannot check the code here
    kNotCheckable,     // an open value set: accept the code
  };

  // Loads resources_dir/fhir-r4/value-sets.ndjson. Errors name the file and line.
  static Result<std::shared_ptr<const ValueSetIndex>> Load(const std::string& resources_dir);

  ValueSetIndex() = default;
  // Not copyable: the code lists point into the sets.
  ValueSetIndex(const ValueSetIndex&) = delete;
  ValueSetIndex& operator=(const ValueSetIndex&) = delete;

  // Whether `code` is in the value set. `value_set_url` may carry a version ("...|4.0.1"), which
  // is ignored: the index holds one version of each set, and R4 bindings name 4.0.1 even for
  // terminology.hl7.org sets versioned otherwise. `system` is empty for a bare `code` element, in
  // which case a code of any of the set's systems is a member. Codes are case-sensitive.
  // For an open value set the answer is kNotCheckable, except kNotMember for a system the set
  // does not draw from when its systems are known.
  Membership Check(std::string_view value_set_url, std::string_view system,
                   std::string_view code) const;

  // Whether the index knows the value set (with or without a version).
  bool Contains(std::string_view value_set_url) const;

  // The one code system all of the set's codes come from: the implicit system of a `code`
  // element bound to it (https://hl7.org/fhir/R4/search.html#token). Empty when the set is
  // unknown, draws from several systems, or is open with no known system.
  std::string_view SingleSystem(std::string_view value_set_url) const;

  // Up to `max_codes` allowed codes for an error message, in definition order:
  // "male, female, other, unknown" or "draft, active, retired, ... (5 in all)". Codes of a set
  // with several systems are written system#code. An open set gives "any code from <systems>";
  // an unknown one an empty string.
  std::string DescribeCodes(std::string_view value_set_url, std::size_t max_codes = 10) const;

  // How many value sets the index holds.
  std::size_t size() const { return value_sets_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using StringSet = std::unordered_set<std::string, Hash, std::equal_to<>>;

  struct SystemCodes {
    std::string system;
    StringSet codes;
  };
  struct ValueSet {
    bool open = false;
    // Enumerated sets: codes per system (almost always one system, rarely up to three). Open
    // sets: the systems they draw from, with no codes.
    std::vector<SystemCodes> systems;
    // The codes in definition order, for messages: an index into `systems` and a view of the
    // code held by that system's set (set nodes never move).
    std::vector<std::pair<std::uint32_t, std::string_view>> ordered;
  };

  const ValueSet* Find(std::string_view value_set_url) const;

  std::unordered_map<std::string, ValueSet, Hash, std::equal_to<>> value_sets_;
};

}  // namespace schakel::fhir::definitions
