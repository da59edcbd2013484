#include "fhir/validation/validator.h"

#include <string>
#include <string_view>

#include "fhir/primitives/formats.h"
#include "fhir/resource.h"
#include "fhir/validation/profile_validator.h"

namespace schakel::fhir::validation {
namespace {

using definitions::BindingStrength;
using definitions::ElementDefinition;
using definitions::ElementRef;
using definitions::Registry;
using definitions::ValueSetIndex;

// One walk over one resource. The location is kept as a stack of (name, index)
// parts and only rendered into a string when an issue is reported, so valid
// resources cost no allocations here.
class Walker {
 public:
  Walker(const Registry& registry, const ValueSetIndex* value_sets,
         const definitions::ProfileRegistry* profiles, std::vector<Issue>& issues)
      : registry_(registry), value_sets_(value_sets), profiles_(profiles), issues_(issues) {}

  void TopLevel(const json::Value& resource) {
    if (!resource.is_object()) {
      Report(IssueType::kStructure, "a resource must be a JSON object");
      return;
    }
    const std::string* type = resource.FindString("resourceType");
    if (type == nullptr) {
      Report(IssueType::kRequired, "the resource has no resourceType");
      return;
    }
    Push(*type);
    Resource(resource, *type);
    ClaimedProfiles(resource, *type);
    Pop();
  }

 private:
  struct Part {
    std::string_view name;
    int index = -1;
  };

  struct Seen {
    const ElementDefinition* element;
    std::string_view name;  // the JSON name without '_', e.g. "valueString"
  };

  // ---- locations and issues ----

  void Push(std::string_view name) { path_.push_back({name, -1}); }
  void Pop() { path_.pop_back(); }

  std::string Location() const {
    std::string out;
    for (const Part& p : path_) {
      if (!out.empty()) out += '.';
      out += p.name;
      if (p.index >= 0) {
        out += '[';
        out += std::to_string(p.index);
        out += ']';
      }
    }
    return out;
  }

  void Report(IssueType type, std::string message, Severity severity = Severity::kError) {
    if (issues_.size() >= Validator::kMaxIssues) return;
    std::string location = Location();
    if (!location.empty()) message += " (at " + location + ")";
    issues_.push_back({severity, type, std::move(message), std::move(location)});
  }

  // Profiles in meta.profile other than the base definition: validated against
  // when the server knows them; otherwise a warning (a profile the server does
  // not know never makes a resource invalid).
  void ClaimedProfiles(const json::Value& resource, const std::string& type) {
    const definitions::TypeDefinition* def = registry_.Type(type);
    const json::Value* meta = resource.Find("meta");
    const json::Value* profiles = meta != nullptr ? meta->Find("profile") : nullptr;
    if (def == nullptr || profiles == nullptr || !profiles->is_array()) return;
    Push("meta");
    Push("profile");
    for (std::size_t i = 0; i < profiles->items().size(); ++i) {
      const json::Value& p = profiles->items()[i];
      if (!p.is_string()) continue;
      path_.back().index = static_cast<int>(i);
      CheckProfile(resource, type, p.text());
    }
    Pop();
    Pop();
  }

 public:
  // Validates against one profile; issues about the profile itself are
  // reported at the current location (where the profile was named).
  void CheckProfile(const json::Value& resource, const std::string& type,
                    std::string_view canonical) {
    const definitions::TypeDefinition* def = registry_.Type(type);
    std::string_view url = canonical.substr(0, canonical.find('|'));
    if (def == nullptr || url == def->info().url) return;
    const definitions::Profile* profile = nullptr;
    if (profiles_ != nullptr) {
      profile = profiles_->Find(canonical);
      // url|version matches a profile loaded without a version, not another.
      const definitions::Profile* any = profiles_->Find(url);
      if (profile == nullptr && any != nullptr && any->version().empty()) profile = any;
    }
    if (profile == nullptr) {
      Report(IssueType::kNotSupported,
             "profile " + std::string(canonical.substr(0, 200)) +
                 " is not known to this server; validated against the base "
                 "definition only",
             Severity::kWarning);
      return;
    }
    if (profile->type() != type) {
      Report(IssueType::kInvalid,
             "profile " + profile->url() + " is for " + profile->type() + ", not " + type);
      return;
    }
    ProfileValidator(*profiles_, value_sets_)
        .Validate(resource, *profile, issues_, Validator::kMaxIssues);
  }

 private:
  // ---- resources and objects ----

  // `resource` is an object with a resourceType; the location already names it.
  void Resource(const json::Value& resource, const std::string& type) {
    if (!registry_.IsResourceType(type)) {
      Report(IssueType::kStructure, "'" + type.substr(0, 64) + "' is not a FHIR R4 resource type");
      return;
    }
    std::optional<ElementRef> root = registry_.Root(type);
    const std::string* bundle_type = type == "Bundle" ? resource.FindString("type") : nullptr;
    const bool transaction =
        bundle_type != nullptr && (*bundle_type == "transaction" || *bundle_type == "batch");
    in_transaction_ += transaction ? 1 : 0;
    Object(resource, *root, /*is_resource=*/true);
    in_transaction_ -= transaction ? 1 : 0;
  }

  void Object(const json::Value& object, const ElementRef& parent, bool is_resource) {
    // The element definitions seen (with the JSON name used, for choices), to
    // check choices and required elements afterwards.
    std::vector<Seen> seen;
    for (const json::Member& m : object.members()) {
      if (is_resource && m.name == "resourceType") {
        if (!m.value.is_string()) {
          Push(m.name);
          Report(IssueType::kStructure, "resourceType must be a JSON string");
          Pop();
        }
        continue;
      }
      const bool companion = !m.name.empty() && m.name[0] == '_';
      std::string_view name = companion ? std::string_view(m.name).substr(1) : m.name;
      std::optional<ElementRef> child = registry_.ResolveChild(parent, name);
      // A primitive's `value` is its JSON value itself, never a member.
      if (child && child->owner->info().kind == definitions::StructureKind::kPrimitiveType &&
          child->element->name == "value") {
        child.reset();
      }
      if (!child) {
        Push(name);
        Report(IssueType::kStructure, "unknown element '" + std::string(name.substr(0, 64)) + "'");
        Pop();
        continue;
      }
      const ElementDefinition* element = child->element;
      const Seen* earlier = nullptr;
      for (const Seen& s : seen) {
        if (s.element == element) earlier = &s;
      }
      if (earlier != nullptr && element->is_choice && earlier->name != name) {
        Push(m.name);
        Report(IssueType::kStructure, "only one of the types of " + element->name +
                                          "[x] may be present (found " +
                                          std::string(earlier->name) + " already)");
        Pop();
        continue;
      }
      if (earlier == nullptr) seen.push_back({element, name});
      if (companion) {
        if (!registry_.IsPrimitive(child->type_code)) {
          Push(m.name);
          Report(IssueType::kStructure,
                 "'" + m.name.substr(0, 64) + "' is only allowed for primitive elements");
          Pop();
          continue;
        }
        Companion(m.value, *child, name, object.Find(name));
        continue;
      }
      std::string partner_name = "_" + m.name;
      Value(m.value, *child, name, object.Find(partner_name));
    }
    RequiredChildren(parent, seen);
  }

  void RequiredChildren(const ElementRef& parent, const std::vector<Seen>& seen) {
    Registry::Children children = registry_.ChildrenOf(parent);
    for (std::uint32_t index : *children.indices) {
      const ElementDefinition& e = children.owner->element(index);
      if (e.min == 0) continue;
      // A primitive's value is its JSON value, never a member of its `_name`
      // companion.
      if (children.owner->info().kind == definitions::StructureKind::kPrimitiveType &&
          e.name == "value") {
        continue;
      }
      bool present = false;
      for (const Seen& s : seen) present = present || s.element == &e;
      if (!present) {
        Push(e.name);
        Report(IssueType::kRequired,
               "missing required element '" + e.name + (e.is_choice ? "[x]'" : "'"));
        Pop();
      }
    }
  }

  // ---- values ----

  void Value(const json::Value& value, const ElementRef& ref, std::string_view name,
             const json::Value* partner) {
    Push(name);
    const ElementDefinition& e = *ref.element;
    if (e.IsArray()) {
      if (!value.is_array()) {
        Report(IssueType::kStructure, "'" + e.name + "' repeats, so it must be a JSON array");
      } else if (value.items().empty()) {
        Report(IssueType::kInvalid, "empty array: FHIR JSON does not allow empty values");
      } else {
        if (e.max != definitions::kUnbounded && value.items().size() > e.max) {
          Report(IssueType::kStructure, "at most " + std::to_string(e.max) + " allowed, found " +
                                            std::to_string(value.items().size()));
        }
        const json::Value* partners = partner != nullptr && partner->is_array() ? partner : nullptr;
        for (std::size_t i = 0; i < value.items().size(); ++i) {
          path_.back().index = static_cast<int>(i);
          const json::Value* p =
              partners != nullptr && i < partners->items().size() ? &partners->items()[i] : nullptr;
          Item(value.items()[i], ref, p);
        }
      }
    } else if (value.is_array()) {
      Report(IssueType::kStructure, "'" + e.name + "' does not repeat, so it must not be an array");
    } else {
      Item(value, ref, partner);
    }
    Pop();
  }

  void Item(const json::Value& value, const ElementRef& ref, const json::Value* partner) {
    const std::string_view type = ref.type_code;
    if (value.is_null()) {
      // null only keeps positions aligned in the arrays of a repeating
      // primitive.
      bool paired = ref.element->IsArray() && partner != nullptr && !partner->is_null() &&
                    registry_.IsPrimitive(type);
      if (!paired) Report(IssueType::kInvalid, "null is not allowed here");
      return;
    }
    if (std::optional<PrimitiveType> primitive = PrimitiveTypeFromCode(type)) {
      std::string problem = CheckPrimitive(*primitive, value);
      if (!problem.empty()) {
        Report(IssueType::kValue, problem);
        return;
      }
      if (*primitive == PrimitiveType::kCode) CheckCode(*ref.element, {}, value.text());
      return;
    }
    if (!value.is_object()) {
      Report(IssueType::kStructure, "a " + std::string(type) + " must be a JSON object");
      return;
    }
    if (value.members().empty()) {
      Report(IssueType::kInvalid, "empty object: FHIR JSON does not allow empty values");
      return;
    }
    if (type == "Resource") {
      const std::string* resource_type = value.FindString("resourceType");
      if (resource_type == nullptr) {
        Report(IssueType::kRequired, "a resource here needs a resourceType");
        return;
      }
      Resource(value, *resource_type);
      return;
    }
    if (type.empty() || registry_.Type(type) == nullptr) {
      // An element with several types that is not a choice does not exist in
      // R4; be safe.
      return;
    }
    Object(value, ref, false);
    if (type == "Coding") {
      const std::string* system = value.FindString("system");
      const std::string* code = value.FindString("code");
      if (code != nullptr) CheckCode(*ref.element, system ? *system : std::string_view(), *code);
    } else if (type == "CodeableConcept") {
      CheckCodeableConcept(*ref.element, value);
    } else if (type == "Reference") {
      CheckReference(*ref.element, value);
    }
  }

  // The `_name` companion of a primitive: an object (or array of objects and
  // nulls) with only id and extension.
  void Companion(const json::Value& value, const ElementRef& ref, std::string_view name,
                 const json::Value* partner) {
    const std::string companion_name = "_" + std::string(name);
    Push(companion_name);
    std::optional<ElementRef> root = registry_.Root(ref.type_code);
    auto one = [&](const json::Value& item, const json::Value* partner_item) {
      if (item.is_null()) {
        if (partner_item == nullptr || partner_item->is_null()) {
          Report(IssueType::kInvalid,
                 "null here needs a value at the same position in '" + std::string(name) + "'");
        }
        return;
      }
      if (!item.is_object() || item.members().empty()) {
        Report(IssueType::kStructure, "must be a JSON object with id or extension");
        return;
      }
      if (root) Object(item, *root, false);
    };
    if (ref.element->IsArray()) {
      if (!value.is_array()) {
        Report(IssueType::kStructure, "'" + companion_name + "' must be a JSON array");
      } else {
        const json::Value* partners = partner != nullptr && partner->is_array() ? partner : nullptr;
        if (partners != nullptr && partners->items().size() != value.items().size()) {
          Report(IssueType::kStructure,
                 "'" + companion_name + "' must have as many items as '" + std::string(name) + "'");
        }
        bool all_null = true;
        for (std::size_t i = 0; i < value.items().size(); ++i) {
          path_.back().index = static_cast<int>(i);
          all_null = all_null && value.items()[i].is_null();
          one(value.items()[i], partners != nullptr && i < partners->items().size()
                                    ? &partners->items()[i]
                                    : nullptr);
        }
        path_.back().index = -1;
        if (all_null && !value.items().empty()) {
          Report(IssueType::kInvalid, "an array of only nulls is an empty value");
        }
      }
    } else if (value.is_array()) {
      Report(IssueType::kStructure, "'" + companion_name + "' must not be an array");
    } else {
      one(value, partner);
    }
    Pop();
  }

  // ---- bindings ----

  bool Checkable(const ElementDefinition& e) const {
    return value_sets_ != nullptr && e.binding == BindingStrength::kRequired &&
           !e.value_set.empty();
  }

  void CheckCode(const ElementDefinition& e, std::string_view system, std::string_view code) {
    if (!Checkable(e)) return;
    if (value_sets_->Check(e.value_set, system, code) != ValueSetIndex::Membership::kNotMember)
      return;
    std::string shown =
        system.empty() ? std::string(code) : std::string(system) + "#" + std::string(code);
    Report(IssueType::kCodeInvalid,
           "'" + shown.substr(0, 200) + "' is not in the required value set " + e.value_set +
               " (allowed: " + value_sets_->DescribeCodes(e.value_set) + ")");
  }

  void CheckCodeableConcept(const ElementDefinition& e, const json::Value& codeable) {
    if (!Checkable(e)) return;
    const json::Value* codings = codeable.Find("coding");
    if (codings == nullptr || !codings->is_array()) {
      Report(IssueType::kCodeInvalid, "a code from the required value set " + e.value_set +
                                          " is needed, but there is no coding");
      return;
    }
    for (const json::Value& coding : codings->items()) {
      const std::string* system = coding.FindString("system");
      const std::string* code = coding.FindString("code");
      if (code == nullptr) continue;
      if (value_sets_->Check(e.value_set, system ? *system : std::string_view(), *code) !=
          ValueSetIndex::Membership::kNotMember) {
        return;
      }
    }
    Report(IssueType::kCodeInvalid,
           "none of the codings is in the required value set " + e.value_set +
               " (allowed: " + value_sets_->DescribeCodes(e.value_set) + ")");
  }

  // ---- references ----

  // For a relative or conditional reference: is its resource type one the
  // element allows?
  void CheckTargetType(const ElementDefinition& e, std::string_view type, std::string_view r) {
    if (e.target_profiles.empty()) return;
    bool allowed = false;
    for (const std::string& target : e.target_profiles) {
      std::string_view target_type = std::string_view(target).substr(target.rfind('/') + 1);
      allowed = allowed || target_type == type || target_type == "Resource";
    }
    if (allowed) return;
    std::string types;
    for (const std::string& target : e.target_profiles) {
      if (!types.empty()) types += ", ";
      types += target.substr(target.rfind('/') + 1);
    }
    Report(IssueType::kValue, "'" + std::string(r.substr(0, 200)) + "': a reference to " +
                                  std::string(type) + " is not allowed here (allowed: " + types +
                                  ")");
  }

  void CheckReference(const ElementDefinition& e, const json::Value& reference) {
    const std::string* ref = reference.FindString("reference");
    if (ref == nullptr || ref->empty()) return;  // an empty string is reported as such already
    std::string_view r = *ref;
    Push("reference");
    if (r.front() == '#' || r.rfind("urn:uuid:", 0) == 0 || r.rfind("urn:oid:", 0) == 0) {
      Pop();
      return;
    }
    // A conditional reference (Patient?identifier=...) is resolved by the
    // server while it processes a transaction or batch
    // (https://hl7.org/fhir/R4/http.html#trules); elsewhere it is not a
    // reference.
    if (std::size_t question = r.find('?');
        question != std::string_view::npos &&
        r.substr(0, question).find('/') == std::string_view::npos) {
      if (in_transaction_ == 0) {
        Report(IssueType::kValue, "a conditional reference ('" + std::string(r.substr(0, 200)) +
                                      "') is only allowed inside a transaction or batch Bundle");
      } else if (!registry_.IsResourceType(r.substr(0, question)) || question + 1 == r.size()) {
        Report(IssueType::kValue, "'" + std::string(r.substr(0, 200)) +
                                      "' is not a valid conditional reference (Type?parameters)");
      } else {
        CheckTargetType(e, r.substr(0, question), r);
      }
      Pop();
      return;
    }
    std::string_view relative = r;
    const bool absolute = r.find("://") != std::string_view::npos;
    if (absolute) {
      // An absolute URL is fine; when it has the RESTful shape, its type is
      // checked too.
      std::size_t history = r.find("/_history/");
      std::string_view upto = history == std::string_view::npos ? r : r.substr(0, history);
      std::size_t id_slash = upto.rfind('/');
      std::size_t type_slash = id_slash == std::string_view::npos || id_slash == 0
                                   ? std::string_view::npos
                                   : upto.rfind('/', id_slash - 1);
      if (type_slash == std::string_view::npos) {
        Pop();
        return;
      }
      relative = r.substr(type_slash + 1);
      if (!registry_.IsResourceType(relative.substr(0, relative.find('/')))) {
        Pop();
        return;
      }
    }
    // Type/id or Type/id/_history/vid
    std::size_t slash = relative.find('/');
    std::string_view type = relative.substr(0, slash);
    std::string_view rest =
        slash == std::string_view::npos ? std::string_view() : relative.substr(slash + 1);
    std::string_view id = rest.substr(0, rest.find('/'));
    std::string_view tail = rest.size() > id.size() ? rest.substr(id.size()) : std::string_view();
    bool history_ok =
        tail.empty() || (tail.rfind("/_history/", 0) == 0 &&
                         IsValidId(tail.substr(std::string_view("/_history/").size())));
    if (slash == std::string_view::npos || !registry_.IsResourceType(type) || !IsValidId(id) ||
        !history_ok) {
      Report(IssueType::kValue,
             "'" + std::string(r.substr(0, 200)) +
                 "' is not a valid reference (expected Type/id, an absolute URL, "
                 "#contained-id or urn:uuid:)");
      Pop();
      return;
    }
    CheckTargetType(e, type, r);
    Pop();
  }

  const Registry& registry_;
  const ValueSetIndex* value_sets_;
  const definitions::ProfileRegistry* profiles_;
  std::vector<Issue>& issues_;
  std::vector<Part> path_;
  int in_transaction_ = 0;  // > 0 while inside a transaction or batch Bundle
};

}  // namespace

Validator::Validator(std::shared_ptr<const definitions::Registry> registry,
                     std::shared_ptr<const definitions::ValueSetIndex> value_sets,
                     std::shared_ptr<const definitions::ProfileRegistry> profiles)
    : registry_(std::move(registry)),
      value_sets_(std::move(value_sets)),
      profiles_(std::move(profiles)) {}

void Validator::Validate(const json::Value& resource, std::vector<Issue>& issues) const {
  Walker walker(*registry_, value_sets_.get(), profiles_.get(), issues);
  walker.TopLevel(resource);
}

void Validator::ValidateAgainst(const json::Value& resource, std::string_view profile_url,
                                std::vector<Issue>& issues) const {
  Validate(resource, issues);
  const std::string* type = resource.is_object() ? resource.FindString("resourceType") : nullptr;
  if (type == nullptr || profile_url.empty()) return;
  // A profile the resource claims itself has been checked by Validate().
  const json::Value* meta = resource.Find("meta");
  const json::Value* claimed = meta != nullptr ? meta->Find("profile") : nullptr;
  if (claimed != nullptr && claimed->is_array()) {
    for (const json::Value& p : claimed->items()) {
      if (p.is_string() && p.text() == profile_url) return;
    }
  }
  Walker walker(*registry_, value_sets_.get(), profiles_.get(), issues);
  walker.CheckProfile(resource, *type, profile_url);
}

Status Validator::Check(const json::Value& resource) const {
  std::vector<Issue> issues;
  Validate(resource, issues);
  for (const Issue& issue : issues) {
    if (issue.severity == Severity::kError || issue.severity == Severity::kFatal) {
      return Status::WithIssues(Code::kUnprocessable, std::move(issues));
    }
  }
  return Status::Ok();
}

}  // namespace schakel::fhir::validation
