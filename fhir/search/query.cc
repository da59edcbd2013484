#include "fhir/search/query.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "fhir/primitives/date_time.h"
#include "fhir/search/extract.h"
#include "fhir/search/units.h"

namespace schakel::fhir::search {
namespace {

constexpr std::size_t kMaxValuesPerParameter = 100;  // ORed values in one parameter
constexpr std::size_t kMaxParameters = 100;          // criteria in one query
constexpr int kMaxChainDepth = 3;                    // subject:Patient.organization.name

Status Bad(std::string_view name, const std::string& why) {
  return Status::InvalidInput("search parameter '" + std::string(name) + "': " + why);
}

// Splits on `separator` where it is not escaped with a backslash, and removes the escapes
// (https://hl7.org/fhir/R4/search.html#escaping) from each part unless `keep_escapes`.
std::vector<std::string> SplitEscaped(std::string_view text, char separator, bool keep_escapes) {
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      if (keep_escapes) parts.back() += c;
      parts.back() += text[++i];
    } else if (c == separator) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

std::optional<Modifier> ModifierFromName(std::string_view name) {
  static constexpr std::pair<std::string_view, Modifier> kNames[] = {
      {"missing", Modifier::kMissing},
      {"exact", Modifier::kExact},
      {"contains", Modifier::kContains},
      {"text", Modifier::kText},
      {"not", Modifier::kNot},
      {"above", Modifier::kAbove},
      {"below", Modifier::kBelow},
      {"in", Modifier::kIn},
      {"not-in", Modifier::kNotIn},
      {"of-type", Modifier::kOfType},
      {"identifier", Modifier::kIdentifier},
  };
  for (const auto& [n, m] : kNames) {
    if (n == name) return m;
  }
  return std::nullopt;
}

// Which modifiers each parameter type takes (https://hl7.org/fhir/R4/search.html#modifiers),
// as far as this server implements them.
bool ModifierAllowed(ParamType type, Modifier modifier) {
  if (modifier == Modifier::kNone || modifier == Modifier::kMissing) return true;
  switch (type) {
    case ParamType::kString:
      return modifier == Modifier::kExact || modifier == Modifier::kContains;
    case ParamType::kToken:
      return modifier == Modifier::kNot || modifier == Modifier::kText ||
             modifier == Modifier::kOfType;
    case ParamType::kReference:
      return modifier == Modifier::kType || modifier == Modifier::kIdentifier;
    case ParamType::kUri:
      return modifier == Modifier::kAbove || modifier == Modifier::kBelow;
    default:
      return false;
  }
}

bool TakesPrefix(ParamType type) {
  return type == ParamType::kNumber || type == ParamType::kDate || type == ParamType::kQuantity;
}

// A leading two-letter prefix, when followed by what starts a number or date.
Prefix TakePrefix(std::string& value) {
  static constexpr std::pair<std::string_view, Prefix> kPrefixes[] = {
      {"eq", Prefix::kEq}, {"ne", Prefix::kNe}, {"gt", Prefix::kGt},
      {"lt", Prefix::kLt}, {"ge", Prefix::kGe}, {"le", Prefix::kLe},
      {"sa", Prefix::kSa}, {"eb", Prefix::kEb}, {"ap", Prefix::kAp},
  };
  if (value.size() >= 3) {
    for (const auto& [text, prefix] : kPrefixes) {
      if (value.compare(0, 2, text) == 0) {
        value.erase(0, 2);
        return prefix;
      }
    }
  }
  return Prefix::kEq;
}

// A decimal in FHIR's JSON/search syntax, with the half-width of the range its precision
// implies: "100" -> 0.5, "100.00" -> 0.005, "1e2" -> 50 (one significant digit).
Status ParseNumber(std::string_view text, double& value, double& half_width) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  std::size_t digits = 0, decimals = 0, significant = 0;
  bool seen_dot = false, leading = true;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      ++digits;
      if (seen_dot) ++decimals;
      if (c != '0') leading = false;
      if (!leading) ++significant;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  int exponent = 0;
  bool has_exponent = false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    has_exponent = true;
    ++i;
    std::size_t start = i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    auto [end, ec] = std::from_chars(text.data() + (text[start] == '+' ? start + 1 : start),
                                     text.data() + text.size(), exponent);
    if (ec != std::errc() || end == text.data() + start || exponent < -300 || exponent > 300) {
      return Status::InvalidInput("'" + std::string(text) + "' is not a number");
    }
    i = static_cast<std::size_t>(end - text.data());
  }
  if (digits == 0 || i != text.size() || text.size() > 64) {
    return Status::InvalidInput("'" + std::string(text) + "' is not a number");
  }
  std::string copy(text);
  value = std::strtod(copy.c_str(), nullptr);
  if (!std::isfinite(value)) return Status::InvalidInput("'" + copy + "' is out of range");
  if (has_exponent) {
    // Significant digits decide: 1e2 is 100 +/- 50, 1.0e2 is 100 +/- 5.
    int sig = static_cast<int>(std::max<std::size_t>(significant, 1));
    double magnitude = value == 0 ? 0 : std::floor(std::log10(std::fabs(value)));
    half_width = 0.5 * std::pow(10.0, magnitude - (sig - 1));
  } else {
    half_width = 0.5 * std::pow(10.0, -static_cast<double>(decimals));
  }
  return Status::Ok();
}

Status ParseDate(std::string_view name, const std::string& raw, SearchValue& v) {
  std::string text = raw;
  // A time without seconds or zone is accepted as the spec's examples use it: seconds default
  // to :00 and a missing zone to UTC (documented in docs/api.md).
  if (std::size_t t = text.find('T'); t != std::string::npos) {
    std::size_t zone = text.find_first_of("Z+-", t);
    std::string time =
        text.substr(t + 1, zone == std::string::npos ? std::string::npos : zone - t - 1);
    std::string rest = zone == std::string::npos ? "Z" : text.substr(zone);
    if (time.size() == 5) time += ":00";
    text = text.substr(0, t + 1) + time + rest;
  }
  Result<DateTimeRange> range = ParseDateTime(text, name);
  if (!range.ok()) {
    return Bad(name, "'" + raw +
                         "' is not a date (use YYYY, YYYY-MM, YYYY-MM-DD or "
                         "YYYY-MM-DDThh:mm:ss with a zone)");
  }
  v.low_ms = range->begin_ms;
  v.high_ms = range->end_ms - 1;
  return Status::Ok();
}

void ParseToken(const std::string& raw, SearchValue& v) {
  std::vector<std::string> parts = SplitEscaped(raw, '|', false);
  if (parts.size() == 1) {
    v.code = parts[0];
  } else {
    v.system = parts[0];
    v.code = parts[1];
    for (std::size_t i = 2; i < parts.size(); ++i) v.code += "|" + parts[i];
  }
}

Status ParseReference(std::string_view name, const std::string& raw, SearchValue& v,
                      const definitions::Registry& types) {
  std::string text = raw;
  if (std::size_t bar = text.find('|'); bar != std::string::npos) text.resize(bar);  // canonical
  const bool absolute = text.find("://") != std::string::npos || text.starts_with("urn:");
  if (absolute) v.url = text;
  std::vector<std::string> segments = SplitEscaped(text, '/', false);
  if (segments.size() >= 4 && segments[segments.size() - 2] == "_history") {
    std::int64_t version = 0;
    const std::string& n = segments.back();
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), version);
    if (ec != std::errc() || end != n.data() + n.size() || version < 1) {
      return Bad(name, "'" + raw + "' has an invalid version");
    }
    v.version = version;
    segments.resize(segments.size() - 2);
  }
  if (segments.size() >= 2 && types.IsResourceType(segments[segments.size() - 2])) {
    v.ref_type = segments[segments.size() - 2];
    v.ref_id = segments.back();
  } else if (!absolute && segments.size() == 1) {
    v.ref_id = segments[0];
  } else if (!absolute) {
    return Bad(name, "'" + raw + "' is not a reference (use Type/id, id or an absolute URL)");
  }
  if (!v.ref_id.empty() && !absolute && v.ref_id.size() > 64) {
    return Bad(name, "'" + raw + "' has an id longer than 64 characters");
  }
  return Status::Ok();
}

Status ParseQuantity(std::string_view name, const std::string& raw, SearchValue& v) {
  std::vector<std::string> parts = SplitEscaped(raw, '|', false);
  if (parts.size() != 1 && parts.size() != 3) {
    return Bad(name,
               "'" + raw + "' is not a quantity (use number, number|system|code or number||code)");
  }
  double half = 0;
  if (Status s = ParseNumber(parts[0], v.number, half); !s.ok())
    return Bad(name, std::string(s.message()));
  v.low = v.number - half;
  v.high = v.number + half;
  if (parts.size() == 3) {
    if (!parts[0].empty()) v.system = parts[1];
    if (parts[1].empty()) v.system.reset();
    v.code = parts[2];
    if (std::optional<CanonicalQuantityValue> c =
            ToCanonical(v.system.value_or(""), v.code, v.number)) {
      const double factor = v.number == 0 ? 1 : c->value / v.number;
      v.canonical_number = c->value;
      v.canonical_low = v.low * factor;
      v.canonical_high = v.high * factor;
      if (factor < 0) std::swap(*v.canonical_low, *v.canonical_high);
      v.canonical_unit = c->unit;
    }
  }
  return Status::Ok();
}

// A parameter of a search across types: one every type of _type has, with the same code and
// type (https://hl7.org/fhir/R4/search.html#all: with _type, the other parameters "SHALL be
// common to all nominated resources"; e.g. individual-family serves Patient and Practitioner).
// Without _type, only the parameters of every resource.
const SearchParameter* FindCommonParameter(const SearchParameterRegistry& registry,
                                           const std::vector<std::string>& types,
                                           std::string_view code) {
  if (types.empty()) return registry.Find("Resource", code);
  const SearchParameter* first = nullptr;
  for (const std::string& type : types) {
    const SearchParameter* param = registry.Find(type, code);
    if (param == nullptr || (first != nullptr && param->type != first->type)) return nullptr;
    if (!param->indexable() && code != "_id" && code != "_lastUpdated") return param;
    if (first == nullptr) first = param;
  }
  return first;
}

class Parser {
 public:
  // `types`: the _type list of a search across types, whose parameters must be common to all
  // of them.
  Parser(const SearchParameterRegistry& registry, const QueryOptions& options,
         const std::vector<std::string>& types)
      : registry_(registry), options_(options), types_(types) {}

  // One value of a parameter of type `type` (a component's type, for composites).
  Status ParseValue(std::string_view name, const SearchParameter& param, Modifier modifier,
                    const std::string& raw_in, SearchValue& v) {
    std::string raw = raw_in;
    if (modifier == Modifier::kMissing) {
      if (raw != "true" && raw != "false") return Bad(name, ":missing takes true or false");
      v.missing = raw == "true";
      v.raw = raw;
      return Status::Ok();
    }
    if (TakesPrefix(param.type)) v.prefix = TakePrefix(raw);
    v.raw = raw;
    if (raw.empty()) return Bad(name, "a value is empty");
    switch (param.type) {
      case ParamType::kNumber: {
        double half = 0;
        if (Status s = ParseNumber(raw, v.number, half); !s.ok())
          return Bad(name, std::string(s.message()));
        v.low = v.number - half;
        v.high = v.number + half;
        return Status::Ok();
      }
      case ParamType::kDate:
        return ParseDate(name, raw, v);
      case ParamType::kString:
        v.text = modifier == Modifier::kExact ? raw : NormalizeString(raw);
        return Status::Ok();
      case ParamType::kToken:
        if (modifier == Modifier::kText) {
          v.text = NormalizeString(raw);
        } else if (modifier == Modifier::kOfType) {
          std::vector<std::string> parts = SplitEscaped(raw, '|', false);
          if (parts.size() != 3 || parts[1].empty() || parts[2].empty()) {
            return Bad(name, ":of-type takes system|code|value");
          }
          v.system = parts[0];
          v.code = parts[1];
          v.value = parts[2];
        } else {
          ParseToken(raw, v);
          if (v.code.empty() && (!v.system.has_value() || v.system->empty())) {
            return Bad(name, "'" + raw + "' has neither a system nor a code");
          }
        }
        return Status::Ok();
      case ParamType::kReference:
        if (modifier == Modifier::kIdentifier) {
          ParseToken(raw, v);
          return Status::Ok();
        }
        return ParseReference(name, raw, v, registry_.definitions());
      case ParamType::kQuantity:
        return ParseQuantity(name, raw, v);
      case ParamType::kUri:
        v.text = raw;
        return Status::Ok();
      case ParamType::kComposite: {
        std::vector<std::string> parts = SplitEscaped(raw, '$', true);
        if (parts.size() != param.components.size()) {
          return Bad(name, "'" + raw + "' needs " + std::to_string(param.components.size()) +
                               " values separated by '$'");
        }
        for (std::size_t i = 0; i < parts.size(); ++i) {
          const SearchParameter* component = param.components[i].param;
          if (component == nullptr || component->type == ParamType::kComposite) {
            return Bad(name, "component " + std::to_string(i + 1) + " is not searchable");
          }
          SearchValue part;
          // Escapes of the separators inside a part were kept for the part's own parsing.
          std::string unescaped;
          for (std::size_t k = 0; k < parts[i].size(); ++k) {
            if (parts[i][k] == '\\' && k + 1 < parts[i].size() && parts[i][k + 1] == '$') continue;
            unescaped += parts[i][k];
          }
          SCHAKEL_RETURN_IF_ERROR(ParseValue(name, *component, Modifier::kNone, unescaped, part));
          v.parts.push_back(std::move(part));
        }
        return Status::Ok();
      }
      case ParamType::kSpecial:
        return Bad(name, "this parameter is not supported");
    }
    return Status::Ok();
  }

  // `name` is what remains of the parameter name for a criterion on `type` (after a chain or
  // _has prefix); `full` the whole name, for messages.
  Status ParseCriterion(std::string_view type, std::string_view name, std::string_view full,
                        const std::string& value, int depth, Criterion& out) {
    if (depth > kMaxChainDepth) return Bad(full, "chains and _has nest at most 3 deep");
    out.name = std::string(full);
    if (name.starts_with("_has:")) return ParseHas(type, name, full, value, depth, out);

    std::string_view head = name;
    std::string_view rest;
    if (std::size_t dot = name.find('.'); dot != std::string_view::npos) {
      head = name.substr(0, dot);
      rest = name.substr(dot + 1);
    }
    std::string_view code = head;
    std::string_view modifier_text;
    if (std::size_t colon = head.find(':'); colon != std::string_view::npos) {
      code = head.substr(0, colon);
      modifier_text = head.substr(colon + 1);
    }
    const SearchParameter* param = type.empty() ? FindCommon(code) : registry_.Find(type, code);
    if (param == nullptr) {
      std::string where =
          type.empty() ? (types_.empty() ? std::string("system search") : "not every type of _type")
                       : std::string(type);
      return Status::NotFound("search parameter '" + std::string(full) + "': " + where +
                              " has no parameter '" + std::string(code) + "'");
    }
    if (!param->indexable() && code != "_id" && code != "_lastUpdated") {
      return Status::NotSupported(
          "search parameter '" + std::string(full) + "' is not supported: " +
          (param->problem.empty() ? "it has no expression" : param->problem));
    }
    out.param = param;
    if (!modifier_text.empty()) {
      if (param->type == ParamType::kReference &&
          registry_.definitions().IsResourceType(modifier_text)) {
        out.modifier = Modifier::kType;
        out.target_type = std::string(modifier_text);
      } else if (std::optional<Modifier> m = ModifierFromName(modifier_text)) {
        out.modifier = *m;
      } else {
        return Bad(full, "unknown modifier ':" + std::string(modifier_text) + "'");
      }
      if (!ModifierAllowed(param->type, out.modifier)) {
        if (out.modifier == Modifier::kIn || out.modifier == Modifier::kNotIn ||
            (param->type == ParamType::kToken &&
             (out.modifier == Modifier::kAbove || out.modifier == Modifier::kBelow))) {
          // Unsupported modifiers are rejected, never ignored (search.html#modifiers).
          return Bad(full, ":" + std::string(modifier_text) +
                               " needs a terminology service, which this server does not have");
        }
        return Bad(full, "a " + std::string(ParamTypeName(param->type)) +
                             " parameter does not take ':" + std::string(modifier_text) + "'");
      }
    }
    if (!rest.empty()) return ParseChain(rest, full, value, depth, out);

    std::vector<std::string> values = SplitEscaped(value, ',', true);
    if (values.size() > kMaxValuesPerParameter) {
      return Bad(full, "at most " + std::to_string(kMaxValuesPerParameter) + " values");
    }
    for (const std::string& raw : values) {
      // Commas were split above; the other escapes are for the value's own syntax.
      std::string unescaped;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() && raw[i + 1] == ',') continue;
        unescaped += raw[i];
      }
      SearchValue v;
      SCHAKEL_RETURN_IF_ERROR(ParseValue(full, *param, out.modifier, unescaped, v));
      out.values.push_back(std::move(v));
    }
    if (out.modifier == Modifier::kMissing && out.values.size() != 1) {
      return Bad(full, ":missing takes one value");
    }
    return Status::Ok();
  }

  Status ParseChain(std::string_view rest, std::string_view full, const std::string& value,
                    int depth, Criterion& out) {
    const SearchParameter& param = *out.param;
    if (param.type != ParamType::kReference) {
      return Bad(full, "only reference parameters can be chained, and '" + param.code + "' is a " +
                           std::string(ParamTypeName(param.type)) + " parameter");
    }
    if (out.modifier != Modifier::kNone && out.modifier != Modifier::kType) {
      return Bad(full, "a chained parameter takes no modifier other than a type");
    }
    std::vector<std::string> candidates;
    if (!out.target_type.empty()) {
      candidates.push_back(out.target_type);
    } else if (!param.targets.empty()) {
      candidates = param.targets;
    } else {
      return Bad(full, "'" + param.code + "' may refer to any type: name one (" + param.code +
                           ":Patient." + std::string(rest) + ")");
    }
    std::string_view next_code = rest.substr(0, rest.find_first_of(".:"));
    for (const std::string& candidate : candidates) {
      if (registry_.Find(candidate, next_code) != nullptr) out.chain_types.push_back(candidate);
    }
    if (out.chain_types.empty()) {
      return Bad(full, "none of the types '" + param.code + "' refers to has a parameter '" +
                           std::string(next_code) + "'");
    }
    for (const std::string& t : out.chain_types) {
      out.chain.push_back(std::make_unique<Criterion>());
      Status s = ParseCriterion(t, rest, full, value, depth + 1, *out.chain.back());
      // A broken chain is the client's error even where unknown parameters are ignored.
      if (!s.ok()) return Status::InvalidInput(std::string(s.message()));
    }
    return Status::Ok();
  }

  // _has:Type:reference:rest
  Status ParseHas(std::string_view type, std::string_view name, std::string_view full,
                  const std::string& value, int depth, Criterion& out) {
    if (type.empty()) return Bad(full, "_has needs a resource type to search");
    std::string_view body = name.substr(5);
    std::size_t c1 = body.find(':');
    std::size_t c2 = c1 == std::string_view::npos ? c1 : body.find(':', c1 + 1);
    if (c2 == std::string_view::npos) {
      return Bad(full, "_has takes _has:Type:reference:parameter=value");
    }
    std::string has_type(body.substr(0, c1));
    std::string_view reference = body.substr(c1 + 1, c2 - c1 - 1);
    std::string_view rest = body.substr(c2 + 1);
    if (!registry_.definitions().IsResourceType(has_type)) {
      return Bad(full, "'" + has_type + "' is not a resource type");
    }
    const SearchParameter* ref = registry_.Find(has_type, reference);
    if (ref == nullptr || ref->type != ParamType::kReference) {
      return Bad(full, has_type + " has no reference parameter '" + std::string(reference) + "'");
    }
    if (!ref->targets.empty() &&
        std::find(ref->targets.begin(), ref->targets.end(), type) == ref->targets.end()) {
      return Bad(full, has_type + "." + std::string(reference) + " never refers to a " +
                           std::string(type));
    }
    out.has = std::make_unique<HasClause>();
    out.has->type = has_type;
    out.has->reference = ref;
    out.has->criterion = std::make_unique<Criterion>();
    Status s = ParseCriterion(has_type, rest, full, value, depth + 1, *out.has->criterion);
    if (!s.ok()) return Status::InvalidInput(std::string(s.message()));
    return Status::Ok();
  }

 private:
  const SearchParameter* FindCommon(std::string_view code) const {
    return FindCommonParameter(registry_, types_, code);
  }

  const SearchParameterRegistry& registry_;
  const QueryOptions& options_;
  const std::vector<std::string>& types_;
};

Result<std::size_t> ParseCount(const std::string& value, const QueryOptions& options) {
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec == std::errc::result_out_of_range) return options.max_count;
  if (ec != std::errc() || end != value.data() + value.size()) {
    return Bad("_count", "'" + value + "' is not a non-negative integer");
  }
  return std::min(n, options.max_count);
}

Status ParseSort(std::string_view type, const std::string& value,
                 const SearchParameterRegistry& registry, Query& query) {
  for (const std::string& item : SplitEscaped(value, ',', false)) {
    SortKey key;
    std::string_view code = item;
    if (code.starts_with('-')) {
      key.descending = true;
      code.remove_prefix(1);
    }
    key.param =
        type.empty() ? FindCommonParameter(registry, query.types, code) : registry.Find(type, code);
    if (key.param == nullptr) {
      return Bad("_sort", "'" + std::string(code) + "' is not a parameter of " +
                              (type.empty() ? std::string("every resource") : std::string(type)));
    }
    if (key.param->type == ParamType::kComposite || key.param->type == ParamType::kSpecial ||
        (!key.param->indexable() && code != "_id" && code != "_lastUpdated")) {
      return Bad("_sort", "cannot sort by '" + std::string(code) + "'");
    }
    query.sort.push_back(key);
  }
  return Status::Ok();
}

Status ParseInclude(std::string_view name, const std::string& value,
                    const SearchParameterRegistry& registry, Query& query) {
  IncludeSpec spec;
  spec.reverse = name.starts_with("_revinclude");
  std::string_view modifier = name.substr(spec.reverse ? 11 : 8);
  if (modifier == ":iterate" || modifier == ":recurse") {
    spec.iterate = true;
  } else if (!modifier.empty()) {
    return Bad(name, "unknown modifier '" + std::string(modifier) + "'");
  }
  if (value == "*") {
    query.includes.push_back(spec);
    return Status::Ok();
  }
  std::vector<std::string> parts = SplitEscaped(value, ':', false);
  if (parts.size() < 2 || parts.size() > 3) {
    return Bad(name, "'" + value + "' is not Type:parameter[:targetType]");
  }
  if (!registry.definitions().IsResourceType(parts[0])) {
    return Bad(name, "'" + parts[0] + "' is not a resource type");
  }
  spec.source_type = parts[0];
  if (parts[1] != "*") {
    spec.param = registry.Find(parts[0], parts[1]);
    if (spec.param == nullptr || spec.param->type != ParamType::kReference) {
      return Bad(name, parts[0] + " has no reference parameter '" + parts[1] + "'");
    }
  }
  if (parts.size() == 3) {
    if (!registry.definitions().IsResourceType(parts[2])) {
      return Bad(name, "'" + parts[2] + "' is not a resource type");
    }
    spec.target_type = parts[2];
  }
  query.includes.push_back(spec);
  return Status::Ok();
}

Status ParseResultParameter(std::string_view type, const std::string& name,
                            const std::string& value, const SearchParameterRegistry& registry,
                            const QueryOptions& options, Query& query) {
  if (name == "_count") {
    Result<std::size_t> n = ParseCount(value, options);
    if (!n.ok()) return n.status();
    query.count = *n;
  } else if (name == "_sort") {
    SCHAKEL_RETURN_IF_ERROR(ParseSort(type, value, registry, query));
  } else if (name.starts_with("_include") || name.starts_with("_revinclude")) {
    SCHAKEL_RETURN_IF_ERROR(ParseInclude(name, value, registry, query));
  } else if (name == "_summary") {
    if (value == "true")
      query.summary = Summary::kTrue;
    else if (value == "false")
      query.summary = Summary::kFalse;
    else if (value == "count")
      query.summary = Summary::kCount;
    else if (value == "data")
      query.summary = Summary::kData;
    else if (value == "text")
      query.summary = Summary::kText;
    else
      return Bad(name, "'" + value + "' is not one of true, false, count, data, text");
  } else if (name == "_total") {
    if (value == "none")
      query.total = Total::kNone;
    else if (value == "estimate")
      query.total = Total::kEstimate;
    else if (value == "accurate")
      query.total = Total::kAccurate;
    else
      return Bad(name, "'" + value + "' is not one of none, estimate, accurate");
  } else if (name == "_containedType") {
    // Only `container`, the default (ParseQuery refuses the others).
  } else if (name == "_contained") {
    if (value == "false")
      query.contained = Contained::kFalse;
    else if (value == "true")
      query.contained = Contained::kTrue;
    else if (value == "both")
      query.contained = Contained::kBoth;
    else
      return Bad(name, "'" + value + "' is not one of true, false, both");
    if (query.contained != Contained::kFalse && type.empty()) {
      return Bad(name, "contained resources are searched in a search of one type");
    }
  } else if (name == "_elements") {
    for (const std::string& element : SplitEscaped(value, ',', false)) {
      if (element.empty() || element.size() > 64 ||
          element.find_first_not_of(
              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_[]") !=
              std::string::npos) {
        return Bad(name, "'" + element + "' is not an element name");
      }
      query.elements.push_back(element);
    }
  } else if (name == "_cursor") {
    query.cursor = value;
    return Status::Ok();  // not part of the self link
  } else if (name == "_type") {
    if (!type.empty()) return Bad(name, "_type is for a search across all types");
    for (const std::string& t : SplitEscaped(value, ',', false)) {
      if (!registry.definitions().IsResourceType(t)) {
        return Bad(name, "'" + t + "' is not a resource type");
      }
      query.types.push_back(t);
    }
  }
  query.used.emplace_back(name, value);
  return Status::Ok();
}

bool IsResultParameter(std::string_view name) {
  return name == "_count" || name == "_sort" || name.starts_with("_include") ||
         name.starts_with("_revinclude") || name == "_summary" || name == "_total" ||
         name == "_contained" || name == "_containedType" || name == "_elements" ||
         name == "_cursor" || name == "_type";
}

// Parameters that shape the response, not the result set; the server reads them itself.
bool IsFormatParameter(std::string_view name) { return name == "_format" || name == "_pretty"; }

}  // namespace

Result<Query> ParseQuery(std::string_view type,
                         const std::vector<std::pair<std::string, std::string>>& params,
                         const SearchParameterRegistry& registry, const QueryOptions& options) {
  Query query;
  query.type = std::string(type);
  query.count = std::min(options.default_count, options.max_count);
  if (params.size() > kMaxParameters) {
    return Status::InvalidInput("a search takes at most " + std::to_string(kMaxParameters) +
                                " parameters");
  }
  // _type first: it decides which parameters a system search knows.
  for (const auto& [name, value] : params) {
    if (name == "_type") {
      SCHAKEL_RETURN_IF_ERROR(ParseResultParameter(type, name, value, registry, options, query));
    }
  }
  std::string_view criteria_type = type;
  if (type.empty() && query.types.size() == 1) criteria_type = query.types[0];

  Parser parser(registry, options, query.types);
  for (const auto& [name, value] : params) {
    if (name == "_type" || IsFormatParameter(name)) continue;
    if (IsResultParameter(name)) {
      if (name == "_containedType" && value != "container") {
        // Matches come back as their containers: which of a container's contained resources
        // matched is not recorded, so they cannot be returned alone. Reported like any other
        // unsupported parameter, and an error under strict handling (search.html#errors). The
        // self link does not list it.
        const std::string why = "search parameter '_containedType=" + value +
                                "' is not supported: contained matches are returned as their "
                                "containers (_containedType=container)";
        if (options.strict) return Status::InvalidInput(why);
        query.ignored.push_back(why + "; ignored");
        continue;
      }
      SCHAKEL_RETURN_IF_ERROR(
          ParseResultParameter(criteria_type, name, value, registry, options, query));
      continue;
    }
    Criterion criterion;
    Status s = parser.ParseCriterion(criteria_type, name, name, value, 0, criterion);
    if (!s.ok()) {
      // Unknown and unsupported parameters are ignored unless the client asked for strict
      // handling (https://hl7.org/fhir/R4/search.html#errors); malformed values never are.
      if (!options.strict && (s.code() == Code::kNotFound || s.code() == Code::kNotSupported)) {
        query.ignored.push_back(std::string(s.message()));
        continue;
      }
      if (s.code() == Code::kNotFound || s.code() == Code::kNotSupported) {
        return Status::InvalidInput(std::string(s.message()));
      }
      return s;
    }
    query.used.emplace_back(name, value);
    query.criteria.push_back(std::move(criterion));
  }
  if (query.summary == Summary::kCount) query.count = 0;
  return query;
}

}  // namespace schakel::fhir::search
