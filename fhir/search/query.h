// A search request, parsed and checked against the search-parameter registry: what the store
// compiles to SQL and the server answers with a searchset Bundle.
// https://hl7.org/fhir/R4/search.html
//
// ParseQuery does all the checking a client can get wrong: unknown parameters, modifiers a
// parameter type does not take, prefixes on types that have none, malformed dates, numbers,
// quantities and references, broken chains. Each failure is a kInvalidInput Status naming the
// parameter and saying why; with lenient handling, unknown parameters are listed in
// Query::ignored instead (and reported in the Bundle's OperationOutcome).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/search/search_parameter.h"
#include "fhir/status.h"

namespace schakel::fhir::search {

// https://hl7.org/fhir/R4/search.html#prefix
enum class Prefix { kEq, kNe, kGt, kLt, kGe, kLe, kSa, kEb, kAp };

// https://hl7.org/fhir/R4/search.html#modifiers
enum class Modifier {
  kNone,
  kMissing,
  kExact,
  kContains,
  kText,
  kNot,
  kAbove,
  kBelow,
  kIn,
  kNotIn,
  kOfType,
  kIdentifier,
  kType,  // reference `:Patient`; the type is in Criterion::target_type
};

// One value of a parameter (the parts of a comma-separated list are ORed).
struct SearchValue {
  Prefix prefix = Prefix::kEq;
  std::string raw;  // as given, without the prefix
  // string: NormalizeString(raw) (for :exact the raw text is used)
  std::string text;
  // token (and the unit of a quantity, the type of :of-type): `system|code`, `|code` (system
  // present and empty: the value has no system), `system|` (code empty, any code), `code`
  // (system nullopt: any system).
  std::optional<std::string> system;
  std::string code;
  // :of-type: the identifier value (system/code above are the identifier type).
  std::string value;
  // number and quantity: the value and the range its precision implies (eq 100 = [99.5, 100.5))
  double number = 0;
  double low = 0;
  double high = 0;
  // quantity: the value in UCUM canonical units when the unit converts.
  std::optional<double> canonical_number;
  std::optional<double> canonical_low;
  std::optional<double> canonical_high;
  std::optional<std::string> canonical_unit;
  // date: the range the value denotes, milliseconds, both ends inclusive.
  std::int64_t low_ms = 0;
  std::int64_t high_ms = 0;
  // reference: "Patient/123" gives type and id; "123" id alone; an absolute URL gives url (and
  // type/id from its last two segments when it ends in one); version from /_history/n.
  std::string ref_type;
  std::string ref_id;
  std::string url;
  std::optional<std::int64_t> version;
  // :missing
  bool missing = false;
  // composite: one value per component, in order (each parsed by its component's type).
  std::vector<SearchValue> parts;
};

struct Criterion;

// _has:Observation:patient:code=1234 — resources that a `type` resource refers to through
// `reference`, where that resource matches `criterion`.
struct HasClause {
  std::string type;
  const SearchParameter* reference = nullptr;
  std::unique_ptr<Criterion> criterion;
};

// One parameter of the query (repeats are separate criteria: ANDed).
struct Criterion {
  std::string name;  // as written, with modifier and chain ("subject:Patient.name")
  const SearchParameter* param = nullptr;
  Modifier modifier = Modifier::kNone;
  std::string target_type;          // reference :Type modifier, or the type a chain goes through
  std::vector<SearchValue> values;  // ORed; empty for chains and _has
  // A chained parameter: `param` is a reference; chain[i] is the criterion its targets of type
  // chain_types[i] must meet (the types are target_type, or those of the parameter's targets
  // that have the chained parameter).
  std::vector<std::string> chain_types;
  std::vector<std::unique_ptr<Criterion>> chain;
  std::unique_ptr<HasClause> has;
};

struct SortKey {
  const SearchParameter* param = nullptr;  // _id and _lastUpdated are parameters too
  bool descending = false;
};

// _include / _revinclude: `source_type`:`param`[:`target_type`], or `*`.
struct IncludeSpec {
  std::string source_type;
  const SearchParameter* param = nullptr;  // nullptr for `*`: every reference parameter
  std::string target_type;                 // empty: any
  bool iterate = false;
  bool reverse = false;  // _revinclude
};

enum class Summary { kFalse, kTrue, kCount, kData, kText };
enum class Total { kNone, kEstimate, kAccurate };
enum class Contained { kFalse, kTrue, kBoth };

// A compartment search (/Patient/123/MedicationStatement): resources of the query's type that
// point at the compartment's focus through any of `params`.
struct CompartmentClause {
  std::string type;  // "Patient"
  std::string id;
  std::vector<const SearchParameter*> params;
};

struct Query {
  // Keeps the registry the criteria's parameter pointers point into alive for as long as the
  // query lives (the server swaps registries on $reindex). Set by whoever holds it shared.
  std::shared_ptr<const SearchParameterRegistry> registry;

  std::string type;                // empty: system search
  std::vector<std::string> types;  // _type, for system search
  std::vector<Criterion> criteria;
  std::optional<CompartmentClause> compartment;

  std::size_t count = 20;
  std::vector<SortKey> sort;
  std::vector<IncludeSpec> includes;  // _include and _revinclude
  Summary summary = Summary::kFalse;
  std::vector<std::string> elements;  // _elements
  // _total; unset: counted on the first page only (a later page's link carries no total).
  std::optional<Total> total;
  Contained contained = Contained::kFalse;
  std::string cursor;  // _cursor: opaque, from a previous page's link

  // The parameters used, in their canonical form, for the self/next links (name, value).
  std::vector<std::pair<std::string, std::string>> used;
  // Parameters that were ignored and why, for the Bundle's OperationOutcome.
  std::vector<std::string> ignored;
};

struct QueryOptions {
  bool strict = false;  // Prefer: handling=strict: unknown parameters are errors
  std::size_t default_count = 20;
  std::size_t max_count = 1000;
};

// Parses decoded query parameters (name with modifiers, value) for a search on `type` (empty
// for a system search).
Result<Query> ParseQuery(std::string_view type,
                         const std::vector<std::pair<std::string, std::string>>& params,
                         const SearchParameterRegistry& registry, const QueryOptions& options);

}  // namespace schakel::fhir::search
