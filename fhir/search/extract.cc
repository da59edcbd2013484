// ExtractIndex: evaluates each search parameter's expression and converts what it selects
// (extract_convert.h, one file per parameter type), then removes duplicates and applies the
// bounds. https://hl7.org/fhir/R4/search.html
#include "fhir/search/extract.h"

#include <cstdio>
#include <limits>
#include <set>
#include <utility>

#include "fhir/search/extract_convert.h"

namespace schakel::fhir::search {
namespace {

// Index entries one resource may have; a resource beyond it cannot be stored (kTooLarge).
constexpr std::size_t kMaxIndexEntries = 10'000;
// Entries one item of a composite parameter may give (the cross product of its components).
constexpr std::size_t kMaxCompositeEntriesPerItem = 64;
constexpr std::string_view kUcumSystem = "http://unitsofmeasure.org";

using internal::AddDates;
using internal::AddNumbers;
using internal::AddQuantities;
using internal::AddReferences;
using internal::AddStrings;
using internal::AddTokens;
using internal::AddUris;

// A FHIRPath error that a limit caused (a collection or the step count grew too large).
bool IsLimitError(const Status& status) {
  if (status.code() == Code::kTooLarge) return true;
  for (const Issue& issue : status.issues()) {
    if (issue.type == IssueType::kTooCostly) return true;
  }
  return false;
}

std::string OptionalKey(const std::optional<std::string>& s) { return s ? "1" + *s : "0"; }

// Every bit of the double (std::to_string rounds to six decimals).
std::string DoubleKey(double d) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", d);
  return buffer;
}

// Keys for removing duplicate entries of one parameter: every field, separated by a byte that
// cannot occur in FHIR strings.
constexpr char kSep = '\x1f';

std::string Key(const StringIndex& e) { return e.exact; }
std::string Key(const TokenIndex& e) {
  return OptionalKey(e.system) + kSep + e.code + kSep + e.text + kSep + OptionalKey(e.type_system) +
         kSep + OptionalKey(e.type_code);
}
std::string Key(const DateIndex& e) {
  return std::to_string(e.low_ms) + kSep + std::to_string(e.high_ms);
}
std::string Key(const NumberIndex& e) { return DoubleKey(e.value); }
std::string Key(const QuantityIndex& e) {
  return DoubleKey(e.value) + kSep + OptionalKey(e.system) + kSep + e.code + kSep + e.unit;
}
std::string Key(const ReferenceIndex& e) {
  return e.target_type + kSep + e.target_id + kSep +
         (e.target_version ? std::to_string(*e.target_version) : "-") + kSep + e.url + kSep +
         OptionalKey(e.identifier_system) + kSep + OptionalKey(e.identifier_value);
}
std::string Key(const UriIndex& e) { return e.value; }
std::string Key(const CompositePart& p) {
  return std::to_string(static_cast<int>(p.type)) + kSep + OptionalKey(p.system) + kSep + p.code +
         kSep + DoubleKey(p.low) + kSep + DoubleKey(p.high);
}
std::string Key(const CompositeIndex& e) {
  std::string key;
  for (const CompositePart& p : e.parts) key += Key(p) + '\x1e';
  return key;
}

// Removes duplicates among entries [first, end) of `entries` (one parameter's), keeping order.
template <typename T>
void Deduplicate(std::vector<T>& entries, std::size_t first) {
  std::set<std::string> seen;
  std::size_t kept = first;
  for (std::size_t i = first; i < entries.size(); ++i) {
    if (!seen.insert(Key(entries[i])).second) continue;
    if (kept != i) entries[kept] = std::move(entries[i]);
    ++kept;
  }
  entries.resize(kept);
}

class Extractor {
 public:
  Extractor(const json::Value& resource, std::string_view type,
            const SearchParameterRegistry& params)
      : resource_(resource), type_(type), registry_(params.definitions()) {
    context_.registry = &registry_;
    context_.lenient_as = true;
    context_.resolve_placeholders = true;
  }

  Status Add(const SearchParameter& param) {
    Result<path::Collection> items = param.expression->Evaluate(resource_, context_);
    if (!items.ok()) return Failed(param, items.status());
    UnwrapExtensions(*items);
    const std::string& name = param.code;
    switch (param.type) {
      case ParamType::kString:
        return Convert(*items, out_.strings,
                       [&](const path::Item& item) { AddStrings(item, name, out_.strings); });
      case ParamType::kToken: {
        const std::string* code_system = param.ImplicitSystem(type_);
        return Convert(*items, out_.tokens, [&](const path::Item& item) {
          AddTokens(item, name, out_.tokens, code_system);
        });
      }
      case ParamType::kDate:
        return Convert(*items, out_.dates,
                       [&](const path::Item& item) { AddDates(item, name, out_.dates); });
      case ParamType::kNumber:
        return Convert(*items, out_.numbers,
                       [&](const path::Item& item) { AddNumbers(item, name, out_.numbers); });
      case ParamType::kQuantity:
        return Convert(*items, out_.quantities,
                       [&](const path::Item& item) { AddQuantities(item, name, out_.quantities); });
      case ParamType::kReference:
        return Convert(*items, out_.references, [&](const path::Item& item) {
          AddReferences(item, name, registry_, out_.references);
        });
      case ParamType::kUri:
        return Convert(*items, out_.uris,
                       [&](const path::Item& item) { AddUris(item, name, out_.uris); });
      case ParamType::kComposite:
        return AddComposite(param, *items);
      case ParamType::kSpecial:
        return Status::Ok();
    }
    return Status::Ok();
  }

  IndexValues Take() { return std::move(out_); }

 private:
  template <typename T, typename F>
  Status Convert(const path::Collection& items, std::vector<T>& entries, F add) {
    const std::size_t first = entries.size();
    for (const path::Item& item : items) {
      add(item);
      if (entries.size() - first > kMaxIndexEntries) break;
    }
    Deduplicate(entries, first);
    return CheckSize();
  }

  // Some R4 expressions select an extension rather than its value
  // (`Observation.extension('http://hl7.org/fhir/StructureDefinition/observation-geneticsGene')`);
  // such an extension is indexed by its value[x].
  void UnwrapExtensions(path::Collection& items) const {
    for (path::Item& item : items) {
      if (!item.is_node() || item.type != "Extension" || item.node == nullptr ||
          !item.node->is_object() || item.element.element == nullptr) {
        continue;
      }
      for (const json::Member& m : item.node->members()) {
        if (!m.name.starts_with("value")) continue;
        std::optional<definitions::ElementRef> ref = registry_.ResolveChild(item.element, m.name);
        if (!ref.has_value()) continue;
        path::Item value;
        value.node = &m.value;
        value.element = *ref;
        value.type = ref->type_code;
        item = std::move(value);
        break;
      }
    }
  }

  Status CheckSize() const {
    if (out_.size() <= kMaxIndexEntries) return Status::Ok();
    return Status::TooLarge("the resource has more than " + std::to_string(kMaxIndexEntries) +
                            " search index entries");
  }

  // Evaluation errors other than limits are the expression's business on this resource (a
  // spec-defined error such as single() on two items): the parameter gets no entries.
  Status Failed(const SearchParameter& param, const Status& status) const {
    if (!IsLimitError(status)) return Status::Ok();
    return Status::TooLarge("search parameter " + param.code + ": " +
                            std::string(status.message()));
  }

  // One component's values on one item of the composite, in the shape of its parameter type.
  std::vector<CompositePart> Parts(const SearchParameter& component,
                                   const path::Collection& items) const {
    std::vector<CompositePart> parts;
    const ParamType type = component.type;
    auto part = [type]() {
      CompositePart p;
      p.type = type;
      return p;
    };
    for (const path::Item& item : items) {
      switch (type) {
        case ParamType::kToken: {
          std::vector<TokenIndex> tokens;
          AddTokens(item, component.code, tokens);
          for (TokenIndex& t : tokens) {
            if (t.code.empty()) continue;  // CodeableConcept.text: not a code
            CompositePart p = part();
            p.system = std::move(t.system);
            p.code = std::move(t.code);
            parts.push_back(std::move(p));
          }
          break;
        }
        case ParamType::kString: {
          std::vector<StringIndex> strings;
          AddStrings(item, component.code, strings);
          for (StringIndex& s : strings) {
            CompositePart p = part();
            p.code = std::move(s.normalized);
            parts.push_back(std::move(p));
          }
          break;
        }
        case ParamType::kUri: {
          std::vector<UriIndex> uris;
          AddUris(item, component.code, uris);
          for (UriIndex& u : uris) {
            CompositePart p = part();
            p.code = std::move(u.value);
            parts.push_back(std::move(p));
          }
          break;
        }
        case ParamType::kReference: {
          std::vector<ReferenceIndex> references;
          AddReferences(item, component.code, registry_, references);
          for (ReferenceIndex& r : references) {
            CompositePart p = part();
            p.code = r.target_id.empty() ? std::move(r.url) : r.target_type + "/" + r.target_id;
            if (!p.code.empty()) parts.push_back(std::move(p));
          }
          break;
        }
        case ParamType::kDate: {
          std::vector<DateIndex> dates;
          AddDates(item, component.code, dates);
          for (const DateIndex& d : dates) {
            CompositePart p = part();
            p.low = static_cast<double>(d.low_ms);
            p.high = static_cast<double>(d.high_ms);
            parts.push_back(std::move(p));
          }
          break;
        }
        case ParamType::kNumber: {
          std::vector<NumberIndex> numbers;
          AddNumbers(item, component.code, numbers);
          for (const NumberIndex& n : numbers) {
            CompositePart p = part();
            p.low = p.high = n.value;
            parts.push_back(std::move(p));
          }
          break;
        }
        case ParamType::kQuantity:
          QuantityParts(item, parts);
          break;
        case ParamType::kComposite:
        case ParamType::kSpecial:
          break;
      }
    }
    std::set<std::string> seen;
    std::vector<CompositePart> unique;
    for (CompositePart& p : parts) {
      if (seen.insert(Key(p)).second) unique.push_back(std::move(p));
    }
    return unique;
  }

  // A quantity component: in canonical units when both ends have them. A Range is one part,
  // low..high.
  static void QuantityParts(const path::Item& item, std::vector<CompositePart>& parts) {
    auto to_part = [](const QuantityIndex& low, const QuantityIndex& high) {
      CompositePart p;
      p.type = ParamType::kQuantity;
      if (low.canonical_value && high.canonical_value && low.canonical_unit &&
          low.canonical_unit == high.canonical_unit) {
        p.system = std::string(kUcumSystem);
        p.code = *low.canonical_unit;
        p.low = *low.canonical_value;
        p.high = *high.canonical_value;
      } else {
        p.system = low.system;
        p.code = low.code;
        p.low = low.value;
        p.high = high.value;
      }
      return p;
    };
    if (item.is_node() && item.node != nullptr && item.type == "Range") {
      const json::Value* low = item.node->Find("low");
      const json::Value* high = item.node->Find("high");
      std::optional<QuantityIndex> lq =
          low != nullptr ? internal::QuantityFromJson(*low, "Quantity") : std::nullopt;
      std::optional<QuantityIndex> hq =
          high != nullptr ? internal::QuantityFromJson(*high, "Quantity") : std::nullopt;
      if (!lq.has_value() && !hq.has_value()) return;
      // An open end is unbounded.
      QuantityIndex open = lq.has_value() ? *lq : *hq;
      open.value = lq.has_value() ? std::numeric_limits<double>::max()
                                  : std::numeric_limits<double>::lowest();
      if (open.canonical_value.has_value()) open.canonical_value = open.value;
      CompositePart p = to_part(lq.value_or(open), hq.value_or(open));
      parts.push_back(std::move(p));
      return;
    }
    std::vector<QuantityIndex> quantities;
    AddQuantities(item, "", quantities);
    for (const QuantityIndex& q : quantities) parts.push_back(to_part(q, q));
  }

  Status AddComposite(const SearchParameter& param, const path::Collection& items) {
    const std::size_t first = out_.composites.size();
    for (const path::Item& item : items) {
      std::vector<std::vector<CompositePart>> components;
      for (const CompositeComponent& component : param.components) {
        if (component.param == nullptr || !component.expression.has_value()) return Status::Ok();
        Result<path::Collection> values =
            component.expression->EvaluateOn(item, resource_, context_);
        if (!values.ok()) {
          if (IsLimitError(values.status())) return Failed(param, values.status());
          components.clear();
          break;
        }
        components.push_back(Parts(*component.param, *values));
        if (components.back().empty()) break;
      }
      if (components.size() != param.components.size() || components.back().empty()) continue;
      // The cross product, in order (the last component varies fastest), bounded per item.
      std::vector<std::size_t> index(components.size(), 0);
      bool done = false;
      for (std::size_t produced = 0; produced < kMaxCompositeEntriesPerItem && !done; ++produced) {
        CompositeIndex entry;
        entry.param = param.code;
        for (std::size_t c = 0; c < components.size(); ++c) {
          entry.parts.push_back(components[c][index[c]]);
        }
        out_.composites.push_back(std::move(entry));
        std::size_t c = components.size();
        while (true) {
          if (c == 0) {
            done = true;
            break;
          }
          --c;
          if (++index[c] < components[c].size()) break;
          index[c] = 0;
        }
      }
    }
    Deduplicate(out_.composites, first);
    return CheckSize();
  }

  const json::Value& resource_;
  std::string_view type_;  // the resource's type
  const definitions::Registry& registry_;
  path::EvaluationContext context_;
  IndexValues out_;
};

}  // namespace

namespace {

// The entries of one resource (a top-level or a contained one), without its contained ones.
Result<IndexValues> ExtractOwn(const json::Value& resource, const std::string& type,
                               const SearchParameterRegistry& params) {
  Extractor extractor(resource, type, params);
  for (const SearchParameter* param : params.ForType(type)) {
    // The store answers these from the resource row.
    if (param->code == "_id" || param->code == "_lastUpdated") continue;
    if (!param->indexable() || param->type == ParamType::kSpecial) continue;
    SCHAKEL_RETURN_IF_ERROR(extractor.Add(*param));
  }
  return extractor.Take();
}

}  // namespace

Result<IndexValues> ExtractIndex(const json::Value& resource,
                                 const SearchParameterRegistry& params) {
  const std::string* type = resource.FindString("resourceType");
  if (type == nullptr) return Status::InvalidInput("the resource has no resourceType");
  Result<IndexValues> values = ExtractOwn(resource, *type, params);
  if (!values.ok()) return values;
  // Contained resources (DomainResource.contained; they contain none themselves), each with
  // the parameters of its own type. FHIRPath's %resource is the contained resource there.
  const json::Value* contained = resource.Find("contained");
  if (contained == nullptr || !contained->is_array()) return values;
  for (const json::Value& inner : contained->items()) {
    const std::string* inner_type = inner.FindString("resourceType");
    if (inner_type == nullptr) continue;
    Result<IndexValues> own = ExtractOwn(inner, *inner_type, params);
    if (!own.ok()) return own;
    const std::string* id = inner.FindString("id");
    values->contained.push_back({*inner_type, id != nullptr ? *id : "", std::move(own).value()});
    if (values->size() > kMaxIndexEntries) {
      return Status::TooLarge("the resource and its contained resources have more than " +
                              std::to_string(kMaxIndexEntries) + " search index entries");
    }
  }
  return values;
}

Result<std::vector<ReferenceIndex>> ExtractReferences(const json::Value& resource,
                                                      const std::vector<std::string>& codes,
                                                      const SearchParameterRegistry& params) {
  const std::string* type = resource.FindString("resourceType");
  if (type == nullptr) return Status::InvalidInput("the resource has no resourceType");
  Extractor extractor(resource, *type, params);
  for (const std::string& code : codes) {
    const SearchParameter* param = params.Find(*type, code);
    if (param == nullptr || !param->indexable() || param->type != ParamType::kReference) continue;
    SCHAKEL_RETURN_IF_ERROR(extractor.Add(*param));
  }
  return extractor.Take().references;
}

}  // namespace schakel::fhir::search
