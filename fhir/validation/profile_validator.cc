#include "fhir/validation/profile_validator.h"

#include <optional>
#include <string>
#include <string_view>

#include "fhir/json/write.h"

namespace schakel::fhir::validation {
namespace {

using definitions::BindingStrength;
using definitions::DiscriminatorType;
using definitions::kUnbounded;
using definitions::Profile;
using definitions::ProfileElement;
using definitions::ProfileRegistry;
using definitions::SlicingRules;
using definitions::ValueSetIndex;

// Extension definitions may use extensions with definitions of their own; this bounds the chain.
constexpr int kMaxProfileDepth = 8;
constexpr std::size_t kMaxShownValue = 200;

// ---- matching values ----

bool Equal(const json::Value& a, const json::Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::Kind::kNull:
      return true;
    case json::Kind::kBool:
      return a.bool_value() == b.bool_value();
    case json::Kind::kNumber:
    case json::Kind::kString:
      return a.text() == b.text();
    case json::Kind::kArray:
      if (a.items().size() != b.items().size()) return false;
      for (std::size_t i = 0; i < a.items().size(); ++i) {
        if (!Equal(a.items()[i], b.items()[i])) return false;
      }
      return true;
    case json::Kind::kObject:
      if (a.members().size() != b.members().size()) return false;
      for (const json::Member& m : a.members()) {
        const json::Value* other = b.Find(m.name);
        if (other == nullptr || !Equal(m.value, *other)) return false;
      }
      return true;
  }
  return false;
}

// Whether `instance` contains `pattern`:
// https://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.pattern_x_
bool Contains(const json::Value& instance, const json::Value& pattern) {
  if (pattern.is_object()) {
    if (!instance.is_object()) return false;
    for (const json::Member& m : pattern.members()) {
      const json::Value* value = instance.Find(m.name);
      if (value == nullptr || !Contains(*value, m.value)) return false;
    }
    return true;
  }
  if (pattern.is_array()) {
    if (!instance.is_array()) return false;
    for (const json::Value& wanted : pattern.items()) {
      bool found = false;
      for (const json::Value& item : instance.items()) found = found || Contains(item, wanted);
      if (!found) return false;
    }
    return true;
  }
  return Equal(instance, pattern);
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path == "$this") return out;
  while (!path.empty()) {
    std::size_t dot = path.find('.');
    out.push_back(path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return out;
}

// The nodes a simple dotted path reaches from `value`, arrays flattened.
std::vector<const json::Value*> Select(const json::Value& value,
                                       const std::vector<std::string_view>& segments) {
  std::vector<const json::Value*> nodes{&value};
  for (std::string_view segment : segments) {
    std::vector<const json::Value*> next;
    for (const json::Value* node : nodes) {
      const json::Value* child = node->is_object() ? node->Find(segment) : nullptr;
      if (child == nullptr) continue;
      if (child->is_array()) {
        for (const json::Value& item : child->items()) next.push_back(&item);
      } else {
        next.push_back(child);
      }
    }
    nodes = std::move(next);
  }
  return nodes;
}

// "valueQuantity" names type "Quantity", "valueString" names "string".
bool SuffixNamesType(std::string_view suffix, std::string_view type) {
  if (suffix.empty() || suffix.size() != type.size()) return false;
  char b = type[0];
  if (b >= 'a' && b <= 'z') b = static_cast<char>(b - 'a' + 'A');
  return suffix[0] == b && suffix.substr(1) == type.substr(1);
}

std::string Shown(const json::Value& value) {
  std::string text = json::Serialize(value);
  if (text.size() > kMaxShownValue) text = text.substr(0, kMaxShownValue) + "...";
  return text;
}

std::string MaxText(std::uint32_t max) { return max == kUnbounded ? "*" : std::to_string(max); }

// What a slice requires at a discriminator path: a fixed value (matched exactly) or a pattern.
struct Expected {
  json::Value value;
  bool exact = true;
};

// One value of an element in the instance.
struct Occurrence {
  const json::Value* value;
  std::string location;
  std::string type;        // for a choice, the chosen type ("Quantity"); else the element's type
  bool companion = false;  // the `_name` extension holder of a primitive without a value
  bool allowed = true;     // false for a choice type the profile does not allow (reported)
};

class Walker {
 public:
  Walker(const ProfileRegistry& profiles, const ValueSetIndex* value_sets,
         std::vector<Issue>& issues, std::size_t max_issues)
      : profiles_(profiles), value_sets_(value_sets), issues_(issues), max_issues_(max_issues) {}

  void Run(const json::Value& resource, const Profile& profile) {
    profile_ = &profile;
    Children(resource, profile.root(), profile.type());
  }

 private:
  void Report(IssueType type, const std::string& message, const std::string& location,
              Severity severity = Severity::kError) {
    if (issues_.size() >= max_issues_) return;
    issues_.push_back({severity, type,
                       "profile " + profile_->url() + ": " + message + " (at " + location + ")",
                       location});
  }

  const ProfileElement& At(std::uint32_t index) const { return profile_->element(index); }

  void Children(const json::Value& object, const ProfileElement& parent,
                const std::string& location) {
    for (std::uint32_t index : parent.children) Element(object, At(index), location);
  }

  std::vector<Occurrence> Collect(const json::Value& object, const ProfileElement& e,
                                  const std::string& location) {
    std::vector<Occurrence> out;
    auto add = [&](const json::Value& value, const std::string& name, const std::string& type) {
      if (value.is_array()) {
        for (std::size_t i = 0; i < value.items().size(); ++i) {
          std::string item_location = location;
          item_location += '.';
          item_location += name;
          item_location += '[';
          item_location += std::to_string(i);
          item_location += ']';
          out.push_back({&value.items()[i], std::move(item_location), type});
        }
      } else {
        out.push_back({&value, location + "." + name, type});
      }
    };
    for (const json::Member& m : object.members()) {
      if (!e.is_choice) {
        if (m.name == e.name) add(m.value, m.name, e.types.size() == 1 ? e.types[0] : "");
        continue;
      }
      const std::string_view name = m.name;
      if (name.size() <= e.name.size() || !name.starts_with(e.name)) continue;
      const std::string_view suffix = name.substr(e.name.size());
      if (suffix[0] < 'A' || suffix[0] > 'Z') continue;
      std::string type;
      for (const std::string& t : e.types) {
        if (SuffixNamesType(suffix, t)) type = t;
      }
      if (type.empty()) {
        std::string allowed;
        for (const std::string& t : e.types) allowed += (allowed.empty() ? "" : ", ") + t;
        Report(IssueType::kStructure,
               "type " + std::string(suffix) + " is not allowed for " + e.name +
                   "[x] (allowed: " + allowed + ")",
               location + "." + m.name);
        add(m.value, m.name, std::string(suffix));
        out.back().allowed = false;
        continue;
      }
      add(m.value, m.name, type);
    }
    // A primitive with only an extension (`_status`) is present too.
    if (out.empty() && !e.is_choice) {
      if (const json::Value* companion = object.Find("_" + e.name)) {
        add(*companion, "_" + e.name, "");
        for (Occurrence& o : out) o.companion = true;
      }
    }
    return out;
  }

  void Element(const json::Value& object, const ProfileElement& e, const std::string& location) {
    std::vector<Occurrence> found = Collect(object, e, location);
    const auto count = static_cast<std::uint32_t>(found.size());
    const std::string here = location + "." + e.name;
    // What the base definition enforces is reported by the base validator already.
    if (count < e.min && count >= e.base_min) {
      Report(IssueType::kRequired,
             "'" + e.name + "' needs at least " + std::to_string(e.min) + " (found " +
                 std::to_string(count) + ")",
             here);
    }
    if (count > e.max && (e.base_max == kUnbounded || count <= e.base_max)) {
      Report(IssueType::kStructure,
             e.max == 0 ? "'" + e.name + "' is not allowed"
                        : "'" + e.name + "' allows at most " + std::to_string(e.max) + " (found " +
                              std::to_string(count) + ")",
             here);
    }
    for (const Occurrence& o : found) Item(o, e);
    if (e.slicing && !e.slices.empty()) Slices(found, e, here);
  }

  void Item(const Occurrence& o, const ProfileElement& e) {
    const json::Value& value = *o.value;
    if (value.is_null() || o.companion || !o.allowed) return;
    if (e.fixed && !Equal(value, *e.fixed)) {
      Report(IssueType::kValue, "the value must be exactly " + Shown(*e.fixed), o.location);
    }
    if (e.pattern && !Contains(value, *e.pattern)) {
      Report(IssueType::kValue, "the value must match the pattern " + Shown(*e.pattern),
             o.location);
    }
    if (e.binding_is_new && !e.value_set.empty() &&
        (e.binding == BindingStrength::kRequired || e.binding == BindingStrength::kExtensible)) {
      Binding(o, e);
    }
    if (!value.is_object()) return;
    if (o.type == "Extension" && !e.type_profiles.empty()) ExtensionProfile(value, e, o.location);
    Children(value, e, o.location);
  }

  void ExtensionProfile(const json::Value& value, const ProfileElement& e,
                        const std::string& location) {
    const Profile* definition = profiles_.Find(e.type_profiles.front());
    if (definition == nullptr || definition == profile_ || depth_ >= kMaxProfileDepth) return;
    const Profile* outer = profile_;
    ++depth_;
    profile_ = definition;
    Children(value, definition->root(), location);
    profile_ = outer;
    --depth_;
  }

  // ---- bindings ----

  ValueSetIndex::Membership Lookup(const std::string& value_set, std::string_view system,
                                   std::string_view code) const {
    ValueSetIndex::Membership m = profiles_.CheckCode(value_set, system, code);
    if (m == ValueSetIndex::Membership::kUnknownValueSet && value_sets_ != nullptr) {
      m = value_sets_->Check(value_set, system, code);
    }
    return m;
  }

  void Binding(const Occurrence& o, const ProfileElement& e) {
    std::vector<std::pair<std::string_view, std::string_view>> codes;  // system, code
    const json::Value& value = *o.value;
    auto coding = [&codes](const json::Value& c) {
      const std::string* system = c.FindString("system");
      const std::string* code = c.FindString("code");
      if (code != nullptr) codes.emplace_back(system ? *system : std::string_view(), *code);
    };
    if (value.is_string()) {
      codes.emplace_back(std::string_view(), value.text());
    } else if (o.type == "Coding" || o.type == "Quantity") {
      coding(value);
    } else if (o.type == "CodeableConcept") {
      if (const json::Value* codings = value.Find("coding"); codings && codings->is_array()) {
        for (const json::Value& c : codings->items()) coding(c);
      }
    } else {
      return;
    }
    const bool required = e.binding == BindingStrength::kRequired;
    bool known = false;  // whether the value set is known and the code is not in it
    for (const auto& [system, code] : codes) {
      ValueSetIndex::Membership m = Lookup(e.value_set, system, code);
      if (m == ValueSetIndex::Membership::kMember || m == ValueSetIndex::Membership::kNotCheckable)
        return;
      known = known || m == ValueSetIndex::Membership::kNotMember;
    }
    if (codes.empty()) {
      // Text alone satisfies an extensible binding, not a required one.
      known =
          required && Lookup(e.value_set, "", "") != ValueSetIndex::Membership::kUnknownValueSet;
    }
    if (!known) return;
    Report(IssueType::kCodeInvalid,
           std::string(codes.empty() ? "no code given from" : "no code is in") + " the " +
               (required ? "required" : "extensible") + " value set " + e.value_set,
           o.location, required ? Severity::kError : Severity::kWarning);
  }

  // ---- slicing ----

  // The fixed value or pattern `slice` has at `path`, from the element at the path or from a
  // pattern on an element above it, looking into slices on the way (bp's component slices fix
  // code.coding:SBPCode.code); for extensions, the url of the slice's type profile.
  std::optional<Expected> ExpectedAt(const ProfileElement& slice, std::string_view path) const {
    const std::vector<std::string_view> segments = Segments(path);
    if (std::optional<Expected> found = Resolve(slice, segments, 0)) return found;
    if (segments.size() == 1 && segments[0] == "url" && !slice.type_profiles.empty()) {
      for (const std::string& t : slice.types) {
        if (t == "Extension") return Expected{json::Value::String(slice.type_profiles.front())};
      }
    }
    return std::nullopt;
  }

  std::optional<Expected> Resolve(const ProfileElement& element,
                                  const std::vector<std::string_view>& segments,
                                  std::size_t i) const {
    const std::optional<json::Value>& given = element.fixed ? element.fixed : element.pattern;
    if (given) {
      std::vector<std::string_view> rest(segments.begin() + static_cast<std::ptrdiff_t>(i),
                                         segments.end());
      std::vector<const json::Value*> nodes = Select(*given, rest);
      if (nodes.empty()) return std::nullopt;
      return Expected{*nodes.front(), element.fixed.has_value()};
    }
    if (i == segments.size()) return std::nullopt;
    for (std::uint32_t index : element.children) {
      const ProfileElement& child = At(index);
      if (child.name != segments[i]) continue;
      if (std::optional<Expected> found = Resolve(child, segments, i + 1)) return found;
      for (std::uint32_t s : child.slices) {
        if (std::optional<Expected> found = Resolve(At(s), segments, i + 1)) return found;
      }
    }
    return std::nullopt;
  }

  bool Matches(const Occurrence& o, const ProfileElement& slice,
               const definitions::Slicing& slicing) const {
    for (const definitions::Discriminator& d : slicing.discriminators) {
      if (d.type == DiscriminatorType::kType) {
        bool typed = false;
        for (const std::string& t : slice.types) typed = typed || t == o.type;
        if (!typed) return false;
        continue;
      }
      const std::vector<const json::Value*> nodes = Select(*o.value, Segments(d.path));
      if (d.type == DiscriminatorType::kExists) {
        const ProfileElement* element = &slice;
        for (std::string_view segment : Segments(d.path)) {
          const ProfileElement* next = nullptr;
          for (std::uint32_t index : element->children) {
            if (At(index).name == segment) next = &At(index);
          }
          if (next == nullptr) return false;
          element = next;
        }
        if (nodes.empty() ? element->min > 0 : element->max == 0) return false;
        continue;
      }
      std::optional<Expected> expected = ExpectedAt(slice, d.path);
      if (!expected) return false;
      bool any = false;
      for (const json::Value* node : nodes) {
        any = any ||
              (expected->exact ? Equal(*node, expected->value) : Contains(*node, expected->value));
      }
      if (!any) return false;
    }
    return true;
  }

  void Slices(const std::vector<Occurrence>& found, const ProfileElement& e,
              const std::string& here) {
    const definitions::Slicing& slicing = *e.slicing;
    for (const definitions::Discriminator& d : slicing.discriminators) {
      if (d.type == DiscriminatorType::kProfile ||
          (d.type == DiscriminatorType::kType && d.path != "$this")) {
        Report(IssueType::kNotSupported,
               "slicing by " +
                   std::string(d.type == DiscriminatorType::kProfile ? "profile" : "type") +
                   " on '" + d.path + "' is not supported; the slices of '" + e.name +
                   "' were not checked",
               here, Severity::kWarning);
        return;
      }
    }
    std::vector<std::uint32_t> counts(e.slices.size(), 0);
    bool unmatched_seen = false;
    std::size_t last_slice = 0;
    for (const Occurrence& o : found) {
      if (o.value->is_null() || o.companion || !o.allowed) continue;
      std::optional<std::size_t> matched;
      for (std::size_t s = 0; s < e.slices.size() && !matched; ++s) {
        if (Matches(o, At(e.slices[s]), slicing)) matched = s;
      }
      if (!matched) {
        unmatched_seen = true;
        if (slicing.rules == SlicingRules::kClosed) {
          Report(IssueType::kStructure,
                 "matches none of the slices of '" + e.name + "', and the slicing is closed",
                 o.location);
        }
        continue;
      }
      if (slicing.rules == SlicingRules::kOpenAtEnd && unmatched_seen) {
        Report(IssueType::kStructure,
               "items of slice '" + At(e.slices[*matched]).slice_name +
                   "' must come before the items that match no slice (openAtEnd)",
               o.location);
      }
      if (slicing.ordered && *matched < last_slice) {
        Report(IssueType::kStructure,
               "slice '" + At(e.slices[*matched]).slice_name + "' is out of order", o.location);
      }
      last_slice = std::max(last_slice, *matched);
      ++counts[*matched];
      Item(o, At(e.slices[*matched]));
    }
    for (std::size_t s = 0; s < e.slices.size(); ++s) {
      const ProfileElement& slice = At(e.slices[s]);
      if (counts[s] < slice.min) {
        Report(IssueType::kRequired,
               "slice '" + slice.slice_name + "' needs at least " + std::to_string(slice.min) +
                   " item(s) (found " + std::to_string(counts[s]) + ")",
               here);
      }
      if (counts[s] > slice.max) {
        Report(IssueType::kStructure,
               "slice '" + slice.slice_name + "' allows at most " + MaxText(slice.max) +
                   " item(s) (found " + std::to_string(counts[s]) + ")",
               here);
      }
    }
  }

  const ProfileRegistry& profiles_;
  const ValueSetIndex* value_sets_;
  std::vector<Issue>& issues_;
  const std::size_t max_issues_;
  const Profile* profile_ = nullptr;  // the profile whose elements are being walked
  int depth_ = 0;
};

}  // namespace

void ProfileValidator::Validate(const json::Value& resource, const definitions::Profile& profile,
                                std::vector<Issue>& issues, std::size_t max_issues) const {
  if (!resource.is_object()) return;
  Walker walker(profiles_, value_sets_, issues, max_issues);
  walker.Run(resource, profile);
}

}  // namespace schakel::fhir::validation
