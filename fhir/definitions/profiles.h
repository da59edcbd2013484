// Constraint profiles (StructureDefinitions with derivation "constraint") the server validates
// against, plus the extra value sets and code systems their bindings use.
// https://hl7.org/fhir/R4/profiling.html and https://hl7.org/fhir/R4/elementdefinition.html
//
// Loaded once at start-up from one folder (resources/profiles/ for the server), one resource per
// JSON file, and immutable afterwards: safe to share between threads without locking.
//
// Profiles must carry a snapshot: snapshot generation from a differential is out of scope, so a
// profile with only a differential is a load error that names the file. Each profile keeps its
// snapshot as a tree of ProfileElements: children by path, and slices under the element they
// slice (found through the element ids, "Observation.component:SystolicBP.code").
//
// ValueSet files are expanded simply: compose.include with concept lists, or every concept of a
// CodeSystem loaded from the same folder; an expansion.contains, when present, wins. Anything
// else (filters, other value sets, external systems) makes the set open: its codes are accepted.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/definitions/type_definition.h"
#include "fhir/definitions/value_sets.h"
#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::fhir::definitions {

enum class DiscriminatorType { kValue, kExists, kPattern, kType, kProfile };
enum class SlicingRules { kClosed, kOpen, kOpenAtEnd };

struct Discriminator {
  DiscriminatorType type = DiscriminatorType::kValue;
  std::string path;  // FHIRPath relative to the sliced element; "$this" for the element itself
};

struct Slicing {
  std::vector<Discriminator> discriminators;
  SlicingRules rules = SlicingRules::kOpen;
  bool ordered = false;
};

// One element of a profile's snapshot.
struct ProfileElement {
  std::string id;          // "Observation.code.coding:BPCode.system"
  std::string path;        // "Observation.code.coding.system"
  std::string name;        // last path segment without "[x]": "system", "value"
  std::string slice_name;  // "BPCode"; empty when not a slice
  bool is_choice = false;
  std::uint32_t min = 0;
  std::uint32_t max = kUnbounded;  // 0 when the profile forbids the element
  std::uint32_t base_min = 0;      // the base definition's cardinality (ElementDefinition.base)
  std::uint32_t base_max = kUnbounded;
  std::vector<std::string> types;          // type codes, e.g. {"Quantity"}; "Extension"
  std::vector<std::string> type_profiles;  // type.profile, e.g. the url of an extension
  std::optional<json::Value> fixed;        // fixed[x], matched exactly
  std::optional<json::Value> pattern;      // pattern[x], matched by containment
  BindingStrength binding = BindingStrength::kNone;
  std::string value_set;  // without |version
  // False when the base definition binds the element to the same value set as strongly (the
  // base validator checks those already).
  bool binding_is_new = true;
  std::optional<Slicing> slicing;
  std::vector<std::uint32_t> children;  // indices into Profile::elements()
  std::vector<std::uint32_t> slices;    // for a sliced element: its slices, in order
  std::uint32_t invariants = 0;         // constraint[] entries (not evaluated yet)
};

class Profile {
 public:
  // Builds a profile from a StructureDefinition with a snapshot; `file` is named in errors.
  // `registry` gives the base definitions (the type must exist there).
  static Result<std::unique_ptr<Profile>> FromStructureDefinition(const json::Value& sd,
                                                                  const std::string& file,
                                                                  const Registry& registry);

  const std::string& url() const { return url_; }
  const std::string& version() const { return version_; }
  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }  // the constrained type, "Observation"
  const std::string& file() const { return file_; }  // where it was loaded from
  const std::vector<ProfileElement>& elements() const { return elements_; }
  const ProfileElement& root() const { return elements_.front(); }
  const ProfileElement& element(std::uint32_t index) const { return elements_[index]; }
  // How many invariants (constraint expressions) the snapshot has; they are not evaluated.
  std::uint32_t invariant_count() const { return invariant_count_; }

 private:
  std::string url_, version_, name_, type_, file_;
  std::vector<ProfileElement> elements_;
  std::uint32_t invariant_count_ = 0;
};

class ProfileRegistry {
 public:
  // Loads every *.json file in `dir` (StructureDefinition, ValueSet or CodeSystem); other files
  // are ignored. A missing folder gives an empty registry. `registry` provides the base
  // definitions a profile's type and bindings are compared with. Errors name the file.
  static Result<std::shared_ptr<const ProfileRegistry>> Load(const std::string& dir,
                                                             const Registry& registry);

  // The profile for a canonical "url" or "url|version", or nullptr. Without a version, the
  // last-loaded version (files are read in name order).
  const Profile* Find(std::string_view canonical) const;
  std::size_t size() const { return profiles_.size(); }

  // Membership of a code in one of this folder's value sets; kUnknownValueSet when none of them
  // has that url. `system` empty means any system.
  ValueSetIndex::Membership CheckCode(std::string_view value_set_url, std::string_view system,
                                      std::string_view code) const;

 private:
  struct LocalValueSet {
    bool open = false;
    std::unordered_set<std::string> codes;  // "system|code"
    std::unordered_set<std::string> bare;   // "code", for a code without a system
  };

  std::vector<std::unique_ptr<Profile>> profiles_;
  std::unordered_map<std::string, const Profile*> by_url_;  // "url" and "url|version"
  std::unordered_map<std::string, LocalValueSet> value_sets_;
};

}  // namespace schakel::fhir::definitions
