// The search-parameter registry and the compartment definitions built from resources/, loaded
// once for the whole unit-test binary (they are immutable and thread-safe), and helpers that print
// index entries as short strings so tests can compare them as lists.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json/parse.h"
#include "fhir/primitives/date_time.h"
#include "fhir/search/compartments.h"
#include "fhir/search/extract.h"
#include "fhir/search/search_parameter.h"
#include "unit/shared_definitions.h"

namespace schakel::test {

struct LoadedSearchParameters {
  std::shared_ptr<const fhir::search::SearchParameterRegistry> params;
  std::vector<std::string> warnings;
};

inline const LoadedSearchParameters& LoadSharedSearchParameters() {
  static const auto* loaded = [] {
    auto* out = new LoadedSearchParameters();
    fhir::Result<std::shared_ptr<const fhir::search::SearchParameterRegistry>> params =
        fhir::search::SearchParameterRegistry::Load(SCHAKEL_RESOURCE_DIR, SharedRegistry(),
                                                    &out->warnings);
    if (!params.ok()) {
      std::fprintf(stderr, "cannot load the search parameters in %s: %s\n", SCHAKEL_RESOURCE_DIR,
                   params.status().ToString().c_str());
      std::exit(1);
    }
    out->params = std::move(params).value();
    return out;
  }();
  return *loaded;
}

inline const fhir::search::SearchParameterRegistry& SharedSearchParameters() {
  return *LoadSharedSearchParameters().params;
}

// The R4 CompartmentDefinitions from resources/, loaded once.
inline const fhir::search::Compartments& SharedCompartments() {
  static const auto* loaded = [] {
    fhir::Result<std::shared_ptr<const fhir::search::Compartments>> compartments =
        fhir::search::Compartments::Load(SCHAKEL_RESOURCE_DIR);
    if (!compartments.ok()) {
      std::fprintf(stderr, "cannot load the compartment definitions in %s: %s\n",
                   SCHAKEL_RESOURCE_DIR, compartments.status().ToString().c_str());
      std::exit(1);
    }
    return new std::shared_ptr<const fhir::search::Compartments>(std::move(compartments).value());
  }();
  return **loaded;
}

// What loading reported (parameters that are not indexable, shadowed codes).
inline const std::vector<std::string>& SharedSearchParameterWarnings() {
  return LoadSharedSearchParameters().warnings;
}

// --- Index entries as strings: "param=..." with the fields separated by '|'. ---

inline std::string Optional(const std::optional<std::string>& s) { return s.value_or("-"); }

inline std::string Time(std::int64_t ms) {
  if (ms == fhir::search::kMinTimeMs) return "-inf";
  if (ms == fhir::search::kMaxTimeMs) return "+inf";
  return fhir::FormatInstant(ms);
}

inline std::string Number(double d) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.15g", d);
  return buffer;
}

inline std::string Show(const fhir::search::StringIndex& e) {
  return e.param + "=" + e.normalized + "|" + e.exact;
}
inline std::string Show(const fhir::search::TokenIndex& e) {
  std::string out = e.param + "=" + Optional(e.system) + "|" + e.code + "|" + e.text;
  if (e.type_system || e.type_code)
    out += "|" + Optional(e.type_system) + "|" + Optional(e.type_code);
  return out;
}
inline std::string Show(const fhir::search::DateIndex& e) {
  return e.param + "=" + Time(e.low_ms) + ".." + Time(e.high_ms);
}
inline std::string Show(const fhir::search::NumberIndex& e) {
  return e.param + "=" + Number(e.value);
}
inline std::string Show(const fhir::search::QuantityIndex& e) {
  std::string out =
      e.param + "=" + Number(e.value) + "|" + Optional(e.system) + "|" + e.code + "|" + e.unit;
  if (e.canonical_value) out += "|" + Number(*e.canonical_value) + "|" + Optional(e.canonical_unit);
  return out;
}
inline std::string Show(const fhir::search::ReferenceIndex& e) {
  std::string out = e.param + "=" + e.target_type + "/" + e.target_id;
  if (e.target_version) out += "/_history/" + std::to_string(*e.target_version);
  out += "|" + e.url;
  if (e.identifier_system || e.identifier_value) {
    out += "|" + Optional(e.identifier_system) + "|" + Optional(e.identifier_value);
  }
  return out;
}
inline std::string Show(const fhir::search::UriIndex& e) { return e.param + "=" + e.value; }
inline std::string Show(const fhir::search::CompositePart& p) {
  std::string out = std::string(fhir::search::ParamTypeName(p.type)) + ":";
  switch (p.type) {
    case fhir::search::ParamType::kDate:
      return out + Time(static_cast<std::int64_t>(p.low)) + ".." +
             Time(static_cast<std::int64_t>(p.high));
    case fhir::search::ParamType::kNumber:
    case fhir::search::ParamType::kQuantity:
      out += Number(p.low) + ".." + Number(p.high);
      if (p.system || !p.code.empty()) out += "|" + Optional(p.system) + "|" + p.code;
      return out;
    default:
      return out + Optional(p.system) + "|" + p.code;
  }
}
inline std::string Show(const fhir::search::CompositeIndex& e) {
  std::string out = e.param + "=";
  for (std::size_t i = 0; i < e.parts.size(); ++i) {
    if (i > 0) out += " $ ";
    out += Show(e.parts[i]);
  }
  return out;
}

// Every entry of `values` whose parameter is `param`, in order, of the kind `entries` selects.
template <typename T>
std::vector<std::string> ShowParam(const std::vector<T>& entries, std::string_view param) {
  std::vector<std::string> out;
  for (const T& e : entries) {
    if (e.param == param) out.push_back(Show(e));
  }
  return out;
}

// Every entry of every kind, for failure messages.
inline std::vector<std::string> ShowAll(const fhir::search::IndexValues& v) {
  std::vector<std::string> out;
  auto add = [&out](const auto& entries) {
    for (const auto& e : entries) out.push_back(Show(e));
  };
  add(v.strings);
  add(v.tokens);
  add(v.dates);
  add(v.numbers);
  add(v.quantities);
  add(v.references);
  add(v.uris);
  add(v.composites);
  return out;
}

}  // namespace schakel::test
